/**
 * {@linkcode waitAny}: waiting on several channels at once (Python's `connection.wait`).
 *
 * @module
 */

import { inWorker, spin, SPIN_MAIN_US, SPIN_US } from "./futex.ts";
import type { Channel } from "./channel.ts";
import { PUTS } from "./channel_header.ts";

/** The longest timer the platform takes (about 24.8 days); longer sleeps are resumed. */
const MAX_TIMER = 2 ** 31 - 1;

/**
 * Waits up to `timeout` ms, without blocking the thread, until at least one of `channels` has
 * a message to take (or its end, or was shut down): the indices of those that are ready, in
 * order, or none when the timeout passed. An abort of `signal` rejects with its reason.
 *
 * It spins a few microseconds, then sleeps with one `Atomics.waitAsync` per channel, counted
 * among the channel's sleepers so that puts notify. A wait cannot be withdrawn, so when one
 * channel wakes it the others' pending waits are woken at once (every sleeper re-checks what it
 * waits for, so the spurious wake is harmless): a stale wait left queued could otherwise take a
 * put's single notification from a real sleeper.
 */
export async function waitAny(
  channels: readonly Channel[],
  timeout: number,
  signal?: AbortSignal,
): Promise<number[]> {
  signal?.throwIfAborted();
  const readyNow = () => {
    const ready: number[] = [];
    channels.forEach((channel, i) => {
      if (channel.peek() === true) ready.push(i);
    });
    return ready;
  };
  let ready = readyNow();
  if (ready.length > 0 || timeout === 0) return ready;
  const deadline = performance.now() + timeout;
  const first = channels[0];
  if (first !== undefined) {
    // A short spin on the first channel, as every wait of the library does.
    const seen = first.peek();
    if (seen !== true) spin(first.cells, PUTS, seen, inWorker ? SPIN_US : SPIN_MAIN_US);
    ready = readyNow();
    if (ready.length > 0) return ready;
  }
  for (const channel of channels) channel.countSleeper(1);
  const aborted = Promise.withResolvers<void>();
  const onAbort = () => aborted.resolve();
  signal?.addEventListener("abort", onAbort, { once: true });
  // Deno does not count a pending waitAsync as keeping the program alive (see futex.ts).
  const keepAlive = setTimeout(() => {}, MAX_TIMER);
  try {
    for (;;) {
      // The values seen are read after this thread counted itself as a sleeper, so a put
      // either changes them (the waits return at once) or sees the sleeper and notifies.
      const seen = channels.map((channel) => channel.peek());
      ready = [];
      seen.forEach((value, i) => {
        if (value === true) ready.push(i);
      });
      if (ready.length > 0) return ready;
      const ms = deadline - performance.now();
      if (ms <= 0) return [];
      const pending = new Set<number>();
      const waits: Promise<unknown>[] = [];
      let changed = false;
      seen.forEach((value, i) => {
        const wait = Atomics.waitAsync(
          channels[i]!.cells,
          PUTS,
          value as number,
          Math.min(ms, MAX_TIMER),
        );
        if (!wait.async) {
          changed = true;
          return;
        }
        pending.add(i);
        waits.push(wait.value.then(() => pending.delete(i)));
      });
      if (!changed) await Promise.race([...waits, aborted.promise]);
      // Withdraws this thread's waits that are still queued (see the function's doc).
      for (const i of pending) Atomics.notify(channels[i]!.cells, PUTS);
      if (signal?.aborted) throw signal.reason;
    }
  } finally {
    clearTimeout(keepAlive);
    signal?.removeEventListener("abort", onAbort);
    for (const channel of channels) channel.countSleeper(-1);
  }
}
