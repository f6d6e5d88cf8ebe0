/**
 * The "Synchronisation" section of `deno task bench`: issue 3's speed targets for `sync/` and
 * `shared/`, measured side by side with Python's `multiprocessing` (`bench/python_sync.py`) in
 * one run, since absolute times wander on a shared VM.
 *
 * 1. Uncontended `Lock` and `RLock` `acquireSync()` + `release()` in a worker, with the cost
 *    of two raw `Atomics.compareExchange` calls timed in the same worker in the same rounds
 *    for calibration: nanoseconds per pair, median and best of several rounds.
 * 2. 2 workers × 20,000 increments of a `Value("i")` under `v.getLock()`, with the default
 *    `RLock` and with a plain `Lock`: on a warm pool (wall time from the main program, and the
 *    window the workers measure themselves after a `Barrier`), and on a fresh `Pool(2)` each
 *    time (pool start included); and, for the default `RLock`, the loop written with
 *    `using _held = v.getLock().holdSync()` as `sync/mod.ts`'s example does. Every run checks
 *    that the value ends at exactly 40,000.
 * 3. `Event` wake-up latency of a worker asleep in `waitSync()`, set by the main program and
 *    by another worker; a ping-pong between two busy workers over two `Event`s (the
 *    spin-then-wait hand-off), beside a raw spinning ping-pong without the library; and the
 *    process CPU time while a worker waits 500 ms on an `Event` nobody sets.
 *
 * Task functions cross into the workers by reference: they live in `bench/sync_tasks.ts`,
 * which the workers import (it imports only the library); this module is the driver and the
 * report, and runs its program only under `import.meta.main`
 * (`deno run -A bench/sync.ts [--quick] [--json FILE]`: this section alone).
 *
 * @module
 */

import { Barrier, Event, Lock, Pool, RLock, type SynchronizedValue, Value } from "../mod.ts";
import * as fmt from "./_format.ts";
import {
  eventPingPong,
  idleWait,
  lockedIncrements,
  lockedIncrementsUsingHold,
  TASK_TIMEOUT_MS,
  uncontendedCosts,
  wakeSetter,
  wakeWaiter,
} from "./sync_tasks.ts";
import { rawSpinPingPong } from "./_raw_spin.ts";
import { processCpuMs, runSection, stamp } from "./_util.ts";

/** How much work each synchronisation benchmark does. */
export interface SyncSizes {
  /** Workers (and processes on the Python side). */
  workers: number;
  /** `acquire` + `release` pairs per timed round of the uncontended loops. */
  lockIters: number;
  /** Timed rounds of the uncontended loops (median and best are taken over them). */
  lockRounds: number;
  /** The same two for Python, whose loop is slower. */
  pythonLockIters: number;
  /** Timed rounds of Python's uncontended loops. */
  pythonLockRounds: number;
  /** Locked increments per worker. */
  increments: number;
  /** Runs of each increment variant. */
  incrementRepeats: number;
  /** One-shot wake-ups timed, per waker. */
  wakeRounds: number;
  /** How long the waker pauses before `set()`, so that the waiter is asleep (ms). */
  wakePauseMs: number;
  /** Round trips of each ping-pong run. */
  pingPongs: number;
  /** Ping-pong runs. */
  pingPongRepeats: number;
  /** Round trips of Python's ping-pong (one run). */
  pythonPingPongs: number;
  /** How long the idle waiter waits (ms). */
  idleMs: number;
}

/** Full sizes, for `deno task bench`. */
export const SYNC_FULL: SyncSizes = {
  workers: 2,
  lockIters: 1_000_000,
  lockRounds: 15,
  pythonLockIters: 200_000,
  pythonLockRounds: 9,
  increments: 20_000,
  incrementRepeats: 11,
  wakeRounds: 30,
  wakePauseMs: 3,
  pingPongs: 20_000,
  pingPongRepeats: 7,
  pythonPingPongs: 2_000,
  idleMs: 500,
};

/** Small sizes, for `deno task bench --quick`; the increments keep the target's size. */
export const SYNC_QUICK: SyncSizes = {
  workers: 2,
  lockIters: 200_000,
  lockRounds: 5,
  pythonLockIters: 50_000,
  pythonLockRounds: 3,
  increments: 20_000,
  incrementRepeats: 3,
  wakeRounds: 8,
  wakePauseMs: 3,
  pingPongs: 2_000,
  pingPongRepeats: 3,
  pythonPingPongs: 300,
  idleMs: 500,
};

/** One increment variant (one lock type), on our side. */
export interface IncrementRuns {
  /** Increments in all (workers × per worker). */
  total: number;
  /** Warm pool: the main program's wall time from `starmap` to the results. */
  warmMs: fmt.Summary;
  /** Warm pool: first start to last end, as the workers time it after a `Barrier`. */
  gatedMs: fmt.Summary;
  /** A fresh `Pool(2)` each run: from `new Pool` to the results. */
  freshMs: fmt.Summary;
  /** Runs whose final value was not `total`, described; empty when every run was right. */
  wrongCounts: string[];
}

/** What our side measured. */
export interface OursSync {
  /** Uncontended pairs in one worker, in ns per pair. */
  uncontended: { lockNs: fmt.Summary; rlockNs: fmt.Summary; casPairNs: fmt.Summary };
  /** Locked increments of a `Value("i")`. */
  increments: {
    rlock: IncrementRuns;
    lock: IncrementRuns;
    /**
     * The RLock variant timed inside, written as `sync/mod.ts`'s example does:
     * `using _held = v.getLock().holdSync()` around `v.value += 1` (its final values are
     * checked into `rlock.wrongCounts`).
     */
    rlockUsingHoldGatedMs: fmt.Summary;
  };
  /** Wake-ups and hand-offs, in µs. */
  wake: {
    /** The main program's `set()` to the sleeping worker's return from `waitSync`. */
    fromMainUs: fmt.Summary;
    /** Another worker's `set()` to the sleeping worker's return from `waitSync`. */
    fromWorkerUs: fmt.Summary;
    /** Two busy workers over two `Event`s, per round trip (one sample per run). */
    pingPongUs: fmt.Summary;
    /** The same over two raw `Int32Array` cells, both sides spinning, no library. */
    rawSpinPingPongUs: fmt.Summary;
  };
  /** One worker waiting on an `Event` that is never set. */
  idle: {
    /** How long it was asked to wait. */
    waitMs: number;
    /** How long it waited, as it measured. */
    waitedMs: number;
    /** Whether the wait ended by its timeout (as it must). */
    timedOut: boolean;
    /** The process's CPU time (user + system, all threads) meanwhile. */
    cpuMs: number;
  };
}

/** One increment variant, on Python's side. */
export interface PythonIncrementRuns {
  /** Two `Process`es started, run and joined, from the main process. */
  includedMs: fmt.Summary;
  /** First start to last end, as the children time it after a `Barrier`. */
  gatedMs: fmt.Summary;
  /** Runs whose final value was wrong, described. */
  wrongCounts: string[];
}

/** What `bench/python_sync.py` measured. */
export interface PythonSync {
  /** Python's version. */
  python: string;
  /** The start method used. */
  startMethod: string;
  /** Uncontended pairs in the main process, in ns per pair. */
  uncontended: { lockNs: fmt.Summary; rlockNs: fmt.Summary };
  /** Locked increments of a `Value('i')`. */
  increments: { rlock: PythonIncrementRuns; lock: PythonIncrementRuns };
  /** Wake-ups and hand-offs, in µs. */
  wake: { fromMainUs: fmt.Summary; fromProcessUs: fmt.Summary; pingPongUs: fmt.Summary };
}

/** Everything the section reports (and `--json` writes under `sync`). */
export interface SyncResults {
  /** `"full"` or `"quick"`. */
  mode: "full" | "quick";
  /** The sizes used. */
  sizes: SyncSizes;
  /** Our timings. */
  ours: OursSync;
  /** Python's timings, or why there are none. */
  python: PythonSync | { skipped: string };
}

// ---------------------------------------------------------------------------------------------
// The main program's side.

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Latencies in µs from paired stamps (ms), dropping the rounds that timed out. */
function latencies(from: number[], to: number[], what: string): number[] {
  const out = from.map((t, i) => (to[i]! - t) * 1e3).filter((x) => Number.isFinite(x));
  if (out.length === 0) throw new Error(`No ${what} measured: every round timed out`);
  return out;
}

async function benchUncontended(pool: Pool, sizes: SyncSizes): Promise<OursSync["uncontended"]> {
  const costs = await pool.apply(uncontendedCosts, [
    new Lock(),
    new RLock(),
    sizes.lockIters,
    sizes.lockRounds,
  ]);
  return {
    lockNs: fmt.summarize(costs.lock),
    rlockNs: fmt.summarize(costs.rlock),
    casPairNs: fmt.summarize(costs.cas),
  };
}

interface IncrementSamples {
  warm: number[];
  gated: number[];
  fresh: number[];
  wrong: string[];
}

async function benchIncrements(
  warm: Pool,
  sizes: SyncSizes,
): Promise<OursSync["increments"]> {
  const { workers, increments: n } = sizes;
  const total = workers * n;
  const kinds = {
    rlock: () => Value("i", 0),
    lock: () => Value("i", 0, { lock: new Lock() }),
  };
  const samples: Record<keyof typeof kinds, IncrementSamples> = {
    rlock: { warm: [], gated: [], fresh: [], wrong: [] },
    lock: { warm: [], gated: [], fresh: [], wrong: [] },
  };
  const verify = (kind: keyof typeof kinds, v: SynchronizedValue<"i">, what: string, r: number) => {
    if (v.value !== total) {
      samples[kind].wrong.push(
        `${kind === "rlock" ? "RLock" : "Lock"} ${what} run ${r + 1}: ${v.value} instead of ` +
          `${total}`,
      );
    }
  };
  const usingHold: number[] = [];
  // Warm up the task in both workers.
  await warm.starmap(
    lockedIncrements,
    Array.from({ length: workers }, () => {
      return [kinds.lock(), 1_000, null] as [SynchronizedValue<"i">, number, null];
    }),
    1,
  );
  // The variants take turns, so that a noisy neighbour slows them alike.
  for (let r = 0; r < sizes.incrementRepeats; r++) {
    for (const kind of ["rlock", "lock"] as const) {
      let v = kinds[kind]();
      let t0 = performance.now();
      await warm.starmap(lockedIncrements, Array.from({ length: workers }, () => [v, n, null]), 1);
      samples[kind].warm.push(performance.now() - t0);
      verify(kind, v, "warm pool", r);

      v = kinds[kind]();
      const gate = new Barrier(workers);
      const spans = await warm.starmap(
        lockedIncrements,
        Array.from({ length: workers }, () => [v, n, gate]),
        1,
      );
      const first = Math.min(...spans.map(([start]) => start));
      const last = Math.max(...spans.map(([, end]) => end));
      samples[kind].gated.push(last - first);
      verify(kind, v, "warm pool, Barrier start", r);

      v = kinds[kind]();
      t0 = performance.now();
      {
        await using pool = new Pool(workers);
        await pool.starmap(
          lockedIncrements,
          Array.from({ length: workers }, () => [v, n, null]),
          1,
        );
        samples[kind].fresh.push(performance.now() - t0);
      }
      verify(kind, v, "fresh pool", r);
    }
    const v = kinds.rlock();
    const gate = new Barrier(workers);
    const spans = await warm.starmap(
      lockedIncrementsUsingHold,
      Array.from({ length: workers }, () => [v, n, gate]),
      1,
    );
    usingHold.push(
      Math.max(...spans.map(([, end]) => end)) - Math.min(...spans.map(([start]) => start)),
    );
    verify("rlock", v, "using holdSync(), Barrier start", r);
  }
  const runs = (s: IncrementSamples): IncrementRuns => ({
    total,
    warmMs: fmt.summarize(s.warm),
    gatedMs: fmt.summarize(s.gated),
    freshMs: fmt.summarize(s.fresh),
    wrongCounts: s.wrong,
  });
  return {
    rlock: runs(samples.rlock),
    lock: runs(samples.lock),
    rlockUsingHoldGatedMs: fmt.summarize(usingHold),
  };
}

function events(n: number): Event[] {
  return Array.from({ length: n }, () => new Event());
}

async function benchWake(pool: Pool, sizes: SyncSizes): Promise<OursSync["wake"]> {
  const rounds = sizes.wakeRounds;

  // (a) The main program wakes a sleeping worker.
  let evs = events(rounds);
  let readies = events(rounds);
  const waiting = pool.apply(wakeWaiter, [evs, readies]);
  const setAt: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (!await readies[r]!.wait({ timeout: TASK_TIMEOUT_MS })) {
      setAt.push(NaN);
      continue;
    }
    await delay(sizes.wakePauseMs);
    setAt.push(stamp());
    evs[r]!.set();
  }
  const fromMain = latencies(setAt, await waiting, "wake-up from the main program");

  // (b) A worker wakes another, sleeping.
  evs = events(rounds);
  readies = events(rounds);
  const [woke, set] = await Promise.all([
    pool.apply(wakeWaiter, [evs, readies]),
    pool.apply(wakeSetter, [evs, readies, sizes.wakePauseMs]),
  ]);
  const fromWorker = latencies(set, woke, "wake-up from a worker");

  // (c) Ping-pong between two busy workers, with the library and without.
  const pingPong: number[] = [];
  const rawPingPong: number[] = [];
  for (let r = 0; r < sizes.pingPongRepeats; r++) {
    const [ping, pong] = events(2) as [Event, Event];
    let gate = new Barrier(2);
    const [perEvent] = await Promise.all([
      pool.apply(eventPingPong, ["ping", ping, pong, gate, sizes.pingPongs]),
      pool.apply(eventPingPong, ["pong", ping, pong, gate, sizes.pingPongs]),
    ]);
    pingPong.push(perEvent);
    gate = new Barrier(2);
    const cells = new SharedArrayBuffer(8);
    const [perRaw] = await Promise.all([
      pool.apply(rawSpinPingPong, ["ping", cells, gate, 0, sizes.pingPongs]),
      pool.apply(rawSpinPingPong, ["pong", cells, gate, 0, sizes.pingPongs]),
    ]);
    rawPingPong.push(perRaw);
  }
  return {
    fromMainUs: fmt.summarize(fromMain),
    fromWorkerUs: fmt.summarize(fromWorker),
    pingPongUs: fmt.summarize(pingPong),
    rawSpinPingPongUs: fmt.summarize(rawPingPong),
  };
}

async function benchIdle(pool: Pool, sizes: SyncSizes): Promise<OursSync["idle"]> {
  const never = new Event();
  const cpu0 = processCpuMs();
  const { timedOut, waitedMs } = await pool.apply(idleWait, [never, sizes.idleMs]);
  const cpuMs = processCpuMs() - cpu0;
  return { waitMs: sizes.idleMs, waitedMs, timedOut, cpuMs };
}

/**
 * Runs our side of the synchronisation benchmarks.
 *
 * @param sizes How much work to do.
 * @returns Our timings.
 */
export async function benchSyncDeno(sizes: SyncSizes): Promise<OursSync> {
  await using pool = new Pool(sizes.workers);
  // Both workers up, and this module imported in each.
  const unset = new Event();
  await pool.starmap(idleWait, [[unset, 0], [unset, 0]], 1);
  const uncontended = await benchUncontended(pool, sizes);
  const increments = await benchIncrements(pool, sizes);
  const wake = await benchWake(pool, sizes);
  const idle = await benchIdle(pool, sizes);
  return { uncontended, increments, wake, idle };
}

/**
 * Runs `bench/python_sync.py` with the same sizes.
 *
 * @param sizes How much work to do.
 * @returns Python's timings, or `{ skipped }` with the reason when it cannot run.
 */
export function benchSyncPython(sizes: SyncSizes): Promise<PythonSync | { skipped: string }> {
  return fmt.runPythonJson<PythonSync>("python_sync.py", [
    `--workers=${sizes.workers}`,
    `--lock-iters=${sizes.pythonLockIters}`,
    `--lock-rounds=${sizes.pythonLockRounds}`,
    `--increments=${sizes.increments}`,
    `--repeats=${sizes.incrementRepeats}`,
    `--wake-rounds=${sizes.wakeRounds}`,
    `--wake-pause-ms=${sizes.wakePauseMs}`,
    `--ping-pongs=${sizes.pythonPingPongs}`,
  ]);
}

/**
 * Runs the synchronisation benchmarks: ours, then Python's.
 *
 * @param options `quick` for small sizes (a CI smoke run).
 * @returns Both sides' timings.
 */
export async function benchSync(options: { quick: boolean }): Promise<SyncResults> {
  const mode = options.quick ? "quick" : "full";
  const sizes = options.quick ? SYNC_QUICK : SYNC_FULL;
  const ours = await benchSyncDeno(sizes);
  const python = await benchSyncPython(sizes);
  return { mode, sizes, ours, python };
}

// ---------------------------------------------------------------------------------------------
// The report.

function ns(value: number): string {
  return `${value.toFixed(value >= 100 ? 0 : 1)} ns`;
}

/** Millions per second, `total` in `elapsedMs`. */
function rate(total: number, elapsedMs: number): number {
  return total / elapsedMs / 1e3;
}

function perSecond(total: number, elapsedMs: number): string {
  return `${rate(total, elapsedMs).toFixed(2)} M/s`;
}

/** `"8.10 ms = 4.94 M/s (best 6.20 ms = 6.45 M/s)"`. */
function throughput(total: number, s: fmt.Summary): string {
  return `${fmt.ms(s.median)} = ${perSecond(total, s.median)} (best ${fmt.ms(s.best)} = ` +
    `${perSecond(total, s.best)})`;
}

/** The Python column's note, or `undefined` when there is a Python column. */
function pythonSkipped(results: SyncResults): string | undefined {
  return "skipped" in results.python ? results.python.skipped : undefined;
}

/**
 * The section's targets (issue 3), each with what was measured and whether it was met.
 *
 * @param results What {@linkcode benchSync} measured.
 * @returns The rows.
 */
export function syncTargets(results: SyncResults): fmt.TargetRow[] {
  const { ours, sizes } = results;
  const w = sizes.workers;
  const n = sizes.increments.toLocaleString("en-US");
  const total = ours.increments.rlock.total;
  const un = ours.uncontended;
  const targets: fmt.TargetRow[] = [];
  targets.push(fmt.targetRow(
    "uncontended Lock acquire + release ≤ 30 ns in a worker",
    `${ns(un.lockNs.median)} median, ${ns(un.lockNs.best)} best; the floor, 2 raw CAS: ` +
      `${ns(un.casPairNs.median)} median (Lock adds ${ns(un.lockNs.median - un.casPairNs.median)})`,
    un.lockNs.median <= 30,
  ));
  targets.push(fmt.targetRow(
    "uncontended RLock acquire + release ≤ 30 ns in a worker",
    `${ns(un.rlockNs.median)} median, ${ns(un.rlockNs.best)} best (adds ` +
      `${ns(un.rlockNs.median - un.casPairNs.median)} to 2 raw CAS)`,
    un.rlockNs.median <= 30,
  ));
  for (const kind of ["rlock", "lock"] as const) {
    const o = ours.increments[kind];
    targets.push(fmt.targetRow(
      `${w} × ${n} locked increments ≥ 5 M/s, ${kind === "rlock" ? "RLock" : "Lock"}, warm ` +
        `pool`,
      `${perSecond(total, o.warmMs.median)} (inside: ${perSecond(total, o.gatedMs.median)}; ` +
        `fresh pool: ${perSecond(total, o.freshMs.median)})`,
      rate(total, o.warmMs.median) >= 5,
    ));
  }
  const wrong = [...ours.increments.rlock.wrongCounts, ...ours.increments.lock.wrongCounts];
  const runs = 7 * sizes.incrementRepeats;
  targets.push(fmt.targetRow(
    `final value exactly ${total.toLocaleString("en-US")} in every run`,
    wrong.length === 0 ? `${runs} of ${runs} runs` : `${wrong.length} of ${runs} runs wrong`,
    wrong.length === 0,
  ));
  targets.push(fmt.targetRow(
    "busy Event hand-off ≪ one sleep/wake (~70–90 µs, design.md)",
    `${fmt.us(ours.wake.pingPongUs.median)} per round trip vs ` +
      `${fmt.us(ours.wake.fromWorkerUs.median)} per wake-up; raw spin floor ` +
      fmt.us(ours.wake.rawSpinPingPongUs.median) +
      (ours.wake.rawSpinPingPongUs.median > 10
        ? " (the two workers seldom ran at once: a busy machine)"
        : ""),
    ours.wake.pingPongUs.median < 0.25 * 70,
  ));
  targets.push(fmt.targetRow(
    `idle waiter burns no core (CPU ≤ 10% of its ${ours.idle.waitMs} ms)`,
    `${fmt.ms(ours.idle.cpuMs)} CPU` + (ours.idle.timedOut ? "" : " (the wait did not time out!)"),
    ours.idle.timedOut && ours.idle.cpuMs <= 0.1 * ours.idle.waitMs,
  ));
  return targets;
}

/**
 * The "Synchronisation" section as text: one table of both sides, the targets with their
 * verdicts, then the ratios "ours vs Python".
 *
 * @param results What {@linkcode benchSync} measured.
 * @returns Lines ready to print.
 */
export function formatSync(results: SyncResults): string {
  const { ours, sizes } = results;
  const py = "skipped" in results.python ? undefined : results.python;
  const pyCell = (f: (p: PythonSync) => string) => (py === undefined ? "—" : f(py));
  const w = sizes.workers;
  const n = sizes.increments.toLocaleString("en-US");
  const total = ours.increments.rlock.total;
  const un = ours.uncontended;

  const rows: string[][] = [
    ["synchronisation", "ours (Deno workers)", "Python multiprocessing"],
    [
      "Lock acquire + release, uncontended, ns",
      fmt.medBest(un.lockNs, ns),
      pyCell((p) => fmt.medBest(p.uncontended.lockNs, ns)),
    ],
    [
      "RLock acquire + release, uncontended, ns",
      fmt.medBest(un.rlockNs, ns),
      pyCell((p) => fmt.medBest(p.uncontended.rlockNs, ns)),
    ],
    ["2 × Atomics.compareExchange (same worker), ns", fmt.medBest(un.casPairNs, ns), "—"],
  ];
  for (const kind of ["rlock", "lock"] as const) {
    const name = kind === "rlock" ? "RLock (default)" : "Lock";
    const o = ours.increments[kind];
    rows.push(
      [
        `${w} × ${n} locked += 1, ${name}: warm pool`,
        throughput(total, o.warmMs),
        "—",
      ],
      [
        `  … timed inside, after a Barrier`,
        throughput(total, o.gatedMs),
        pyCell((p) => throughput(total, p.increments[kind].gatedMs)),
      ],
      [
        `  … start included (ours: fresh Pool(${w}); Python: ${w} Process start + join)`,
        throughput(total, o.freshMs),
        pyCell((p) => throughput(total, p.increments[kind].includedMs)),
      ],
    );
    if (kind === "rlock") {
      rows.push([
        "  … inside, written `using _held = v.getLock().holdSync()`",
        throughput(total, ours.increments.rlockUsingHoldGatedMs),
        "—",
      ]);
    }
  }
  rows.push(
    [
      "Event wake-up, main → sleeping worker",
      fmt.medBest(ours.wake.fromMainUs, fmt.us),
      pyCell((p) => fmt.medBest(p.wake.fromMainUs, fmt.us)),
    ],
    [
      "Event wake-up, worker → sleeping worker",
      fmt.medBest(ours.wake.fromWorkerUs, fmt.us),
      pyCell((p) => fmt.medBest(p.wake.fromProcessUs, fmt.us)),
    ],
    [
      "Event ping-pong, 2 busy workers, per round trip",
      fmt.medBest(ours.wake.pingPongUs, fmt.us),
      pyCell((p) => fmt.medBest(p.wake.pingPongUs, fmt.us)),
    ],
    [
      "raw spin ping-pong, no library (floor), per round trip",
      fmt.medBest(ours.wake.rawSpinPingPongUs, fmt.us),
      "—",
    ],
    [
      `idle waitSync(${ours.idle.waitMs} ms) on an unset Event: process CPU`,
      `${fmt.ms(ours.idle.cpuMs)} over ${fmt.ms(ours.idle.waitedMs)}`,
      "—",
    ],
  );

  const lines: string[] = [];
  lines.push(
    `Synchronisation (${results.mode}): "median (best)"; uncontended pairs over ` +
      `${sizes.lockRounds} rounds of ${sizes.lockIters.toLocaleString("en-US")} in a worker` +
      (py === undefined ? "" : ` (Python: ${sizes.pythonLockRounds} × ` +
        `${sizes.pythonLockIters.toLocaleString("en-US")} in the main process, ` +
        `Python ${py.python}, ${py.startMethod})`) +
      `; ${sizes.incrementRepeats} runs of each increment variant; ${sizes.wakeRounds} ` +
      `wake-ups; ${sizes.pingPongRepeats} ping-pong runs of ` +
      `${sizes.pingPongs.toLocaleString("en-US")} round trips` +
      (py === undefined
        ? ""
        : ` (Python: one of ${sizes.pythonPingPongs.toLocaleString("en-US")})`) +
      ".",
  );
  lines.push("");
  lines.push(fmt.table(py === undefined ? rows.map((row) => row.slice(0, 2)) : rows));
  lines.push("");

  lines.push(fmt.targetTable(syncTargets(results)));
  const wrong = [...ours.increments.rlock.wrongCounts, ...ours.increments.lock.wrongCounts];
  for (const line of wrong) lines.push(`FAILURE: ${line}`);
  if (py !== undefined) {
    const pyWrong = [...py.increments.rlock.wrongCounts, ...py.increments.lock.wrongCounts];
    for (const line of pyWrong) lines.push(`Python FAILURE: ${line}`);
  }
  lines.push("");

  if (py === undefined) {
    lines.push(`Python (synchronisation): skipped (${pythonSkipped(results)}).`);
  } else {
    lines.push("Ours vs Python, synchronisation (medians):");
    const pairs: fmt.Ratio[] = [
      ["Lock acquire + release", un.lockNs.median, py.uncontended.lockNs.median, ns],
      ["RLock acquire + release", un.rlockNs.median, py.uncontended.rlockNs.median, ns],
    ];
    for (const kind of ["rlock", "lock"] as const) {
      const name = kind === "rlock" ? "RLock" : "Lock";
      pairs.push(
        [
          `increments, ${name}, timed inside`,
          ours.increments[kind].gatedMs.median,
          py.increments[kind].gatedMs.median,
          fmt.ms,
        ],
        [
          `increments, ${name}, start included`,
          ours.increments[kind].freshMs.median,
          py.increments[kind].includedMs.median,
          fmt.ms,
        ],
      );
    }
    pairs.push(
      ["Event wake-up from main", ours.wake.fromMainUs.median, py.wake.fromMainUs.median, fmt.us],
      [
        "Event wake-up from a worker",
        ours.wake.fromWorkerUs.median,
        py.wake.fromProcessUs.median,
        fmt.us,
      ],
      [
        "Event ping-pong round trip",
        ours.wake.pingPongUs.median,
        py.wake.pingPongUs.median,
        fmt.us,
      ],
    );
    lines.push(...fmt.ratioLines(pairs));
  }
  return lines.join("\n");
}

if (import.meta.main) {
  // `deno run -A bench/sync.ts [--quick] [--json FILE]`: this section alone.
  await runSection(Deno.args, {
    name: "synchronisation",
    python: `${fmt.pythonPath()} bench/python_sync.py`,
    run: benchSync,
    format: formatSync,
  });
}
