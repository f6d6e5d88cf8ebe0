/**
 * Timing for the notebooks: interleaved repetitions, so that a busy spell of the machine falls on
 * every variant alike, reported as the minimum (the best the machine can do) and the median (what
 * a reader should expect).
 *
 * ```ts
 * import { interleaved } from "./timing.ts";
 * const t = await interleaved({ serial: () => work(), parallel: () => pool.map(f, xs) });
 * t.serial.min / t.parallel.min; // the speedup
 * ```
 *
 * @module
 */

/** The measured times of one variant, in milliseconds. */
export interface Timing {
  /** Every repetition's time, in the order they ran. */
  times: number[];
  /** The fastest repetition. */
  min: number;
  /** The median repetition. */
  median: number;
}

/** Options for {@linkcode interleaved}. */
export interface InterleavedOptions {
  /** Timed repetitions of each variant. @default {5} */
  repeats?: number;
  /** Untimed runs of each variant first (compiling, warming caches and pools). @default {1} */
  warmup?: number;
}

/** The min and median of some times. */
export function summarize(times: readonly number[]): Timing {
  if (times.length === 0) throw new RangeError("summarize() needs at least one time");
  const sorted = [...times].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { times: [...times], min: sorted[0]!, median };
}

/** Times one call, in milliseconds. */
export async function timeOnce(fn: () => unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/**
 * Runs every variant `warmup` times untimed, then `repeats` rounds in which each variant runs
 * once, the order rotating from round to round, and returns each variant's times.
 */
export async function interleaved<K extends string>(
  variants: Record<K, () => unknown>,
  options: InterleavedOptions = {},
): Promise<Record<K, Timing>> {
  const { repeats = 5, warmup = 1 } = options;
  if (!Number.isInteger(repeats) || repeats < 1) {
    throw new RangeError(`repeats must be a whole number ≥ 1, got ${repeats}`);
  }
  if (!Number.isInteger(warmup) || warmup < 0) {
    throw new RangeError(`warmup must be a whole number ≥ 0, got ${warmup}`);
  }
  const names = Object.keys(variants) as K[];
  for (let w = 0; w < warmup; w++) {
    for (const name of names) await variants[name]();
  }
  const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let r = 0; r < repeats; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length]!;
      times[name].push(await timeOnce(variants[name]));
    }
  }
  return Object.fromEntries(names.map((n) => [n, summarize(times[n])])) as Record<K, Timing>;
}

/** A duration for a sentence: `850 µs`, `12.3 ms`, `1.23 s`. */
export function formatMs(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toPrecision(3)} µs`;
  if (ms < 1000) return `${ms.toPrecision(3)} ms`;
  return `${(ms / 1000).toPrecision(3)} s`;
}
