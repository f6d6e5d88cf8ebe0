/**
 * The engine of `imap` and `imapUnordered`: reads the input lazily, a chunk at a time, keeping
 * at most `ahead` chunks between the input and the consumer (queued, running, or finished but
 * not yet consumed). An endless generator therefore runs in bounded memory, and a consumer that
 * stops early (`break`) withdraws the queued chunks and closes the input. An input that throws
 * ends it as in Python: the items read before still run and their results come first, then the
 * input's error.
 *
 * @module
 */

import type { Outcome } from "./_scheduler.ts";

/** What {@linkcode lazyMap} needs. */
export interface LazyMapOptions {
  iterator: Iterator<unknown> | AsyncIterator<unknown>;
  chunksize: number;
  /** Chunks allowed between input and consumer. */
  ahead: number;
  /** In input order (`imap`), or as finished (`imapUnordered`). */
  ordered: boolean;
  /** Sends a chunk to the pool. */
  submit(calls: unknown[], settle: (outcome: Outcome) => void): void;
  /** Withdraws this job's queued chunks. */
  cancel(): void;
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return value instanceof Promise;
}

/** Yields results of the chunks submitted as the input is read. */
export async function* lazyMap<R>(options: LazyMapOptions): AsyncGenerator<R, void, undefined> {
  const { iterator, chunksize, ahead, ordered } = options;
  const byIndex = new Map<number, Outcome>();
  const arrivals: Outcome[] = [];
  let submitted = 0;
  let consumed = 0;
  let exhausted = false;
  /** What the input threw, once it did. */
  let broken: { error: unknown } | undefined;
  let wake: (() => void) | undefined;

  const fill = async (): Promise<void> => {
    while (!exhausted && submitted - consumed < ahead) {
      const calls: unknown[] = [];
      try {
        while (calls.length < chunksize) {
          const step = iterator.next();
          const result = isPromise(step) ? await step : step;
          if (result.done === true) {
            exhausted = true;
            break;
          }
          calls.push(result.value);
        }
      } catch (error) {
        // Thrown after the end of the results read before it (an iterator that threw is done).
        broken = { error };
        exhausted = true;
      }
      if (calls.length === 0) break;
      const index = submitted++;
      options.submit(calls, (outcome) => {
        if (ordered) byIndex.set(index, outcome);
        else arrivals.push(outcome);
        wake?.();
      });
    }
  };

  const take = (): Outcome | undefined => {
    if (!ordered) return arrivals.shift();
    const outcome = byIndex.get(consumed);
    if (outcome !== undefined) byIndex.delete(consumed);
    return outcome;
  };

  try {
    while (true) {
      await fill();
      if (consumed === submitted) {
        if (broken !== undefined) throw broken.error;
        return;
      }
      let outcome = take();
      while (outcome === undefined) {
        await new Promise<void>((resolve) => wake = resolve);
        wake = undefined;
        outcome = take();
      }
      consumed++;
      if (!outcome.ok) {
        yield* outcome.values as R[];
        throw outcome.error;
      }
      // Refill before handing results over, so workers stay busy while the consumer works.
      await fill();
      yield* outcome.values as Iterable<R>;
    }
  } finally {
    options.cancel();
    if (!exhausted) await iterator.return?.();
  }
}
