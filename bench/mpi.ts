/**
 * The MPI section of the benchmark: `Comm`'s buffer API (`await comm.Send` / `await
 * comm.Recv` of a `Float64Array`) between two ranks of `mpirun -n 2`, beside mpi4py's buffer
 * API (`comm.Send`/`comm.Recv` of a numpy array, `bench/python_mpi.py`) in the same run:
 *
 * - **latency**: one-way time of an 8-byte message (a `Float64Array(1)`), half a ping-pong
 *   round trip; target ≤ mpi4py's;
 * - **bandwidth**: 1 MB (131,072 float64s) one way, half a round trip; target ≥ 90 % of
 *   mpi4py's;
 * - **structured values**: one-way time of a small value (`[0, null, "hello"]`) through the
 *   lower-case API (`send`/`recv`, serialized with `node:v8`) beside mpi4py's pickled
 *   `send`/`recv`; no target.
 *
 * Each job (one `mpirun -n 2` of one side) warms up with three runs' worth of round trips
 * (so that V8's optimizing compiler has done its work), then takes `runsPerJob` timed
 * runs; the two sides alternate job by job (Deno, Python, Deno, Python…, `jobs` of each) so
 * that a noisy neighbour hurts both alike. Medians and bests of all runs are compared;
 * absolute numbers wander on a shared machine.
 *
 * ```sh
 * deno run -A bench/mpi.ts [--quick] [--json FILE]   # this section alone
 * ```
 *
 * Started by mpirun with `--rank`, this module is the Deno side of one run (rank 0 prints
 * one JSON object).
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { Comm } from "../mpi/mod.ts";
import * as fmt from "./_format.ts";
import { runSection } from "./_util.ts";

/** How much each run does. */
export interface MpiSizes {
  /** Round trips of the 8-byte message per timed run. */
  rounds: number;
  /** Round trips of the 1 MB message per timed run. */
  bigRounds: number;
  /** Timed runs per job. */
  runsPerJob: number;
  /** Jobs of each side, alternated. */
  jobs: number;
}

/** Full sizes. */
export const MPI_FULL: MpiSizes = { rounds: 20_000, bigRounds: 200, runsPerJob: 3, jobs: 4 };
/** Small sizes, for a CI smoke run. */
export const MPI_QUICK: MpiSizes = { rounds: 2_000, bigRounds: 20, runsPerJob: 1, jobs: 2 };

/** One side's numbers: one-way latency (µs) and bandwidth (MB/s, 10⁶ bytes per second). */
export interface MpiSide {
  /** One-way time of 8 bytes, µs. */
  latencyUs: fmt.Summary;
  /** 1 MB one way, MB/s. */
  bandwidthMBs: fmt.Summary;
  /** One-way time of a small structured value, µs. */
  valueLatencyUs: fmt.Summary;
}

/** The section's results. */
export interface MpiResults {
  /** `"full"` or `"quick"`. */
  mode: "full" | "quick";
  /** Ours, or why it could not run. */
  deno: MpiSide | { skipped: string };
  /** mpi4py's, or why it could not run. */
  python: (MpiSide & { mpi4py: string }) | { skipped: string };
}

const BIG = 131_072;
/**
 * Warm-up round trips, in timed runs' worth: V8 reaches its optimized code for the loop only
 * after some 50,000 round trips (the first runs are 2-3× slower), so both sides warm up
 * alike before anything is timed.
 */
const WARM_UP = 3;

/** Seconds per round trip of `buf` between ranks 0 and 1 (the same steps as python_mpi.py). */
async function pingPong(comm: Comm, buf: Float64Array, rounds: number): Promise<number> {
  await comm.barrier();
  const start = comm.Wtime();
  if (comm.rank === 0) {
    for (let i = 0; i < rounds; i++) {
      await comm.Send(buf, { dest: 1, tag: 1 });
      await comm.Recv(buf, { source: 1, tag: 1 });
    }
  } else if (comm.rank === 1) {
    for (let i = 0; i < rounds; i++) {
      await comm.Recv(buf, { source: 0, tag: 1 });
      await comm.Send(buf, { dest: 0, tag: 1 });
    }
  }
  return (comm.Wtime() - start) / rounds;
}

/** Seconds per round trip of a small structured value (`send`/`recv`). */
async function pingPongValue(comm: Comm, rounds: number): Promise<number> {
  let packet: unknown = [0, null, "hello"];
  await comm.barrier();
  const start = comm.Wtime();
  if (comm.rank === 0) {
    for (let i = 0; i < rounds; i++) {
      await comm.send(packet, { dest: 1, tag: 1 });
      packet = await comm.recv({ source: 1, tag: 1 });
    }
  } else if (comm.rank === 1) {
    for (let i = 0; i < rounds; i++) {
      packet = await comm.recv({ source: 0, tag: 1 });
      await comm.send(packet, { dest: 0, tag: 1 });
    }
  }
  return (comm.Wtime() - start) / rounds;
}

/** One run's samples on one side, as the rank program prints them. */
interface RunSamples {
  latencyUs: number[];
  bandwidthMBs: number[];
  valueLatencyUs: number[];
}

/** The rank program: warm up, time `runsPerJob` runs, rank 0 prints the samples as JSON. */
async function rankMain(sizes: MpiSizes): Promise<void> {
  const comm = Comm.world;
  const small = new Float64Array(1);
  const big = new Float64Array(BIG);
  const out: RunSamples = { latencyUs: [], bandwidthMBs: [], valueLatencyUs: [] };
  // One kind after the other, each warmed up first: mixing them slows the small round trips.
  await pingPong(comm, small, WARM_UP * sizes.rounds);
  for (let i = 0; i < sizes.runsPerJob; i++) {
    out.latencyUs.push((await pingPong(comm, small, sizes.rounds)) / 2 * 1e6);
  }
  await pingPong(comm, big, WARM_UP * sizes.bigRounds);
  for (let i = 0; i < sizes.runsPerJob; i++) {
    const seconds = (await pingPong(comm, big, sizes.bigRounds)) / 2;
    out.bandwidthMBs.push(big.byteLength / seconds / 1e6);
  }
  await pingPongValue(comm, WARM_UP * sizes.rounds);
  for (let i = 0; i < sizes.runsPerJob; i++) {
    out.valueLatencyUs.push((await pingPongValue(comm, sizes.rounds)) / 2 * 1e6);
  }
  if (comm.rank === 0) console.log(JSON.stringify(out));
}

/**
 * One `mpirun --allow-run-as-root --oversubscribe -n ranks command …args` job (5 minutes at
 * most): what its ranks printed on stdout, parsed as one JSON value, or why it was skipped.
 *
 * @param ranks How many ranks.
 * @param command The program every rank runs.
 * @param args Its arguments.
 * @returns The parsed output, or `{ skipped }`.
 */
export async function mpirunJob<T>(
  ranks: number,
  command: string,
  args: string[],
): Promise<T | { skipped: string }> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("mpirun", {
      args: ["--allow-run-as-root", "--oversubscribe", "-n", String(ranks), command, ...args],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(300_000),
    }).output();
  } catch (error) {
    return { skipped: `mpirun could not be started: ${String(error)}` };
  }
  const decoder = new TextDecoder();
  if (!output.success) {
    const tail = decoder.decode(output.stderr).trim().split("\n").slice(-3).join(" | ");
    return { skipped: `${command} under mpirun -n ${ranks} failed (${output.code}): ${tail}` };
  }
  return JSON.parse(decoder.decode(output.stdout)) as T;
}

/**
 * Runs both sides, alternating one job of each, `sizes.jobs` times.
 *
 * @param options `quick` for small sizes.
 * @returns The results.
 */
export async function benchMpi(options: { quick: boolean }): Promise<MpiResults> {
  const mode = options.quick ? "quick" : "full";
  const sizes = options.quick ? MPI_QUICK : MPI_FULL;
  const self = fileURLToPath(import.meta.url);
  const script = fileURLToPath(new URL("./python_mpi.py", import.meta.url));
  const sizeArgs = [
    `--rounds=${sizes.rounds}`,
    `--big-rounds=${sizes.bigRounds}`,
    `--runs=${sizes.runsPerJob}`,
  ];
  const deno: RunSamples = { latencyUs: [], bandwidthMBs: [], valueLatencyUs: [] };
  const python: RunSamples = { latencyUs: [], bandwidthMBs: [], valueLatencyUs: [] };
  const add = (to: RunSamples, run: RunSamples) => {
    to.latencyUs.push(...run.latencyUs);
    to.bandwidthMBs.push(...run.bandwidthMBs);
    to.valueLatencyUs.push(...run.valueLatencyUs);
  };
  let denoSkipped: string | undefined, pythonSkipped: string | undefined, mpi4py = "";
  for (let i = 0; i < sizes.jobs; i++) {
    if (denoSkipped === undefined) {
      const run = await mpirunJob<RunSamples>(2, Deno.execPath(), [
        "run",
        "-A",
        self,
        "--rank",
        ...sizeArgs,
      ]);
      if ("skipped" in run) denoSkipped = run.skipped;
      else add(deno, run);
    }
    if (pythonSkipped === undefined) {
      const run = await mpirunJob<RunSamples & { mpi4py: string }>(2, fmt.pythonPath(), [
        script,
        ...sizeArgs,
      ]);
      if ("skipped" in run) pythonSkipped = run.skipped;
      else {
        mpi4py = run.mpi4py;
        add(python, run);
      }
    }
  }
  const side = (s: RunSamples): MpiSide => ({
    latencyUs: fmt.summarize(s.latencyUs),
    bandwidthMBs: best(fmt.summarize(s.bandwidthMBs)),
    valueLatencyUs: fmt.summarize(s.valueLatencyUs),
  });
  return {
    mode,
    deno: denoSkipped !== undefined ? { skipped: denoSkipped } : side(deno),
    python: pythonSkipped !== undefined ? { skipped: pythonSkipped } : { mpi4py, ...side(python) },
  };
}

/** For a rate, the best sample is the largest. */
function best(s: fmt.Summary): fmt.Summary {
  return { ...s, best: Math.max(...s.samples) };
}

const mbs = (value: number) => `${value.toFixed(0)} MB/s`;

/** The targets: 8-byte latency at most mpi4py's, 1 MB bandwidth at least 90 % of mpi4py's. */
const LATENCY_RATIO = 1;
const BANDWIDTH_SHARE = 0.9;

/**
 * The section's targets, each with what was measured and whether it was met (a single row
 * saying why when a side was skipped).
 *
 * @param r The results.
 * @returns The rows.
 */
export function mpiTargets(r: MpiResults): fmt.TargetRow[] {
  if ("skipped" in r.deno) {
    return [fmt.targetRow("MPI, 2 ranks", `skipped: ${r.deno.skipped}`, null)];
  }
  const d = r.deno;
  if ("skipped" in r.python) {
    return [
      fmt.targetRow(
        "8-byte latency (one way) ≤ mpi4py's",
        `${fmt.us(d.latencyUs.median)}; mpi4py skipped`,
        null,
      ),
      fmt.targetRow(
        "1 MB bandwidth ≥ 90 % of mpi4py's",
        `${mbs(d.bandwidthMBs.median)}; mpi4py skipped`,
        null,
      ),
    ];
  }
  const p = r.python;
  const lat = d.latencyUs.median / p.latencyUs.median;
  const bw = d.bandwidthMBs.median / p.bandwidthMBs.median;
  return [
    fmt.targetRow(
      "8-byte latency (one way) ≤ mpi4py's, mpirun -n 2",
      `${lat.toFixed(2)}× (${fmt.us(d.latencyUs.median)} vs ${fmt.us(p.latencyUs.median)})`,
      lat <= LATENCY_RATIO,
    ),
    fmt.targetRow(
      "1 MB bandwidth ≥ 90 % of mpi4py's, mpirun -n 2",
      `${(bw * 100).toFixed(0)} % (${mbs(d.bandwidthMBs.median)} vs ${mbs(p.bandwidthMBs.median)})`,
      bw >= BANDWIDTH_SHARE,
    ),
    fmt.targetRow(
      "small value, send/recv (one way): ours vs mpi4py's pickled API",
      `${(d.valueLatencyUs.median / p.valueLatencyUs.median).toFixed(2)}× (` +
        `${fmt.us(d.valueLatencyUs.median)} vs ${fmt.us(p.valueLatencyUs.median)})`,
      null,
    ),
  ];
}

/**
 * The section as Markdown.
 *
 * @param r The results.
 * @returns The text.
 */
export function formatMpi(r: MpiResults): string {
  const lines = [`### MPI: Comm vs mpi4py, buffer API, mpirun -n 2 (${r.mode})`, ""];
  if ("skipped" in r.deno) return [...lines, `Skipped: ${r.deno.skipped}`].join("\n");
  const d = r.deno;
  const rows = [["", "Comm (Deno)", "mpi4py", "ratio", "target"]];
  if ("skipped" in r.python) {
    rows.push(["8-byte latency (one way)", fmt.medBest(d.latencyUs, fmt.us), "—", "", ""]);
    rows.push(["1 MB bandwidth", fmt.medBest(d.bandwidthMBs, mbs), "—", "", ""]);
    rows.push(["small value (send/recv)", fmt.medBest(d.valueLatencyUs, fmt.us), "—", "", ""]);
    lines.push(fmt.table(rows), "", `mpi4py skipped: ${r.python.skipped}`);
    return lines.join("\n");
  }
  const p = r.python;
  const lat = d.latencyUs.median / p.latencyUs.median;
  const bw = d.bandwidthMBs.median / p.bandwidthMBs.median;
  rows.push([
    "8-byte latency (one way)",
    fmt.medBest(d.latencyUs, fmt.us),
    fmt.medBest(p.latencyUs, fmt.us),
    `${lat.toFixed(2)}× mpi4py's time`,
    `≤ 1× ${fmt.check(lat <= LATENCY_RATIO)}`,
  ]);
  rows.push([
    "1 MB bandwidth",
    fmt.medBest(d.bandwidthMBs, mbs),
    fmt.medBest(p.bandwidthMBs, mbs),
    `${(bw * 100).toFixed(0)} % of mpi4py's`,
    `≥ 90 % ${fmt.check(bw >= BANDWIDTH_SHARE)}`,
  ]);
  rows.push([
    "small value, send/recv (one way)",
    fmt.medBest(d.valueLatencyUs, fmt.us),
    fmt.medBest(p.valueLatencyUs, fmt.us),
    `${(d.valueLatencyUs.median / p.valueLatencyUs.median).toFixed(2)}× mpi4py's time`,
    "—",
  ]);
  lines.push(fmt.table(rows), "", `mpi4py ${p.mpi4py}; medians (best); ratios of medians.`);
  return lines.join("\n");
}

if (import.meta.main) {
  // `deno run -A bench/mpi.ts [--quick] [--json FILE]`: this section alone; mpirun starts each
  // rank of a run with `--rank`.
  await runSection(Deno.args, {
    name: "MPI",
    python: `mpirun -n 2 ${fmt.pythonPath()} bench/python_mpi.py`,
    run: benchMpi,
    format: formatMpi,
  }, {
    options: ["rounds", "big-rounds", "runs"],
    run: (values) =>
      rankMain({
        rounds: Number(values.rounds ?? MPI_FULL.rounds),
        bigRounds: Number(values["big-rounds"] ?? MPI_FULL.bigRounds),
        runsPerJob: Number(values.runs ?? MPI_FULL.runsPerJob),
        jobs: 1,
      }),
  });
}
