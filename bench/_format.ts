/**
 * What the benchmark modules share: timing summaries, number formats, Markdown tables, and
 * running a Python script that prints its results as JSON.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** A set of timings: their median, the best, and every sample. */
export interface Summary {
  /** The median sample. */
  median: number;
  /** The smallest sample. */
  best: number;
  /** Every sample, in the order taken. */
  samples: number[];
}

/**
 * The median and the smallest of `samples`.
 *
 * @param samples At least one number.
 * @returns Their summary.
 */
export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, best: sorted[0]!, samples };
}

/**
 * A duration given in milliseconds, in ms or s.
 *
 * @param value Milliseconds.
 * @returns E.g. `"12.3 ms"`.
 */
export function ms(value: number): string {
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 100) return `${value.toFixed(0)} ms`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

/**
 * A duration given in microseconds, in µs (or ms from 1,000 µs).
 *
 * @param value Microseconds.
 * @returns E.g. `"12.3 µs"`.
 */
export function us(value: number): string {
  return value >= 1000 ? ms(value / 1000) : `${value.toFixed(value >= 100 ? 0 : 1)} µs`;
}

/**
 * `"median (best best)"` of a summary.
 *
 * @param s The summary.
 * @param unit The number format.
 * @returns The text.
 */
export function medBest(s: Summary, unit: (v: number) => string = ms): string {
  return `${unit(s.median)} (best ${unit(s.best)})`;
}

/**
 * "Z× faster" / "Z× slower", ours vs theirs, both durations.
 *
 * @param ours Our duration.
 * @param theirs Python's duration, in the same unit.
 * @returns The text.
 */
export function versus(ours: number, theirs: number): string {
  const ratio = ours / theirs;
  const word = ratio <= 1 ? `${(1 / ratio).toFixed(2)}× faster` : `${ratio.toFixed(2)}× slower`;
  return `${word} (${ratio.toFixed(2)}× Python's time)`;
}

/** One line of the "ours vs Python" ratios: its label, our and Python's values, their unit. */
export type Ratio = [label: string, ours: number, python: number, unit: (v: number) => string];

/**
 * The "ours vs Python" ratio lines, their labels padded to line up.
 *
 * @param ratios The lines' labels, values and units.
 * @returns One line each: `  label: ours X vs Python Y = Z× faster (…)`.
 */
export function ratioLines(ratios: Ratio[]): string[] {
  const width = Math.max(...ratios.map(([label]) => label.length));
  return ratios.map(([label, o, p, unit]) =>
    `  ${label.padEnd(width)}: ours ${unit(o)} vs Python ${unit(p)} = ${versus(o, p)}`
  );
}

/**
 * A Markdown table, its columns padded to line up.
 *
 * @param rows The header row, then the rows; each of the same length.
 * @returns The table's lines, joined.
 */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const line = (row: string[]) =>
    `| ${row.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ")} |`;
  const rule = `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`;
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join("\n");
}

/**
 * A target's verdict.
 *
 * @param ok Whether it was met.
 * @returns `"✓"` or `"✗"`.
 */
export function check(ok: boolean): string {
  return ok ? "✓" : "✗";
}

/**
 * The Python to compare with: Debian's (any Python 3 would do), or `$BENCH_PYTHON`. Read when
 * the benchmark runs, never when a worker imports a bench module.
 *
 * @returns The interpreter's path.
 */
export function pythonPath(): string {
  return Deno.env.get("BENCH_PYTHON") || "/usr/bin/python3";
}

/**
 * Runs a Python script of `bench/` that prints one JSON object on stdout.
 *
 * @param script The script's file name, beside this module.
 * @param args Its arguments.
 * @returns The parsed object, or `{ skipped }` with the reason when it cannot run or fails.
 */
export async function runPythonJson<T>(
  script: string,
  args: string[],
): Promise<T | { skipped: string }> {
  const PYTHON = pythonPath();
  try {
    await Deno.stat(PYTHON);
  } catch {
    return { skipped: `${PYTHON} not found` };
  }
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(PYTHON, {
      args: [path, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    return { skipped: `${PYTHON} could not be started: ${String(error)}` };
  }
  const decoder = new TextDecoder();
  if (!output.success) {
    const stderr = decoder.decode(output.stderr).trim().split("\n").slice(-3).join(" | ");
    return { skipped: `${PYTHON} failed with exit code ${output.code}: ${stderr}` };
  }
  try {
    return JSON.parse(decoder.decode(output.stdout)) as T;
  } catch (error) {
    return { skipped: `${PYTHON} printed no valid JSON: ${String(error)}` };
  }
}

/** One row of a scoreboard table: a target, what was measured, and whether it was met. */
export interface TargetRow {
  /** The workload and its target, e.g. `"start to first result ≤ 15 ms (median)"`. */
  target: string;
  /** What was measured, as text. */
  measured: string;
  /** Whether the target was met; `null` for a row without a target (or one not measured). */
  met: boolean | null;
}

/**
 * A scoreboard table: `| target | measured | met |`.
 *
 * @param rows The rows.
 * @returns The table's lines, joined.
 */
export function targetTable(rows: TargetRow[]): string {
  return table([
    ["target", "measured", "met"],
    ...rows.map((r) => [r.target, r.measured, r.met === null ? "—" : check(r.met)]),
  ]);
}

/**
 * A {@linkcode TargetRow}.
 *
 * @param target The workload and its target.
 * @param measured What was measured.
 * @param met Whether the target was met (`null`: no target, or not measured).
 * @returns The row.
 */
export function targetRow(target: string, measured: string, met: boolean | null): TargetRow {
  return { target, measured, met };
}
