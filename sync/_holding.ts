/**
 * What `hold()` and `holdSync()` return: a `Disposable` that releases once, for `using`.
 *
 * @module
 */

import type { WaitOptions } from "./_futex.ts";

/** What can be held: the lock-like primitives. */
export interface Acquirable {
  acquire(options?: WaitOptions): Promise<boolean>;
  acquireSync(options?: Omit<WaitOptions, "signal">): boolean;
  release(): void;
}

/** A `Disposable` calling `release` on its first disposal only. */
function holding(target: Acquirable): Disposable {
  let held = true;
  return {
    [Symbol.dispose]() {
      if (!held) return;
      held = false;
      target.release();
    },
  };
}

function timedOut(what: string, options: WaitOptions | undefined): DOMException {
  return new DOMException(
    `Timed out after ${options?.timeout} ms waiting for ${what}`,
    "TimeoutError",
  );
}

/** `hold()`: acquires, then returns the handle; rejects with `TimeoutError` on timeout. */
export async function hold(
  target: Acquirable,
  what: string,
  options: WaitOptions | undefined,
): Promise<Disposable> {
  if (!await target.acquire(options)) throw timedOut(what, options);
  return holding(target);
}

/** `holdSync()`: acquires (blocking), then returns the handle; throws `TimeoutError`. */
export function holdSync(
  target: Acquirable,
  what: string,
  options: Omit<WaitOptions, "signal"> | undefined,
): Disposable {
  if (!target.acquireSync(options)) throw timedOut(what, options);
  return holding(target);
}
