/**
 * Where a `Parallel` call's finished batches wait to be handed over: all at once in input order
 * (`"list"`), one batch at a time in input order (`"ordered"`), or as they finished
 * (`"unordered"`).
 *
 * @module
 */

import { Fifo } from "../_internal/fifo.ts";

/** How the results are handed over. */
export type DispatchMode = "list" | "ordered" | "unordered";

/** The finished batches of one call, by their dispatch index. */
export class BatchResults {
  readonly #mode: DispatchMode;
  /** `"list"`: every batch's values, by index. */
  readonly #parts: (readonly unknown[])[] = [];
  /** `"ordered"`: finished batches waiting for their turn. */
  readonly #byIndex = new Map<number, readonly unknown[]>();
  #nextIndex = 0;
  /** `"unordered"`: finished batches, as they finished. */
  readonly #arrivals = new Fifo<readonly unknown[]>();

  constructor(mode: DispatchMode) {
    this.#mode = mode;
  }

  /** Keeps the values of the batch dispatched `index`-th. */
  add(index: number, values: readonly unknown[]): void {
    switch (this.#mode) {
      case "list":
        this.#parts[index] = values;
        break;
      case "ordered":
        this.#byIndex.set(index, values);
        break;
      case "unordered":
        this.#arrivals.push(values);
    }
  }

  /** `"ordered"`/`"unordered"`: the next batch's values to hand over, if it has finished. */
  take(): readonly unknown[] | undefined {
    if (this.#mode === "unordered") return this.#arrivals.shift();
    const values = this.#byIndex.get(this.#nextIndex);
    if (values !== undefined) {
      this.#byIndex.delete(this.#nextIndex);
      this.#nextIndex++;
    }
    return values;
  }

  /** `"list"`: every batch's values joined in input order (`count` in all). */
  all(count: number): unknown[] {
    const parts = this.#parts;
    if (parts.length === 1) return parts[0] as unknown[];
    const out = new Array<unknown>(count);
    let at = 0;
    for (const part of parts) for (let i = 0; i < part.length; i++) out[at++] = part[i];
    return out;
  }
}
