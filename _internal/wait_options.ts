/**
 * The options of every waiting method of the library.
 *
 * @module
 */

/** Options of every waiting method: how long to wait, and a signal to give up. */
export interface WaitOptions {
  /**
   * Milliseconds to wait at most. Where Python returns `False` on a timeout (a lock's
   * `acquire`, `Event.wait`…) the promise resolves `false`; where Python raises
   * (`AsyncResult.get`, `Barrier.wait`) it rejects. `0` only tries, without waiting.
   * @default {Infinity}
   */
  timeout?: number;
  /** Stops waiting when aborted: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}
