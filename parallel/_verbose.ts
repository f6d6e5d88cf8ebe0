/**
 * joblib's `verbose` progress lines, in joblib's format and at joblib's pace:
 *
 * ```
 * [Parallel(nJobs=2)]: Using backend worker with 2 concurrent workers.
 * [Parallel(nJobs=2)]: Done   1 tasks      | elapsed:    0.0s
 * [Parallel(nJobs=2)]: Done   9 out of  10 | elapsed:    1.3s remaining:    0.1s
 * [Parallel(nJobs=2)]: Done  10 out of  10 | elapsed:    1.4s finished
 * ```
 *
 * While the input is still being read, a line is printed after batches whose count crosses a
 * square-root schedule (more often for higher levels); once the input is exhausted, lines give
 * the total and the time remaining, about `verbose` of them in all. Above 10, every completed
 * batch prints a line, and changes of the automatic batch size are reported too. Below 50 the
 * lines go to stderr, from 50 to stdout, as joblib does.
 *
 * @module
 */

import type { BatchSizeChange } from "./_auto_batch.ts";

/** Where a line goes. */
export type VerboseWrite = (line: string, stream: "stdout" | "stderr") => void;

const printLine: VerboseWrite = (line, stream) => {
  if (stream === "stdout") console.log(line);
  else console.error(line);
};

/** Seconds as joblib prints them: `"   1.4s"`, or `" 2.5min"` past a minute. */
export function shortFormatTime(seconds: number): string {
  if (seconds > 60) return `${(seconds / 60).toFixed(1).padStart(4)}min`;
  return ` ${seconds.toFixed(1).padStart(5)}s`;
}

/**
 * Whether the line after batch `index` (0-based) is skipped while the input is being read:
 * printed when `sqrt(index / scale)` crosses a whole number, with `scale = (11 - verbose)² / 2`.
 */
export function verbosityFilter(index: number, verbose: number): boolean {
  if (!verbose) return true;
  if (verbose > 10) return false;
  if (index === 0) return false;
  const scale = 0.5 * (11 - verbose) ** 2;
  return Math.floor(Math.sqrt(index / scale)) === Math.floor(Math.sqrt((index + 1) / scale));
}

/** Counts at the time a batch completes. */
export interface ProgressCounts {
  /** Calls completed so far. */
  completedTasks: number;
  /** Batches dispatched so far. */
  dispatchedBatches: number;
  /** Calls dispatched so far. */
  dispatchedTasks: number;
  /** Whether the input has been read to its end (then the total is known). */
  exhausted: boolean;
  /** Milliseconds since the call started. */
  elapsed: number;
}

/** Prints joblib's progress lines for one `Parallel`. */
export class VerboseReporter {
  readonly #verbose: number;
  readonly #label: string;
  readonly #preDispatch: number;
  readonly #write: VerboseWrite;

  /**
   * @param verbose joblib's level; 0 prints nothing.
   * @param label What each line starts with, in brackets: `Parallel(nJobs=2)`.
   * @param preDispatch Batches read ahead (`0` for "all"), which shifts the schedule of the
   *   closing lines as in joblib.
   * @param write Where lines go. @default {console.error / console.log}
   */
  constructor(
    verbose: number,
    label: string,
    preDispatch: number,
    write: VerboseWrite = printLine,
  ) {
    this.#verbose = verbose;
    this.#label = label;
    this.#preDispatch = Number.isFinite(preDispatch) ? preDispatch : 0;
    this.#write = write;
  }

  /** Whether anything is printed at all. */
  get enabled(): boolean {
    return this.#verbose > 0;
  }

  #print(message: string): void {
    this.#write(`[${this.#label}]: ${message}`, this.#verbose < 50 ? "stderr" : "stdout");
  }

  /** The call starts. */
  start(backend: string, workers: number): void {
    if (this.enabled) this.#print(`Using backend ${backend} with ${workers} concurrent workers.`);
  }

  /** The automatic batch size changed (printed from level 10). */
  batchSize(change: BatchSizeChange): void {
    if (this.#verbose < 10) return;
    const how = change.to > change.from ? "fast" : "slow";
    this.#print(
      `Batch computation too ${how} (${(change.duration / 1000).toFixed(4)}s.) Setting ` +
        `batch_size=${change.to}.`,
    );
  }

  /** A batch completed. */
  progress(counts: ProgressCounts): void {
    if (!this.enabled) return;
    const elapsed = counts.elapsed / 1000;
    if (!counts.exhausted) {
      if (verbosityFilter(counts.dispatchedBatches, this.#verbose)) return;
      this.#print(
        `Done ${pad(counts.completedTasks)} tasks      | elapsed: ${shortFormatTime(elapsed)}`,
      );
      return;
    }
    const index = counts.completedTasks;
    const total = counts.dispatchedTasks;
    if (index !== 0) {
      // About `verbose` lines while the last calls finish, counted back from the end.
      const cursor = total - index + 1 - this.#preDispatch;
      const frequency = Math.floor(total / this.#verbose) + 1;
      if (index + 1 === total || cursor % frequency !== 0) return;
    }
    const remaining = index === 0 ? 0 : (elapsed / index) * (total - index);
    this.#print(
      `Done ${pad(index)} out of ${pad(total)} | elapsed: ${shortFormatTime(elapsed)} ` +
        `remaining: ${shortFormatTime(remaining)}`,
    );
  }

  /** The call finished with `count` results. */
  finished(count: number, elapsed: number): void {
    if (!this.enabled) return;
    this.#print(
      `Done ${pad(count)} out of ${pad(count)} | elapsed: ${
        shortFormatTime(elapsed / 1000)
      } finished`,
    );
  }
}

function pad(n: number): string {
  return String(n).padStart(3);
}
