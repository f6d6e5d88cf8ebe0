/**
 * `Process.join()`, and how it ends: the process's end, the timeout (quietly, as Python's
 * `join(timeout)`) or the signal's abort (rejected with its reason). Neither stops the process.
 *
 * @module
 */

/** The longest timer the platform takes (about 24.8 days); longer timeouts wait forever. */
const MAX_TIMER = 2 ** 31 - 1;

/**
 * Resolves when `ended` does or `timeout` ms passed, rejects when `signal` aborts; counts
 * itself among the joiners with `hold(1)` while it waits, `hold(-1)` after.
 */
export function waitEnded(
  ended: Promise<void>,
  timeout: number,
  signal: AbortSignal | undefined,
  hold: (delta: number) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;
    const finish = (aborted: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      hold(-1);
      if (aborted) reject(signal!.reason);
      else resolve();
    };
    const onAbort = () => finish(true);
    hold(1);
    ended.then(() => finish(false));
    if (timeout <= MAX_TIMER) timer = setTimeout(() => finish(false), timeout);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
