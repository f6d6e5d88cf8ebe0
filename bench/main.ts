/**
 * `deno task bench`: the pool's speed, measured side by side with Python's
 * `multiprocessing.Pool` in one run (absolute times wander on a shared VM; ratios taken in
 * the same run are what to compare).
 *
 * 1. Monte Carlo Pi (tutorials 003/004): `hitCount` over 2e7 trials, serial on the main
 *    thread vs `Pool(2)` with one part per worker, pool start included and excluded.
 * 2. A trivial function, `x ** 10` over 100,000 inputs: `xs.map` vs `pool.map` (default
 *    chunksize) on a warm pool, median and best of several runs.
 * 3. Start-up: `new Pool(2)` to the first `apply` answered, median of several fresh pools.
 * 4. The sequential `apply` round trip: one call after another, per call.
 * 5. The same workloads in Python (`bench/python_pool.py`, fork start method) when
 *    `/usr/bin/python3` exists, and the ratios "ours vs Python".
 * 6. Synchronisation (`bench/sync.ts`, with `bench/python_sync.py`): uncontended `Lock` and
 *    `RLock`, locked increments of a shared `Value`, `Event` wake-ups and hand-offs, each
 *    beside Python's `multiprocessing` and checked against its target.
 * 7. Message passing (`bench/ipc.ts`, with `bench/python_ipc.py`): tutorial 003's exercise (a
 *    packet sent back and forth) over a `Pipe` and over `Queue`s, 100 and 10,000 round trips;
 *    `Queue` throughput between two workers; a 10 MB message; beside Python's `multiprocessing`
 *    and checked against issue 4's targets.
 * 8. joblib `Parallel` (`bench/parallel.ts`, with `bench/python_parallel.py`): 10,000 trivial
 *    delayed calls on 2 workers, first call and reused, beside joblib; targets ≤ 1/5 of joblib's
 *    time for a first call, ≤ 0.15× for a reused one.
 * 9. The speedup sweep (`bench/speedup.ts`): Pi on warm pools of 1…4 workers.
 * 10. Peers (`bench/peers.ts`, with `bench/peers/run_peer.mjs` on `node`): piscina, tinypool and
 *    workerpool through the same workloads as our `Pool`.
 * 11. Scale on paper (`bench/scale.ts`): the calls per second one main thread hands out with 8,
 *    16 and 64 workers, and the main thread's time blocked by `new Pool(64)`.
 * 12. MPI (`bench/mpi.ts`, with `bench/python_mpi.py`): `Comm` beside mpi4py under `mpirun -n 2`;
 *    and `MpiPool`'s π over 1 and 2 ranks (`bench/mpi_pool.ts`); skipped with a note without
 *    `mpirun`.
 *
 * Then the scoreboard (`bench/_scoreboard.ts`): a table per section (pool, start-up, sync, ipc,
 * parallel, peers, scale, mpi), each row a target, what was measured and whether it was met.
 * Every run writes `bench/results.json` and the chart `bench/results.svg` (`bench/_chart.ts`),
 * both gitignored.
 *
 * ```sh
 * deno task bench                    # full sizes
 * deno task bench --quick            # small sizes, for CI smoke runs
 * deno task bench --json out.json    # also write the results as JSON to out.json
 * ```
 *
 * Task functions cross into the workers by reference: they are exported here, and the
 * workers import this module, so the program itself runs only under `import.meta.main`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { cpuCount, Pool } from "../mod.ts";
import { fileURLToPath } from "node:url";
import * as fmt from "./_format.ts";
import { SECTION_OPTIONS, SEQUENTIAL_WARMUP } from "./_util.ts";
import { renderSvg, scoreboardSpec } from "./_chart.ts";
import { formatScoreboard, poolTargets, scoreboard, type ScoreSection } from "./_scoreboard.ts";
import { benchIpc, formatIpc, type IpcResults } from "./ipc.ts";
import { benchBigArray, type BigArrayResults, bigArrayTargets } from "./big_array.ts";
import { benchMpi, formatMpi, type MpiResults } from "./mpi.ts";
import { benchMpiPool, formatMpiPool, type MpiPoolResults } from "./mpi_pool.ts";
import { benchParallel, formatParallel, type ParallelResults } from "./parallel.ts";
import { benchPeers, formatPeers, type PeersResults } from "./peers.ts";
import { hitCount, split, sum } from "./pi.ts";
import { piStartIncluded, power10, startToFirstResult } from "./_start_jobs.ts";
import { benchScale, formatScale, type ScaleResults } from "./scale.ts";
import { benchSpeedup, formatSpeedup, type SpeedupResults } from "./speedup.ts";
import { benchSync, formatSync, type SyncResults } from "./sync.ts";

export type { Summary } from "./_format.ts";

/** The Monte Carlo kernel, re-exported so that the workers find it here by reference. */
export { hitCount };

/** The trivial task of the overhead benchmark (`x ** 10`), exported for this module's pools. */
export { power10 };

/** How much work each benchmark does. */
export interface BenchSizes {
  /** Monte Carlo trials in total, split into one part per worker. */
  trials: number;
  /** Runs of each Pi variant in Deno (fresh pools for "start included"). */
  piRepeats: number;
  /** Runs of each Pi variant in Python (pure Python is slow: keep it low). */
  pythonPiRepeats: number;
  /** Inputs of the trivial map. */
  mapSize: number;
  /** Runs of the trivial map, serial and pooled, on a warm pool. */
  repeats: number;
  /** Fresh pools timed from start to first result. */
  starts: number;
  /** Sequential `apply` calls timed. */
  applies: number;
  /** Pool size. */
  workers: number;
}

/** Full sizes, for `deno task bench`. */
export const FULL_SIZES: BenchSizes = {
  trials: 20_000_000,
  piRepeats: 5,
  pythonPiRepeats: 3,
  mapSize: 100_000,
  repeats: 9,
  starts: 9,
  applies: 2_000,
  workers: 2,
};

/** Small sizes, for `deno task bench --quick` (a CI smoke run). */
export const QUICK_SIZES: BenchSizes = {
  trials: 2_000_000,
  piRepeats: 1,
  pythonPiRepeats: 1,
  mapSize: 20_000,
  repeats: 3,
  starts: 3,
  applies: 200,
  workers: 2,
};

/** What one side (Deno or Python) measured. Pi in seconds, the rest in milliseconds. */
export interface SideResults {
  /** Monte Carlo Pi. */
  pi: {
    trials: number;
    estimate: number;
    serialS: fmt.Summary;
    poolIncludedS: fmt.Summary;
    poolExcludedS: fmt.Summary;
  };
  /** The trivial map. */
  trivialMap: { n: number; serialMs: fmt.Summary; poolMs: fmt.Summary };
  /** `new Pool(2)` to the first result, with a function sent by reference. */
  startMs: fmt.Summary;
  /** The sequential `apply` round trip. */
  apply: { calls: number; perCallUs: number };
}

/**
 * What Deno measured, with Pi on bare Web Workers (for reference) and a start-up
 * figure for a function sent by value too.
 */
export interface DenoResults extends SideResults {
  /** Monte Carlo Pi, and the same work on warm bare Web Workers (no library), for reference. */
  pi: SideResults["pi"] & { bareWorkersS: fmt.Summary };
  /** `new Pool(2)` to the first result, with a self-contained arrow sent by value. */
  startByValueMs: fmt.Summary;
}

/** What Python measured, and which Python. */
export interface PythonResults extends SideResults {
  /** Python's version. */
  python: string;
  /** The start method used. */
  startMethod: string;
}

/** Everything `--json` writes. */
export interface BenchReport {
  /** When the run started (ISO 8601). */
  date: string;
  /** Deno's, V8's and TypeScript's versions. */
  runtime: typeof Deno.version;
  /** Logical processors. */
  cpuCount: number;
  /** The 1-minute load average at the start and at the end of the run (absent from older ones). */
  loadAverage?: { start: number; end: number };
  /** `"full"` or `"quick"`. */
  mode: "full" | "quick";
  /** The sizes used. */
  sizes: BenchSizes;
  /** Our timings. */
  ours: DenoResults;
  /** Python's timings, or why there are none. */
  python: PythonResults | { skipped: string };
  /** The synchronisation section, both sides (absent from reports of older versions). */
  sync?: SyncResults;
  /** The message-passing section, both sides (absent from reports of older versions). */
  ipc?: IpcResults;
  /** The joblib Parallel section, both sides (absent from reports of older versions). */
  parallel?: ParallelResults;
  /** 100 MB through shared memory to a worker (absent from reports of older versions). */
  bigArray?: BigArrayResults;
  /** Pi on warm pools of 1…4 workers (absent from reports of older versions). */
  speedup?: SpeedupResults;
  /** Ours beside piscina, tinypool and workerpool (absent from reports of older versions). */
  peers?: PeersResults;
  /** The dispatch rate with 8, 16, 64 workers, and `new Pool(64)` (absent from older ones). */
  scale?: ScaleResults;
  /** `Comm` beside mpi4py (absent from reports of older versions). */
  mpi?: MpiResults | { skipped: string };
  /** `MpiPool`'s π over 1 and 2 ranks (absent from reports of older versions). */
  mpiPool?: MpiPoolResults;
  /** One table per section: each target, what was measured, whether it was met. */
  scoreboard?: ScoreSection[];
}

/**
 * Web Workers without the library, each running `hitCount` on the number it is sent: what
 * any pool could reach on this machine at this moment, for reference.
 */
class BareWorkers {
  readonly #workers: Worker[];
  readonly #url: string;

  constructor(count: number) {
    const source = `const hitCount = ${hitCount.toString()};\n` +
      `self.onmessage = (event) => self.postMessage(hitCount(event.data));\n`;
    this.#url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    this.#workers = Array.from({ length: count }, () => new Worker(this.#url, { type: "module" }));
  }

  /** Sends `parts[i]` to worker `i`, resolves with every answer. */
  run(parts: number[]): Promise<number[]> {
    return Promise.all(parts.map((n, i) => {
      const worker = this.#workers[i]!;
      return new Promise<number>((resolve, reject) => {
        worker.onmessage = (event: MessageEvent<number>) => resolve(event.data);
        worker.onerror = (event) => {
          event.preventDefault();
          reject(event.error ?? new Error(event.message));
        };
        worker.postMessage(n);
      });
    }));
  }

  [Symbol.dispose](): void {
    for (const worker of this.#workers) worker.terminate();
    URL.revokeObjectURL(this.#url);
  }
}

async function benchPi(sizes: BenchSizes): Promise<DenoResults["pi"]> {
  const { trials, workers, piRepeats } = sizes;
  const parts = split(trials, workers);
  const serial: number[] = [];
  const included: number[] = [];
  const excluded: number[] = [];
  const bareS: number[] = [];
  let hits = 0;
  using bare = new BareWorkers(workers);
  await bare.run(new Array(workers).fill(1));
  await using warm = new Pool(workers);
  // Every worker has started and resolved hitCount: "start excluded" times the work alone.
  await warm.map(hitCount, new Array(workers).fill(1), 1);
  // The variants take turns, so that a noisy neighbour slows them alike.
  for (let r = 0; r < piRepeats; r++) {
    let t0 = performance.now();
    hits = hitCount(trials);
    serial.push((performance.now() - t0) / 1e3);

    t0 = performance.now();
    hits = sum(await bare.run(parts));
    bareS.push((performance.now() - t0) / 1e3);

    t0 = performance.now();
    hits = sum(await warm.map(hitCount, parts));
    excluded.push((performance.now() - t0) / 1e3);

    const fresh = await piStartIncluded(workers, parts);
    hits = fresh.hits;
    included.push(fresh.seconds);
  }
  return {
    trials,
    estimate: (4 * hits) / trials,
    serialS: fmt.summarize(serial),
    poolIncludedS: fmt.summarize(included),
    poolExcludedS: fmt.summarize(excluded),
    bareWorkersS: fmt.summarize(bareS),
  };
}

async function benchTrivialMap(sizes: BenchSizes): Promise<DenoResults["trivialMap"]> {
  const xs = Array.from({ length: sizes.mapSize }, (_, i) => i);
  const serial: number[] = [];
  const pooled: number[] = [];
  await using pool = new Pool(sizes.workers);
  const expected = xs.map(power10);
  const warm = await pool.map(power10, xs);
  if (warm.length !== expected.length || warm.some((y, i) => y !== expected[i])) {
    throw new Error("pool.map(power10) disagrees with xs.map(power10)");
  }
  for (let r = 0; r < sizes.repeats; r++) {
    let t0 = performance.now();
    xs.map(power10);
    serial.push(performance.now() - t0);
    t0 = performance.now();
    await pool.map(power10, xs);
    pooled.push(performance.now() - t0);
  }
  return { n: sizes.mapSize, serialMs: fmt.summarize(serial), poolMs: fmt.summarize(pooled) };
}

async function benchStart(sizes: BenchSizes, byValue: boolean): Promise<fmt.Summary> {
  const samples: number[] = [];
  for (let r = 0; r < sizes.starts; r++) {
    samples.push(await startToFirstResult(sizes.workers, byValue));
  }
  return fmt.summarize(samples);
}

/** The rounds the sequential apply row is timed in (on both sides). */
const APPLY_ROUNDS = 5;

async function benchApply(sizes: BenchSizes): Promise<DenoResults["apply"]> {
  await using pool = new Pool(sizes.workers);
  // Warm: the JIT has compiled the whole path before the timed calls (as for Python).
  for (let i = 0; i < SEQUENTIAL_WARMUP; i++) await pool.apply(power10, [i]);
  // Timed in rounds, the median per call reported (a neighbour's burst spoils a round, not the
  // row), as the Python side does.
  const perRound = Math.max(1, Math.floor(sizes.applies / APPLY_ROUNDS));
  const rounds: number[] = [];
  for (let r = 0; r < APPLY_ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < perRound; i++) await pool.apply(power10, [i]);
    rounds.push(((performance.now() - t0) / perRound) * 1e3);
  }
  return { calls: perRound * APPLY_ROUNDS, perCallUs: fmt.summarize(rounds).median };
}

/**
 * Runs every Deno benchmark, one after another.
 *
 * @param sizes How much work to do.
 * @returns The timings.
 */
export async function benchDeno(sizes: BenchSizes): Promise<DenoResults> {
  const pi = await benchPi(sizes);
  const trivialMap = await benchTrivialMap(sizes);
  const startMs = await benchStart(sizes, false);
  const startByValueMs = await benchStart(sizes, true);
  const apply = await benchApply(sizes);
  return { pi, trivialMap, startMs, startByValueMs, apply };
}

/**
 * Runs `bench/python_pool.py` with the same sizes.
 *
 * @param sizes How much work to do.
 * @returns Python's timings, or `{ skipped }` with the reason when it cannot run.
 */
export function benchPython(sizes: BenchSizes): Promise<PythonResults | { skipped: string }> {
  return fmt.runPythonJson<PythonResults>("python_pool.py", [
    `--trials=${sizes.trials}`,
    `--pi-repeats=${sizes.pythonPiRepeats}`,
    `--apply-rounds=${APPLY_ROUNDS}`,
    `--map-size=${sizes.mapSize}`,
    `--repeats=${sizes.repeats}`,
    `--starts=${sizes.starts}`,
    `--applies=${sizes.applies}`,
    `--workers=${sizes.workers}`,
  ]);
}

/**
 * The report as text: one table of both sides, then the ratios and targets; then the same for
 * synchronisation and for message passing, when the report has them.
 *
 * @param report The results.
 * @returns Lines ready to print.
 */
export function formatReport(report: BenchReport): string {
  const ours = report.ours;
  const py = "skipped" in report.python ? undefined : report.python;
  const w = report.sizes.workers;
  const toMs = (s: fmt.Summary): fmt.Summary => ({
    median: s.median * 1e3,
    best: s.best * 1e3,
    samples: s.samples.map((v) => v * 1e3),
  });
  const speedup = (side: SideResults, key: "poolIncludedS" | "poolExcludedS") =>
    side.pi.serialS.median / side.pi[key].median;
  const pyCell = (f: (p: PythonResults) => string) => (py === undefined ? "—" : f(py));

  const trials = report.sizes.trials.toExponential(0).replace("+", "");
  const n = report.sizes.mapSize.toLocaleString("en-US");
  const rows: string[][] = [
    ["benchmark", "ours (Deno workers)", "Python multiprocessing (fork)"],
    [
      `Pi ${trials} trials: serial (main thread)`,
      fmt.medBest(toMs(ours.pi.serialS)),
      pyCell((p) => fmt.medBest(toMs(p.pi.serialS))),
    ],
    [
      `Pi: Pool(${w}), start included`,
      fmt.medBest(toMs(ours.pi.poolIncludedS)),
      pyCell((p) => fmt.medBest(toMs(p.pi.poolIncludedS))),
    ],
    [
      `Pi: Pool(${w}), start excluded`,
      fmt.medBest(toMs(ours.pi.poolExcludedS)),
      pyCell((p) => fmt.medBest(toMs(p.pi.poolExcludedS))),
    ],
    [
      `Pi: ${w} bare Web Workers, no library`,
      fmt.medBest(toMs(ours.pi.bareWorkersS)),
      "—",
    ],
    [
      `Pi: speedup, start included`,
      `×${speedup(ours, "poolIncludedS").toFixed(2)}`,
      pyCell((p) => `×${speedup(p, "poolIncludedS").toFixed(2)}`),
    ],
    [
      `Pi: speedup, start excluded`,
      `×${speedup(ours, "poolExcludedS").toFixed(2)}`,
      pyCell((p) => `×${speedup(p, "poolExcludedS").toFixed(2)}`),
    ],
    [
      `Pi: speedup, bare Web Workers`,
      `×${(ours.pi.serialS.median / ours.pi.bareWorkersS.median).toFixed(2)}`,
      "—",
    ],
    [
      `Pi: estimate`,
      ours.pi.estimate.toFixed(6),
      pyCell((p) => p.pi.estimate.toFixed(6)),
    ],
    [
      `x ** 10 over ${n}: serial map`,
      fmt.medBest(ours.trivialMap.serialMs),
      pyCell((p) => fmt.medBest(p.trivialMap.serialMs)),
    ],
    [
      `x ** 10 over ${n}: Pool(${w}).map`,
      fmt.medBest(ours.trivialMap.poolMs),
      pyCell((p) => fmt.medBest(p.trivialMap.poolMs)),
    ],
    [
      `start: Pool(${w}) to 1st apply (by reference)`,
      fmt.medBest(ours.startMs),
      pyCell((p) => fmt.medBest(p.startMs)),
    ],
    [`start: Pool(${w}) to 1st apply (by value)`, fmt.medBest(ours.startByValueMs), "—"],
    [
      `sequential apply × ${
        ours.apply.calls.toLocaleString("en-US")
      }, per call (median of ${APPLY_ROUNDS} rounds)`,
      fmt.us(ours.apply.perCallUs),
      pyCell((p) => fmt.us(p.apply.perCallUs)),
    ],
  ];

  const lines: string[] = [];
  lines.push(
    `@workers/multiprocessing bench (${report.mode}): Deno ${report.runtime.deno}, V8 ` +
      `${report.runtime.v8}, ${report.cpuCount} CPUs` +
      (py === undefined ? "" : `; Python ${py.python} (${py.startMethod})`),
  );
  lines.push(
    `Times are "median (best)" of ${report.sizes.piRepeats} Pi run(s)` +
      (py === undefined ? "" : ` (Python: ${report.sizes.pythonPiRepeats})`) +
      `, ${report.sizes.repeats} map runs, ` +
      `${report.sizes.starts} fresh pools.`,
  );
  lines.push("");
  lines.push(fmt.table(py === undefined ? rows.map((row) => row.slice(0, 2)) : rows));
  lines.push("");

  lines.push(fmt.targetTable(poolTargets(report)));
  lines.push("");

  if (py === undefined) {
    lines.push(`Python: skipped (${(report.python as { skipped: string }).skipped}).`);
  } else {
    lines.push("Ours vs Python (medians):");
    const pairs: fmt.Ratio[] = [
      [
        `Pi, Pool(${w}) start included`,
        ours.pi.poolIncludedS.median * 1e3,
        py.pi.poolIncludedS.median * 1e3,
        fmt.ms,
      ],
      [
        `Pi, Pool(${w}) start excluded`,
        ours.pi.poolExcludedS.median * 1e3,
        py.pi.poolExcludedS.median * 1e3,
        fmt.ms,
      ],
      [`Pi, serial`, ours.pi.serialS.median * 1e3, py.pi.serialS.median * 1e3, fmt.ms],
      [
        `trivial map, serial`,
        ours.trivialMap.serialMs.median,
        py.trivialMap.serialMs.median,
        fmt.ms,
      ],
      [
        `trivial map, Pool(${w}).map`,
        ours.trivialMap.poolMs.median,
        py.trivialMap.poolMs.median,
        fmt.ms,
      ],
      [`start to first result`, ours.startMs.median, py.startMs.median, fmt.ms],
      [`sequential apply round trip`, ours.apply.perCallUs, py.apply.perCallUs, fmt.us],
    ];
    lines.push(...fmt.ratioLines(pairs));
  }
  if (report.sync !== undefined) {
    lines.push("");
    lines.push(formatSync(report.sync));
  }
  if (report.ipc !== undefined) {
    lines.push("");
    lines.push(formatIpc(report.ipc));
  }
  if (report.bigArray !== undefined) {
    lines.push("", fmt.targetTable(bigArrayTargets(report.bigArray)));
  }
  if (report.parallel !== undefined) {
    lines.push("");
    lines.push(formatParallel(report.parallel));
  }
  if (report.speedup !== undefined) lines.push("", formatSpeedup(report.speedup));
  if (report.peers !== undefined) lines.push("", formatPeers(report.peers));
  if (report.scale !== undefined) lines.push("", formatScale(report.scale));
  if (report.mpi !== undefined) {
    lines.push(
      "",
      "skipped" in report.mpi ? `MPI: skipped (${report.mpi.skipped}).` : formatMpi(report.mpi),
    );
  }
  if (report.mpiPool !== undefined) lines.push("", formatMpiPool(report.mpiPool));
  if (report.scoreboard !== undefined) {
    lines.push("", formatScoreboard(report.scoreboard));
    if (report.loadAverage !== undefined) {
      lines.push(
        `Load average (1 min) ${report.loadAverage.start.toFixed(2)} at the start, ` +
          `${report.loadAverage.end.toFixed(2)} at the end, on ${report.cpuCount} CPUs.`,
      );
    }
  }
  return lines.join("\n");
}

const USAGE = `Usage: deno task bench [--quick] [--json FILE]

  --quick       small sizes (a CI smoke run)
  --json FILE   also write the results to FILE as JSON
  -h, --help    show this help

Always writes bench/results.json and bench/results.svg (the chart). The Python side runs
/usr/bin/python3 (or $BENCH_PYTHON) when it exists; the Node peers (piscina, tinypool,
workerpool) run on the machine's node, installed into bench/peers/node_modules the first time;
the MPI section runs under mpirun. Each is skipped with a note when it cannot run.`;

/** Where every run writes its results (gitignored: regenerated by each run). */
const RESULTS_JSON = fileURLToPath(new URL("./results.json", import.meta.url));
/** Where every run draws its chart (gitignored). */
const RESULTS_SVG = fileURLToPath(new URL("./results.svg", import.meta.url));

/** Whether `mpirun` can be started: `undefined`, or why not. */
async function mpirunMissing(): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("mpirun", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success ? undefined : `mpirun --version failed (exit ${out.code})`;
  } catch (error) {
    return `no mpirun (${(error as Error).message}); install openmpi-bin, libopenmpi-dev and ` +
      `python3-mpi4py`;
  }
}

/**
 * The command line: parses the flags, runs both sides, prints the report.
 *
 * @param argv The arguments, e.g. `Deno.args`.
 * @returns The process exit code.
 */
export async function main(argv: string[]): Promise<number> {
  let values: { quick: boolean; json?: string | undefined; help: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { ...SECTION_OPTIONS, help: { type: "boolean", short: "h", default: false } },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const mode = values.quick ? "quick" : "full";
  const sizes = values.quick ? QUICK_SIZES : FULL_SIZES;
  const date = new Date().toISOString();
  const loadStart = Deno.loadavg()[0] ?? NaN;
  console.error(`Running the Deno benchmarks (${mode})…`);
  const ours = await benchDeno(sizes);
  console.error(`Running the Python benchmarks (${fmt.pythonPath()} bench/python_pool.py)…`);
  const python = await benchPython(sizes);
  console.error(
    `Running the synchronisation benchmarks (${mode}; Python: ${fmt.pythonPath()} ` +
      `bench/python_sync.py)…`,
  );
  const sync = await benchSync({ quick: values.quick });
  console.error(
    `Running the message-passing benchmarks (${mode}; Python: ${fmt.pythonPath()} ` +
      `bench/python_ipc.py)…`,
  );
  const ipc = await benchIpc({ quick: values.quick });
  console.error(`Running the 100 MB shared array (${mode})…`);
  const bigArray = await benchBigArray({ quick: values.quick });
  console.error(
    `Running the joblib Parallel benchmarks (${mode}; Python: ${fmt.pythonPath()} ` +
      `bench/python_parallel.py)…`,
  );
  const parallel = await benchParallel({ quick: values.quick });
  console.error(`Running the speedup sweep (${mode}; Pi on Pool(1…4))…`);
  const speedup = await benchSpeedup({ quick: values.quick });
  console.error(`Running the peers (${mode}; node bench/peers/run_peer.mjs)…`);
  const peers = await benchPeers({ quick: values.quick });
  console.error(`Running the scale benchmarks (${mode}; 8, 16, 64 workers)…`);
  const scale = await benchScale({ quick: values.quick });
  const noMpi = await mpirunMissing();
  console.error(
    noMpi === undefined ? `Running the MPI benchmarks (${mode}; mpirun -n 2)…` : `MPI: ${noMpi}`,
  );
  const mpi = noMpi === undefined ? await benchMpi({ quick: values.quick }) : { skipped: noMpi };
  const mpiPool = noMpi === undefined ? await benchMpiPool({ quick: values.quick }) : undefined;
  const report: BenchReport = {
    date,
    runtime: Deno.version,
    cpuCount: cpuCount(),
    mode,
    sizes,
    ours,
    python,
    sync,
    ipc,
    bigArray,
    parallel,
    speedup,
    peers,
    scale,
    mpi,
    ...(mpiPool === undefined ? {} : { mpiPool }),
  };
  report.loadAverage = { start: loadStart, end: Deno.loadavg()[0] ?? NaN };
  report.scoreboard = scoreboard(report);
  console.log(formatReport(report));
  const json = JSON.stringify(report, null, 2) + "\n";
  const files = [RESULTS_JSON, ...(values.json === undefined ? [] : [values.json])];
  for (const file of files) await Deno.writeTextFile(file, json);
  await Deno.writeTextFile(
    RESULTS_SVG,
    await renderSvg(scoreboardSpec(speedup, peers, report.cpuCount)),
  );
  console.log(`\nResults written to ${files.join(" and ")}; the chart to ${RESULTS_SVG}`);
  return 0;
}

if (import.meta.main) {
  Deno.exitCode = await main(Deno.args);
}
