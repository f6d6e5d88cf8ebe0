/**
 * What `hold()` and `holdSync()` return: a `Disposable` that releases once, for `using`.
 *
 * @module
 */

import type { WaitOptions } from "../_internal/futex.ts";

/** What can be held: the lock-like primitives. */
export interface Acquirable {
  acquire(options?: WaitOptions): Promise<boolean>;
  acquireSync(options?: Omit<WaitOptions, "signal">): boolean;
  release(): void;
}

/**
 * What `hold()` returns: releases its lock on its first disposal only. A small class instance,
 * not a closure over an object literal (which made `using` several times slower).
 */
class Held implements Disposable {
  #target: Acquirable | undefined;

  constructor(target: Acquirable) {
    this.#target = target;
  }

  [Symbol.dispose](): void {
    const target = this.#target;
    if (target === undefined) return;
    this.#target = undefined;
    target.release();
  }
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
  return new Held(target);
}

/** `holdSync()`: acquires (blocking), then returns the handle; throws `TimeoutError`. */
export function holdSync(
  target: Acquirable,
  what: string,
  options: Omit<WaitOptions, "signal"> | undefined,
): Disposable {
  if (!target.acquireSync(options)) throw timedOut(what, options);
  return new Held(target);
}
