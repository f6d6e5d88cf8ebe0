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

/**
 * The `Disposable` a lock hands out, one per lock and thread, reused by every `hold` (a new
 * object per hold made `using` several times slower): each hold counts one, each disposal
 * releases one, and disposing more often than held does nothing.
 */
export class Holding implements Disposable {
  #target: Acquirable;
  #count = 0;

  constructor(target: Acquirable) {
    this.#target = target;
  }

  /** Counts one hold. */
  held(): this {
    this.#count++;
    return this;
  }

  /** Releases one hold, if any is left. */
  [Symbol.dispose](): void {
    if (this.#count === 0) return;
    this.#count--;
    this.#target.release();
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
  handle: Holding,
  what: string,
  options: WaitOptions | undefined,
): Promise<Disposable> {
  if (!await target.acquire(options)) throw timedOut(what, options);
  return handle.held();
}

/** `holdSync()`: acquires (blocking), then returns the handle; throws `TimeoutError`. */
export function holdSync(
  target: Acquirable,
  handle: Holding,
  what: string,
  options: Omit<WaitOptions, "signal"> | undefined,
): Disposable {
  if (!target.acquireSync(options)) throw timedOut(what, options);
  return handle.held();
}
