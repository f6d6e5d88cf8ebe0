/**
 * Helpers the benchmark drivers and their worker-side task modules share: clocks, the
 * process's CPU time, describing a wrong message, and the arguments of a section run alone.
 * It imports nothing heavy, so a task module that imports it keeps its workers light.
 *
 * @module
 */

import { parseArgs } from "node:util";

/**
 * Now, on a clock every thread of the process shares (ms since the epoch, sub-µs steps).
 *
 * @returns The time, ms.
 */
export function stamp(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The process's CPU time so far (user + system, every thread), in ms.
 *
 * @returns CPU time, ms.
 */
export function processCpuMs(): number {
  const usage = (Deno as unknown as { cpuUsage?: () => { user: number; system: number } })
    .cpuUsage?.();
  if (usage !== undefined) return (usage.user + usage.system) / 1e3;
  // Without Deno.cpuUsage: utime + stime of /proc/self/stat, in clock ticks (1/100 s).
  const fields = Deno.readTextFileSync("/proc/self/stat").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * A message that arrived wrong, for an error: as JSON, or as a string when it is not JSON.
 *
 * @param got What arrived.
 * @returns Its description.
 */
export function describeGot(got: unknown): string {
  try {
    return JSON.stringify(got) ?? String(got);
  } catch {
    return String(got);
  }
}

/**
 * Calls made before a sequential round trip is timed, on every side (ours, the peers',
 * Python's): the JIT compiles a long path only after a few thousand calls, and the row is
 * about the steady state.
 */
export const SEQUENTIAL_WARMUP = 2_000;

/** The options of every bench run: `--quick` (small sizes) and `--json FILE`. */
export const SECTION_OPTIONS = {
  quick: { type: "boolean", default: false },
  json: { type: "string" },
} as const;

/** The arguments of a bench section run alone (`deno run -A bench/X.ts [--quick] [--json FILE]`). */
export interface SectionArgs {
  /** Small sizes (a CI smoke run). */
  quick: boolean;
  /** Where to write the results as JSON, if anywhere. */
  json?: string;
}

/** A bench section, for {@linkcode runSection}. */
export interface Section<R> {
  /** Its name in the opening line, e.g. `"message-passing"`. */
  name: string;
  /** The Python side's command line, for the opening line. */
  python: string;
  /** Runs the section. */
  run(options: { quick: boolean }): Promise<R>;
  /** Its report. */
  format(results: R): string;
}

/**
 * The other way a section's module runs: as one rank of an `mpirun` job the section starts
 * (`deno run -A bench/X.ts --rank --NAME N…`).
 */
export interface RankMode {
  /** The names of the rank's options, each a string (e.g. `["rounds", "runs"]`). */
  options: readonly string[];
  /** Runs this process as one rank, with the options given (`undefined`: left out). */
  run(values: Record<string, string | undefined>): Promise<void>;
}

/**
 * Parses the arguments of a bench section run alone: `--quick`, `--json FILE`, and, with a
 * `rank` mode, `--rank` and the rank's options.
 *
 * @param args The command line's arguments.
 * @param rank The options of the section's rank mode, if it has one.
 * @returns `quick`, `json` when given, and `rank` with the rank's options when `--rank` is.
 * @throws {TypeError} An unknown option.
 */
export function sectionArgs(
  args: string[],
  rank: readonly string[] = [],
): SectionArgs & { rank?: Record<string, string | undefined> } {
  const options: Record<string, { type: "boolean" | "string"; default?: boolean }> = {
    ...SECTION_OPTIONS,
  };
  if (rank.length > 0) options.rank = { type: "boolean", default: false };
  for (const name of rank) options[name] = { type: "string" };
  const { values } = parseArgs({ args, options }) as {
    values: Record<string, string | boolean | undefined>;
  };
  const quick = values.quick === true;
  const json = typeof values.json === "string" ? values.json : undefined;
  const parsed: SectionArgs & { rank?: Record<string, string | undefined> } = json === undefined
    ? { quick }
    : { quick, json };
  if (values.rank === true) {
    parsed.rank = Object.fromEntries(
      rank.map((name) => [name, values[name] as string | undefined]),
    );
  }
  return parsed;
}

/**
 * Runs a bench section alone (`deno run -A bench/X.ts [--quick] [--json FILE]`): says what
 * runs on stderr, prints the report, and writes the results as JSON when `--json` is given.
 * With `--rank` (for a section that has a `rank` mode), runs this process as one rank instead.
 *
 * @param args The command line's arguments.
 * @param section The section.
 * @param rank The section's rank mode, if it has one.
 * @throws {TypeError} An unknown option.
 */
export async function runSection<R>(
  args: string[],
  section: Section<R>,
  rank?: RankMode,
): Promise<void> {
  const parsed = sectionArgs(args, rank?.options);
  if (parsed.rank !== undefined) {
    await rank!.run(parsed.rank);
    return;
  }
  const { quick, json } = parsed;
  console.error(
    `Running the ${section.name} benchmarks (${quick ? "quick" : "full"}; Python: ` +
      `${section.python})…`,
  );
  const results = await section.run({ quick });
  console.log(section.format(results));
  if (json !== undefined) {
    await Deno.writeTextFile(json, JSON.stringify(results, null, 2) + "\n");
    console.log(`\nResults written to ${json}`);
  }
}
