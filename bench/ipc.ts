/**
 * The "Message passing" section of `deno task bench`: issue 4's speed targets for `ipc/`,
 * measured side by side with Python's `multiprocessing` (`bench/python_ipc.py`) in one run,
 * since absolute times wander on a shared VM.
 *
 * 1. Tutorial 003's exercise, "two processes send packets of information back and forth":
 *    the packet is the tutorial's `[i, null, "hello"]`, echoed back, for 100 and for 10,000
 *    round trips (median and best of several runs, after warm-up round trips), over a `Pipe`
 *    between two workers, over a `Pipe` between the main program (`await recv()`) and a
 *    worker, and over two `Queue`s between two workers; beside a raw spinning ping-pong over
 *    two `Int32Array` cells without the library, taken in the same rounds (the floor of any
 *    hand-off on this machine, ~0.3 µs, and the sign of whether both workers had a core). For
 *    the worker runs, what the mean is made of: the typical (median) round trip, the share of
 *    round trips slower than 50 µs (a side that slept and was woken, or lost its core) and of
 *    the time they took, and the process's CPU time over wall time (2: both workers busy).
 * 2. `Queue` throughput between two workers: 1,000,000 small ints, then as many small objects
 *    `{ id: i, name: "x" }`, from the producer's first `putSync` to the consumer's last
 *    `getSync`; and a worker producing for the main program's `await q.get()`.
 * 3. A large message: a 10 MB `Float64Array` through a `Pipe` from one worker to another, in
 *    MB/s, beside a plain copy of as many bytes in a worker.
 *
 * Every message is checked on arrival (its order, and nothing lost or left over): a wrong one
 * fails the run with a description instead of being timed.
 *
 * Task functions cross into the workers by reference: they live in `bench/ipc_tasks.ts`, which
 * the workers import (it imports only the library); this module is the driver and the report,
 * and runs its program only under `import.meta.main`
 * (`deno run -A bench/ipc.ts [--quick] [--json FILE]`: this section alone).
 *
 * @module
 */

import { Barrier, Pipe, Pool, Queue } from "../mod.ts";
import * as fmt from "./_format.ts";
import {
  consume,
  copyRate,
  meet,
  type Packet,
  pipePingPong,
  produce,
  queuePingPong,
  recvBig,
  sendBig,
  SLOW_TRIP_US,
  type TripStats,
  WAIT,
} from "./ipc_tasks.ts";
import { rawSpinPingPong } from "./_raw_spin.ts";
import { describeGot, processCpuMs, runSection, stamp } from "./_util.ts";

/** How much work each message-passing benchmark does. */
export interface IpcSizes {
  /** The short ping-pong: round trips per run (the tutorial's 100). */
  shortTrips: number;
  /** Runs of the short ping-pong. */
  shortRepeats: number;
  /** The long ping-pong: round trips per run (the target's 10,000). */
  longTrips: number;
  /** Runs of the long ping-pong. */
  longRepeats: number;
  /** Untimed round trips before each timed run (both sides warm and running). */
  warmTrips: number;
  /** Small messages per throughput run. */
  messages: number;
  /** Throughput runs of each kind. */
  throughputRepeats: number;
  /** Bytes of the large message (a `Float64Array`). */
  bigBytes: number;
  /** Runs of the large message. */
  bigRepeats: number;
  /** Python: runs of the short ping-pong. */
  pythonShortRepeats: number;
  /** Python: runs of the long ping-pong. */
  pythonLongRepeats: number;
  /** Python: small messages per throughput run. */
  pythonMessages: number;
  /** Python: throughput runs of each kind. */
  pythonThroughputRepeats: number;
  /** Python: runs of the large message. */
  pythonBigRepeats: number;
}

/** Full sizes, for `deno task bench`. */
export const IPC_FULL: IpcSizes = {
  shortTrips: 100,
  shortRepeats: 15,
  longTrips: 10_000,
  longRepeats: 7,
  warmTrips: 1_000,
  messages: 1_000_000,
  throughputRepeats: 5,
  bigBytes: 10 * 2 ** 20,
  bigRepeats: 7,
  pythonShortRepeats: 15,
  pythonLongRepeats: 3,
  pythonMessages: 1_000_000,
  pythonThroughputRepeats: 2,
  pythonBigRepeats: 5,
};

/** Small sizes, for `deno task bench --quick` (a CI smoke run). */
export const IPC_QUICK: IpcSizes = {
  shortTrips: 100,
  shortRepeats: 5,
  longTrips: 2_000,
  longRepeats: 3,
  warmTrips: 300,
  messages: 100_000,
  throughputRepeats: 2,
  bigBytes: 10 * 2 ** 20,
  bigRepeats: 2,
  pythonShortRepeats: 5,
  pythonLongRepeats: 1,
  pythonMessages: 100_000,
  pythonThroughputRepeats: 1,
  pythonBigRepeats: 2,
};

/** One ping-pong variant at one length: µs per round trip, one sample per run. */
export interface PingPongRuns {
  /** Round trips per run. */
  trips: number;
  /** µs per round trip. */
  perTripUs: fmt.Summary;
}

/** A ping-pong between two workers, with what tells whether both ran at once. */
export interface BusyPingPongRuns extends PingPongRuns {
  /** The median round trip within each run, µs: what a trip costs when nothing intervenes. */
  typicalUs: fmt.Summary;
  /**
   * The share of each run's round trips slower than {@linkcode SLOW_TRIP_US}: a side slept and
   * was woken (70–90 µs on this VM, design.md), or lost its core to another thread.
   */
  slowShare: fmt.Summary;
  /** The share of each run's time spent in those slow round trips. */
  slowTimeShare: fmt.Summary;
  /** Runs whose median round trip was slow: the pair slept and woke on (nearly) every trip. */
  stuckRuns: number;
  /**
   * Of those, the runs whose round of runs had a raw spinning floor ≤ {@linkcode BUSY_FLOOR_US}:
   * both workers could have a core, so the machine alone does not explain the sleeping.
   */
  stuckWithFreeCores: number;
  /**
   * The process's CPU time over each run divided by its wall time: near 2 when both workers
   * ran at once (each spins while it waits), near 1 or below when they took turns on a core.
   */
  cpuPerWall: fmt.Summary;
}

/** A throughput: messages per second, one sample per run. */
export interface ThroughputRuns {
  /** Messages per run. */
  messages: number;
  /** Messages per second, from the first put to the last get (its `best` is the largest). */
  perSecond: fmt.Summary;
}

/** What our side measured. */
export interface OursIpc {
  /** The tutorial's exercise over a `Pipe` between two workers. */
  pipeWorkers: { short: BusyPingPongRuns; long: BusyPingPongRuns };
  /** The same with a packet of one int (the codec's fastest path), long runs only. */
  pipeWorkersInt: BusyPingPongRuns;
  /** Over a `Pipe` between the main program (`await recv()`) and a worker. */
  pipeMain: { short: PingPongRuns; long: PingPongRuns };
  /** Over two `Queue`s between two workers. */
  queueWorkers: { short: BusyPingPongRuns; long: BusyPingPongRuns };
  /**
   * Raw spinning ping-pong over two `Int32Array` cells, one run in every round of the short
   * and of the long runs (with as many round trips).
   */
  rawSpin: { short: PingPongRuns; long: PingPongRuns };
  /** `Queue` throughput, worker → worker, small ints and small objects; worker → main. */
  throughput: { ints: ThroughputRuns; objects: ThroughputRuns; toMain: ThroughputRuns };
  /**
   * A large `Float64Array` through a `Pipe`, worker → worker, and a plain copy of as many
   * bytes in a worker: MB/s (MB = 2^20 bytes; `best` is the largest).
   */
  big: { bytes: number; mbPerSecond: fmt.Summary; copyMbPerSecond: fmt.Summary };
  /** The 1-minute load average when the section started (2 cores: above ~1, a neighbour). */
  loadAverage: number;
}

/** What `bench/python_ipc.py` measured. */
export interface PythonIpc {
  /** Python's version. */
  python: string;
  /** The start method used. */
  startMethod: string;
  /** `Pipe` ping-pong between two child processes. */
  pipeProcesses: { short: PingPongRuns; long: PingPongRuns };
  /** `Pipe` ping-pong between the main process and a child (the tutorial's shape). */
  pipeMain: { short: PingPongRuns; long: PingPongRuns };
  /** Two `Queue`s between two child processes. */
  queueProcesses: { short: PingPongRuns; long: PingPongRuns };
  /** `Queue` throughput, process → process and process → main, small ints. */
  throughput: { ints: ThroughputRuns; toMain: ThroughputRuns };
  /** A large float64 array through a `Pipe`, process → process, MB/s (`best`: the largest). */
  big: { bytes: number; mbPerSecond: fmt.Summary };
}

/** Everything the section reports (and `--json` writes under `ipc`). */
export interface IpcResults {
  /** `"full"` or `"quick"`. */
  mode: "full" | "quick";
  /** The sizes used. */
  sizes: IpcSizes;
  /** Our timings. */
  ours: OursIpc;
  /** Python's timings, or why there are none. */
  python: PythonIpc | { skipped: string };
}

// ---------------------------------------------------------------------------------------------
// The main program's side.

/** Runs `run` and returns its result with the process's CPU time per wall time meanwhile. */
async function withCpu<R>(run: () => Promise<R>): Promise<[R, number]> {
  const cpu0 = processCpuMs();
  const t0 = performance.now();
  const result = await run();
  return [result, (processCpuMs() - cpu0) / (performance.now() - t0)];
}

/** Median and best of rates, where the best is the largest. */
function summarizeRates(samples: number[]): fmt.Summary {
  const { median } = fmt.summarize(samples);
  return { median, best: Math.max(...samples), samples };
}

function loadAverage(): number {
  try {
    return Deno.loadavg()[0]!;
  } catch {
    return NaN;
  }
}

/** Both workers up, this module imported in each, and each in a task at once. */
async function warmUp(pool: Pool): Promise<void> {
  const gate = new Barrier(2);
  await pool.starmap(meet, [[gate], [gate]], 1);
}

/** The runs of a ping-pong between two workers, as taken. */
interface BusySamples {
  stats: TripStats[];
  cpu: number[];
}

function busyRuns(trips: number, runs: BusySamples, floors: number[]): BusyPingPongRuns {
  const stuck = runs.stats.map((s) => s.typicalUs > SLOW_TRIP_US);
  return {
    trips,
    stuckRuns: stuck.filter(Boolean).length,
    stuckWithFreeCores: stuck.filter((x, r) => x && floors[r]! <= BUSY_FLOOR_US).length,
    perTripUs: fmt.summarize(runs.stats.map((s) => s.perTripUs)),
    typicalUs: fmt.summarize(runs.stats.map((s) => s.typicalUs)),
    slowShare: fmt.summarize(runs.stats.map((s) => s.slowShare)),
    slowTimeShare: fmt.summarize(runs.stats.map((s) => s.slowTimeShare)),
    cpuPerWall: fmt.summarize(runs.cpu),
  };
}

/**
 * Runs both sides of a ping-pong between two busy workers, and adds to `samples` the trips of
 * the ping side (the first) and the process's CPU share meanwhile.
 */
async function sampleBusy(
  samples: BusySamples,
  sides: () => Promise<readonly [TripStats | null, unknown]>,
): Promise<void> {
  const [[stats], ratio] = await withCpu(sides);
  samples.stats.push(stats!);
  samples.cpu.push(ratio);
}

/** One run of the exercise over a pipe between two workers. */
async function pipeWorkerRun(
  pool: Pool,
  samples: BusySamples,
  warm: number,
  trips: number,
  int = false,
): Promise<void> {
  const [a, b] = Pipe<Packet | number>();
  const gate = new Barrier(2);
  await sampleBusy(samples, () =>
    Promise.all([
      pool.apply(pipePingPong, ["ping", a, gate, warm, trips, int]),
      pool.apply(pipePingPong, ["pong", b, gate, warm, trips, int]),
    ]));
}

/** One run of the exercise over two queues between two workers. */
async function queueWorkerRun(
  pool: Pool,
  samples: BusySamples,
  warm: number,
  trips: number,
): Promise<void> {
  const there = new Queue<Packet>();
  const back = new Queue<Packet>();
  const gate = new Barrier(2);
  await sampleBusy(samples, () =>
    Promise.all([
      pool.apply(queuePingPong, ["ping", there, back, gate, warm, trips]),
      pool.apply(queuePingPong, ["pong", there, back, gate, warm, trips]),
    ]));
}

/** One run of the raw spinning ping-pong: µs per round trip, pushed to `floors`. */
async function rawSpinRun(pool: Pool, floors: number[], warm: number, trips: number) {
  const gate = new Barrier(2);
  const cells = new SharedArrayBuffer(8);
  const [perRun] = await Promise.all([
    pool.apply(rawSpinPingPong, ["ping", cells, gate, warm, trips]),
    pool.apply(rawSpinPingPong, ["pong", cells, gate, warm, trips]),
  ]);
  floors.push(perRun);
}

/** One run of the exercise between the main program (`await recv()`) and a worker: µs/trip. */
async function pipeMainRun(pool: Pool, warm: number, trips: number): Promise<number> {
  const [mine, theirs] = Pipe<Packet | number>();
  const echo = pool.apply(pipePingPong, ["pong", theirs, null, warm, trips]);
  let t0 = performance.now();
  try {
    for (let i = 0; i < warm + trips; i++) {
      if (i === warm) t0 = performance.now();
      mine.send([i, null, "hello"]);
      const got = await mine.recv(WAIT);
      if ((got as Packet)[0] !== i) {
        throw new Error(`main: round trip ${i} brought back ${describeGot(got)}`);
      }
    }
  } catch (error) {
    mine.close(); // the echo ends with an EOFError rather than a timeout
    await echo.catch(() => {});
    throw error;
  }
  const perTrip = ((performance.now() - t0) * 1e3) / trips;
  await echo;
  return perTrip;
}

/** One throughput run between two workers: messages per second. */
async function throughputRun(pool: Pool, count: number, objects: boolean): Promise<number> {
  const q = new Queue<number | { id: number; name: string }>();
  const gate = new Barrier(2);
  const [start, end] = await Promise.all([
    pool.apply(produce, [q, gate, count, objects]),
    pool.apply(consume, [q, gate, count, objects]),
  ]);
  return count / ((end - start) / 1e3);
}

/** One throughput run from a worker to the main program's `await q.get()`. */
async function toMainRun(pool: Pool, count: number): Promise<number> {
  const q = new Queue<number>();
  const producing = pool.apply(produce, [q, null, count, false]);
  for (let i = 0; i < count; i++) {
    const got = await q.get(WAIT);
    if (got !== i) throw new Error(`main: message ${i} was ${describeGot(got)}`);
  }
  const end = stamp();
  const start = await producing;
  if (!q.empty()) throw new Error(`main: ${q.qsize()} messages beyond the ${count} put`);
  return count / ((end - start) / 1e3);
}

async function bigRuns(pool: Pool, sizes: IpcSizes): Promise<number[]> {
  const out: number[] = [];
  const length = Math.floor(sizes.bigBytes / 8);
  for (let r = -1; r < sizes.bigRepeats; r++) {
    const [a, b] = Pipe<Float64Array>();
    const gate = new Barrier(2);
    const [start, end] = await Promise.all([
      pool.apply(sendBig, [a, gate, length]),
      pool.apply(recvBig, [b, gate, length]),
    ]);
    if (r >= 0) out.push((length * 8) / 2 ** 20 / ((end - start) / 1e3));
  }
  return out;
}

/**
 * Runs our side of the message-passing benchmarks.
 *
 * @param sizes How much work to do.
 * @returns Our timings.
 */
export async function benchIpcDeno(sizes: IpcSizes): Promise<OursIpc> {
  const load = loadAverage();
  await using pool = new Pool(2);
  await warmUp(pool);

  // Every variant runs once per round and they take turns, so that a noisy neighbour slows
  // them alike; the raw spinning floor is taken in every round.
  const short: BusySamples = { stats: [], cpu: [] };
  const qShort: BusySamples = { stats: [], cpu: [] };
  const mainShort: number[] = [];
  const rawShort: number[] = [];
  const { warmTrips: warm, shortTrips, longTrips } = sizes;
  for (let r = 0; r < sizes.shortRepeats; r++) {
    await pipeWorkerRun(pool, short, warm, shortTrips);
    await rawSpinRun(pool, rawShort, warm, shortTrips);
    mainShort.push(await pipeMainRun(pool, warm, shortTrips));
    await queueWorkerRun(pool, qShort, warm, shortTrips);
  }
  const longPipe: BusySamples = { stats: [], cpu: [] };
  const int: BusySamples = { stats: [], cpu: [] };
  const qLong: BusySamples = { stats: [], cpu: [] };
  const mainLong: number[] = [];
  const rawLong: number[] = [];
  for (let r = 0; r < sizes.longRepeats; r++) {
    await pipeWorkerRun(pool, longPipe, warm, longTrips);
    await rawSpinRun(pool, rawLong, warm, longTrips);
    await pipeWorkerRun(pool, int, warm, longTrips, true);
    mainLong.push(await pipeMainRun(pool, warm, longTrips));
    await queueWorkerRun(pool, qLong, warm, longTrips);
  }

  // Throughput: one untimed round to compile the loops, then the timed ones, taking turns.
  const ints: number[] = [];
  const objects: number[] = [];
  const toMain: number[] = [];
  for (let r = -1; r < sizes.throughputRepeats; r++) {
    const count = r < 0 ? Math.min(sizes.messages, 20_000) : sizes.messages;
    const [i, o, m] = [
      await throughputRun(pool, count, false),
      await throughputRun(pool, count, true),
      await toMainRun(pool, count),
    ];
    if (r < 0) continue;
    ints.push(i);
    objects.push(o);
    toMain.push(m);
  }

  const big = await bigRuns(pool, sizes);
  const copy = await pool.apply(copyRate, [sizes.bigBytes, sizes.bigRepeats]);

  const messages = sizes.messages;
  return {
    pipeWorkers: {
      short: busyRuns(shortTrips, short, rawShort),
      long: busyRuns(longTrips, longPipe, rawLong),
    },
    pipeWorkersInt: busyRuns(longTrips, int, rawLong),
    pipeMain: {
      short: { trips: sizes.shortTrips, perTripUs: fmt.summarize(mainShort) },
      long: { trips: sizes.longTrips, perTripUs: fmt.summarize(mainLong) },
    },
    queueWorkers: {
      short: busyRuns(shortTrips, qShort, rawShort),
      long: busyRuns(longTrips, qLong, rawLong),
    },
    rawSpin: {
      short: { trips: shortTrips, perTripUs: fmt.summarize(rawShort) },
      long: { trips: longTrips, perTripUs: fmt.summarize(rawLong) },
    },
    throughput: {
      ints: { messages, perSecond: summarizeRates(ints) },
      objects: { messages, perSecond: summarizeRates(objects) },
      toMain: { messages, perSecond: summarizeRates(toMain) },
    },
    big: {
      bytes: Math.floor(sizes.bigBytes / 8) * 8,
      mbPerSecond: summarizeRates(big),
      copyMbPerSecond: summarizeRates(copy),
    },
    loadAverage: load,
  };
}

/**
 * Runs `bench/python_ipc.py` with the same sizes.
 *
 * @param sizes How much work to do.
 * @returns Python's timings, or `{ skipped }` with the reason when it cannot run.
 */
export function benchIpcPython(sizes: IpcSizes): Promise<PythonIpc | { skipped: string }> {
  return fmt.runPythonJson<PythonIpc>("python_ipc.py", [
    `--short-trips=${sizes.shortTrips}`,
    `--short-repeats=${sizes.pythonShortRepeats}`,
    `--long-trips=${sizes.longTrips}`,
    `--long-repeats=${sizes.pythonLongRepeats}`,
    `--warm-trips=${sizes.warmTrips}`,
    `--messages=${sizes.pythonMessages}`,
    `--throughput-repeats=${sizes.pythonThroughputRepeats}`,
    `--big-bytes=${sizes.bigBytes}`,
    `--big-repeats=${sizes.pythonBigRepeats}`,
  ]);
}

/**
 * Runs the message-passing benchmarks: ours, then Python's.
 *
 * @param options `quick` for small sizes (a CI smoke run).
 * @returns Both sides' timings.
 */
export async function benchIpc(options: { quick: boolean }): Promise<IpcResults> {
  const mode = options.quick ? "quick" : "full";
  const sizes = options.quick ? IPC_QUICK : IPC_FULL;
  const ours = await benchIpcDeno(sizes);
  const python = await benchIpcPython(sizes);
  return { mode, sizes, ours, python };
}

// ---------------------------------------------------------------------------------------------
// The report.

/** The round-trip target, µs. */
const TRIP_TARGET_US = 10;
/** The throughput target, messages per second. */
const RATE_TARGET = 1_000_000;
/**
 * A raw spinning round trip slower than this (µs, median) means the two workers seldom ran at
 * the same time: it takes ~0.3 µs when both have a core.
 */
const BUSY_FLOOR_US = 2;

/** `"1.23 M/s"` or `"456 k/s"`. */
function rateText(perSecond: number): string {
  return perSecond >= 1e6
    ? `${(perSecond / 1e6).toFixed(2)} M/s`
    : `${(perSecond / 1e3).toFixed(0)} k/s`;
}

function rateMedBest(s: fmt.Summary): string {
  return `${rateText(s.median)} (best ${rateText(s.best)})`;
}

function mbps(s: fmt.Summary): string {
  return `${s.median.toFixed(0)} MB/s (best ${s.best.toFixed(0)} MB/s)`;
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
}

/** What two workers' ping-pong runs were made of: typical trip, slow trips, busy cores. */
function anatomy(runs: BusyPingPongRuns): string {
  const n = runs.perTripUs.samples.length;
  return `typical ${fmt.us(runs.typicalUs.median)}; > ${SLOW_TRIP_US} µs: ` +
    `${percent(runs.slowShare.median)} of trips, ${percent(runs.slowTimeShare.median)} of time; ` +
    `CPU/wall ${runs.cpuPerWall.median.toFixed(2)}; slow throughout: ${runs.stuckRuns} of ${n} ` +
    `runs (${runs.stuckWithFreeCores} with cores free)`;
}

/** The measured figures of a ping-pong target, and why it was missed, as far as one can tell. */
function pingPongNote(floor: PingPongRuns, runs: BusyPingPongRuns): string {
  const n = runs.perTripUs.samples.length;
  const facts = `${fmt.us(runs.perTripUs.median)} median, ${fmt.us(runs.perTripUs.best)} best; ` +
    `typical trip ${fmt.us(runs.typicalUs.median)}; raw spin floor ${
      fmt.us(floor.perTripUs.median)
    }`;
  if (runs.perTripUs.median <= TRIP_TARGET_US) return facts;
  if (runs.stuckWithFreeCores > 0) {
    return `${facts}: ${runs.stuckWithFreeCores} of ${n} runs slept and woke on (nearly) every ` +
      `trip while a raw spin in the same round had both cores`;
  }
  if (floor.perTripUs.median > BUSY_FLOOR_US) {
    return `${facts}: the workers seldom had a core each at once (busy machine), so ` +
      `hand-offs degraded to sleep/wake`;
  }
  if (runs.typicalUs.median <= TRIP_TARGET_US) {
    return `${facts}: typical trips meet it, streaks of slow trips do not`;
  }
  return `${facts}: even a typical trip is over`;
}

/**
 * The section's targets (issue 4), each with what was measured and whether it was met.
 *
 * @param results What {@linkcode benchIpc} measured.
 * @returns The rows.
 */
export function ipcTargets(results: IpcResults): fmt.TargetRow[] {
  const { ours, sizes } = results;
  const long = count(sizes.longTrips);
  const targets: fmt.TargetRow[] = [];
  targets.push(fmt.targetRow(
    `Pipe ping-pong ≤ ${TRIP_TARGET_US} µs per round trip, 2 busy workers, ${long} trips`,
    pingPongNote(ours.rawSpin.long, ours.pipeWorkers.long),
    ours.pipeWorkers.long.perTripUs.median <= TRIP_TARGET_US,
  ));
  targets.push(fmt.targetRow(
    `Queue ping-pong ≤ ${TRIP_TARGET_US} µs per round trip, 2 busy workers, ${long} trips`,
    pingPongNote(ours.rawSpin.long, ours.queueWorkers.long),
    ours.queueWorkers.long.perTripUs.median <= TRIP_TARGET_US,
  ));
  for (const kind of ["ints", "objects"] as const) {
    const s = ours.throughput[kind].perSecond;
    targets.push(fmt.targetRow(
      `Queue throughput ≥ 1 M msg/s, worker → worker, small ` +
        (kind === "ints" ? "ints" : "objects"),
      `${rateText(s.median)} median, ${rateText(s.best)} best`,
      s.median >= RATE_TARGET,
    ));
  }
  return targets;
}

/**
 * The "Message passing" section as text: one table of both sides, the targets with their
 * verdicts, then the ratios "ours vs Python".
 *
 * @param results What {@linkcode benchIpc} measured.
 * @returns Lines ready to print.
 */
export function formatIpc(results: IpcResults): string {
  const { ours, sizes } = results;
  const py = "skipped" in results.python ? undefined : results.python;
  const pyCell = (f: (p: PythonIpc) => string) => (py === undefined ? "—" : f(py));
  const trip = (s: fmt.Summary) => fmt.medBest(s, fmt.us);
  const short = count(sizes.shortTrips);
  const long = count(sizes.longTrips);
  /** An exercise between two workers: its short and long runs, each with what it is made of. */
  const betweenWorkers = (
    label: string,
    runs: { short: BusyPingPongRuns; long: BusyPingPongRuns },
    python: (p: PythonIpc) => { short: PingPongRuns; long: PingPongRuns },
  ): string[][] => [
    [
      `${label}, 2 workers (Python: 2 processes), ${short} round trips`,
      trip(runs.short.perTripUs),
      pyCell((p) => trip(python(p).short.perTripUs)),
    ],
    [`  … made of`, anatomy(runs.short), "—"],
    [
      `  … ${long} round trips`,
      trip(runs.long.perTripUs),
      pyCell((p) => trip(python(p).long.perTripUs)),
    ],
    [`  … made of`, anatomy(runs.long), "—"],
  ];
  const mb = (ours.big.bytes / 2 ** 20).toFixed(0);

  const rows: string[][] = [
    ["message passing", "ours (Deno workers)", "Python multiprocessing"],
    ...betweenWorkers(
      "exercise over a Pipe",
      ours.pipeWorkers,
      (p) => p.pipeProcesses,
    ),
    [
      `  … ${long} round trips, a bare int for the packet`,
      trip(ours.pipeWorkersInt.perTripUs),
      "—",
    ],
    [`  … made of`, anatomy(ours.pipeWorkersInt), "—"],
    [
      `raw spinning ping-pong, 2 workers, no library (floor), ${short} round trips`,
      trip(ours.rawSpin.short.perTripUs),
      "—",
    ],
    [`  … ${long} round trips`, trip(ours.rawSpin.long.perTripUs), "—"],
    [
      `exercise over a Pipe, main (await recv()) ↔ worker, ${short} round trips`,
      trip(ours.pipeMain.short.perTripUs),
      pyCell((p) => trip(p.pipeMain.short.perTripUs)),
    ],
    [
      `  … ${long} round trips`,
      trip(ours.pipeMain.long.perTripUs),
      pyCell((p) => trip(p.pipeMain.long.perTripUs)),
    ],
    ...betweenWorkers(
      "exercise over 2 Queues",
      ours.queueWorkers,
      (p) => p.queueProcesses,
    ),
    [
      `Queue throughput, worker → worker, ${count(sizes.messages)} ints` +
      (py === undefined ? "" : ` (Python: ${count(sizes.pythonMessages)})`),
      rateMedBest(ours.throughput.ints.perSecond),
      pyCell((p) => rateMedBest(p.throughput.ints.perSecond)),
    ],
    [
      `  … ${count(sizes.messages)} objects { id: i, name: "x" }`,
      rateMedBest(ours.throughput.objects.perSecond),
      "—",
    ],
    [
      `  … ints, worker → main (await q.get())`,
      rateMedBest(ours.throughput.toMain.perSecond),
      pyCell((p) => rateMedBest(p.throughput.toMain.perSecond)),
    ],
    [
      `${mb} MB Float64Array through a Pipe, worker → worker`,
      mbps(ours.big.mbPerSecond),
      pyCell((p) => mbps(p.big.mbPerSecond)),
    ],
    [`  … a plain copy of ${mb} MB in a worker (floor)`, mbps(ours.big.copyMbPerSecond), "—"],
  ];

  const lines: string[] = [];
  lines.push(
    `Message passing (${results.mode}): "median (best)"; tutorial 003's exercise with the ` +
      `packet [i, null, "hello"] echoed back, ${sizes.shortRepeats} runs of ${short} and ` +
      `${sizes.longRepeats} of ${long} round trips after ${count(sizes.warmTrips)} untimed` +
      (py === undefined ? "" : ` (Python: ${sizes.pythonShortRepeats} and ` +
        `${sizes.pythonLongRepeats}, Python ${py.python}, ${py.startMethod})`) +
      `; ${sizes.throughputRepeats} throughput runs` +
      (py === undefined ? "" : ` (Python: ${sizes.pythonThroughputRepeats})`) +
      `; load average ${ours.loadAverage.toFixed(2)} at the start.`,
  );
  lines.push("");
  lines.push(fmt.table(py === undefined ? rows.map((row) => row.slice(0, 2)) : rows));
  lines.push(
    `"made of" (medians over the runs): the typical (median) round trip of a run; the trips ` +
      `slower than ${SLOW_TRIP_US} µs (a side slept and was woken, or lost its core) and their ` +
      `share of the time; process CPU over wall time (2: both workers busy); the runs whose ` +
      `typical trip was slow, and of those the ones with "cores free" (a raw spin floor ≤ ` +
      `${BUSY_FLOOR_US} µs in the same round).`,
  );
  lines.push("");

  lines.push(fmt.targetTable(ipcTargets(results)));
  lines.push("");

  if (py === undefined) {
    lines.push(
      `Python (message passing): skipped (${(results.python as { skipped: string }).skipped}).`,
    );
  } else {
    lines.push("Ours vs Python, message passing (medians):");
    const perMessage = (rate: number) => 1e6 / rate;
    type Runs = { short: { perTripUs: fmt.Summary }; long: { perTripUs: fmt.Summary } };
    /** The ratios of a ping-pong's short and long runs, ours to Python's. */
    const shortAndLong = (label: string, o: Runs, p: Runs): fmt.Ratio[] => [
      [`${label}, ${short} trips`, o.short.perTripUs.median, p.short.perTripUs.median, fmt.us],
      [`${label}, ${long} trips`, o.long.perTripUs.median, p.long.perTripUs.median, fmt.us],
    ];
    const pairs: fmt.Ratio[] = [
      ...shortAndLong("Pipe ping-pong", ours.pipeWorkers, py.pipeProcesses),
      ...shortAndLong("Pipe ping-pong with main", ours.pipeMain, py.pipeMain),
      ...shortAndLong("Queue ping-pong", ours.queueWorkers, py.queueProcesses),
      [
        "Queue throughput, per message",
        perMessage(ours.throughput.ints.perSecond.median),
        perMessage(py.throughput.ints.perSecond.median),
        fmt.us,
      ],
      [
        "Queue throughput to main, per message",
        perMessage(ours.throughput.toMain.perSecond.median),
        perMessage(py.throughput.toMain.perSecond.median),
        fmt.us,
      ],
      [
        `${mb} MB through a Pipe`,
        (ours.big.bytes / 2 ** 20 / ours.big.mbPerSecond.median) * 1e3,
        (py.big.bytes / 2 ** 20 / py.big.mbPerSecond.median) * 1e3,
        fmt.ms,
      ],
    ];
    lines.push(...fmt.ratioLines(pairs));
  }
  return lines.join("\n");
}

if (import.meta.main) {
  // `deno run -A bench/ipc.ts [--quick] [--json FILE]`: this section alone.
  await runSection(Deno.args, {
    name: "message-passing",
    python: `${fmt.pythonPath()} bench/python_ipc.py`,
    run: benchIpc,
    format: formatIpc,
  });
}
