/**
 * Batch sizes, as joblib's `AutoBatchingMixin` tunes them: start with one call per batch and
 * aim each batch at 0.2–2 s of work. Each completed batch of the current size updates a moving
 * average of batch durations (dispatch to result); the next size is computed from it: a batch
 * that is too quick makes the size grow, at most ×2 per step, so that a few slow calls cannot
 * make one batch huge; one that is too slow makes it shrink at once, to the size that would
 * have taken about 0.4 s. A change of size starts a fresh average, since durations of the
 * old size say little about the new one. The cost per call last measured also tells the
 * dispatcher whether the end of the input is worth cutting finer (see `quick`).
 *
 * @module
 */

/** Batches quicker than this grow (ms): the dispatch overhead must stay hidden. */
export const MIN_IDEAL_BATCH_DURATION = 200;
/** Batches slower than this shrink (ms): long batches leave workers idle at the end. */
export const MAX_IDEAL_BATCH_DURATION = 2000;
/** Weight of the newest duration in the moving average. */
const NEWEST_WEIGHT = 0.2;
/** The shortest duration recorded (ms), so that 0 keeps meaning "no measure yet". */
const MIN_MEASURED = 1e-3;

/** A change of batch size, and why (for `verbose >= 10`). */
export interface BatchSizeChange {
  /** The size before. */
  from: number;
  /** The size now. */
  to: number;
  /** The smoothed batch duration that prompted it (ms). */
  duration: number;
}

/** How big the next batch is, and what a completed batch teaches. */
export interface Batcher {
  /** The size of the next batch to read. */
  next(): number;
  /** A batch of `size` calls took `duration` ms from dispatch to result. */
  completed(size: number, duration: number): void;
  /**
   * Whether a batch of `size` calls is known to take less than the ideal minimum (0.2 s):
   * then cutting the input's tail finer would only add messages, since no worker can be left
   * with a long tail.
   */
  quick(size: number): boolean;
}

/** A fixed batch size. */
export class FixedBatcher implements Batcher {
  readonly #size: number;

  constructor(size: number) {
    this.#size = size;
  }

  next(): number {
    return this.#size;
  }

  completed(): void {}

  /** A fixed size knows nothing of durations: the tail is cut as joblib cuts it. */
  quick(): boolean {
    return false;
  }
}

/** joblib's automatic batch size. */
export class AutoBatcher implements Batcher {
  #size = 1;
  /** The moving average of durations of batches of the current size; 0: none yet. */
  #smoothed = 0;
  /** Milliseconds per call, from the latest measured batch of the current size; 0: none. */
  #perCall = 0;
  readonly #onChange: ((change: BatchSizeChange) => void) | undefined;

  /** @param onChange Told of every change of size (joblib prints them at `verbose >= 10`). */
  constructor(onChange?: (change: BatchSizeChange) => void) {
    this.#onChange = onChange;
  }

  /** The current size. */
  get size(): number {
    return this.#size;
  }

  /** The moving average of batch durations at the current size (ms; 0 when none yet). */
  get smoothedDuration(): number {
    return this.#smoothed;
  }

  next(): number {
    const old = this.#size;
    const duration = this.#smoothed;
    let size = old;
    if (duration > 0 && duration < MIN_IDEAL_BATCH_DURATION) {
      // Too quick to hide the overhead: aim at twice the minimum (so as not to oscillate
      // between the bounds), but at most double.
      const ideal = 2 * Math.floor((old * MIN_IDEAL_BATCH_DURATION) / duration);
      size = Math.max(Math.min(2 * old, ideal), 1);
    } else if (duration > MAX_IDEAL_BATCH_DURATION && old >= 2) {
      // Too slow: a few long batches could keep some workers busy while others idle. Shrink
      // at once.
      size = Math.max(2 * Math.floor((old * MIN_IDEAL_BATCH_DURATION) / duration), 1);
    }
    if (size !== old) {
      this.#size = size;
      this.#smoothed = 0;
      this.#onChange?.({ from: old, to: size, duration });
    }
    return size;
  }

  completed(size: number, duration: number): void {
    // Only batches of the current size tell anything about it.
    if (size !== this.#size) return;
    // A duration below the clock's resolution still counts as "measured, and quick".
    const d = Math.max(duration, MIN_MEASURED);
    this.#smoothed = this.#smoothed === 0
      ? d
      : (1 - NEWEST_WEIGHT) * this.#smoothed + NEWEST_WEIGHT * d;
    this.#perCall = this.#smoothed / size;
  }

  quick(size: number): boolean {
    return this.#perCall > 0 && this.#perCall * size < MIN_IDEAL_BATCH_DURATION;
  }
}
