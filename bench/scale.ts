/**
 * The "Scale on paper" section of `deno task bench`, and the many-worker half of "Start-up":
 * this machine has 2 cores, so how far one main thread scales is measured by what it costs the
 * main thread, not by wall time (issue 12).
 *
 * 1. Dispatch rate: with 8, 16 and 64 workers (oversubscribed), how many trivial calls per
 *    second the main thread hands out and collects, one `apply` each (`Promise.all` of them)
 *    and through `pool.map` (default chunk size): calls ÷ the main thread's own CPU time
 *    (`/proc/self/task/<pid>/schedstat`, nanoseconds on the CPU), and ÷ wall time. From the CPU
 *    rate R, the cores one main thread keeps busy with tasks of T seconds each are R × T.
 * 2. `new Pool(64)`: how long the constructor holds the main thread, when the first result
 *    arrives, and how long the main thread is blocked in total from `new Pool(64)` until all 64
 *    workers have each run a task: the constructor plus every stall of the event loop beyond
 *    2 ms, seen by a 1 ms timer (target: ≤ 5 ms in total); and its CPU time over that span
 *    (`new Worker()` mostly waits rather than computes).
 *
 * ```sh
 * deno run -A bench/scale.ts [--quick] [--json FILE]   # this section alone
 * ```
 *
 * The task function crosses into the workers by reference: it is exported here, and the
 * workers import this module, which runs its program only under `import.meta.main`.
 *
 * @module
 */

import { threadCount, threadsBackTo, threadsQuiet } from "./_threads.ts";
import { Pool } from "../mod.ts";
import * as fmt from "./_format.ts";
import { runSection } from "./_util.ts";
import { power10 } from "./_start_jobs.ts";

/** The trivial task (`x ** 10`), exported for this module's pools. */
export { power10 };

/**
 * Sleeps `ms` in the worker without spinning (so that a map of it needs every worker at once).
 *
 * @param ms How long.
 * @returns `ms`.
 */
export function nap(ms: number): number {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return ms;
}

/** How much work the section does. */
export interface ScaleSizes {
  /** Pool sizes of the dispatch rate. */
  workers: number[];
  /** Trivial calls per timed run. */
  calls: number;
  /** Timed runs per pool size and path. */
  repeats: number;
  /** Fresh `Pool(64)`s timed. */
  bigStarts: number;
  /** Workers of the start-up measurement. */
  bigWorkers: number;
}

/** Full sizes. */
export const SCALE_FULL: ScaleSizes = {
  workers: [8, 16, 64],
  calls: 50_000,
  repeats: 3,
  bigStarts: 3,
  bigWorkers: 64,
};

/** Small sizes, for `deno task bench --quick`. */
export const SCALE_QUICK: ScaleSizes = {
  workers: [8, 16, 64],
  calls: 5_000,
  repeats: 1,
  bigStarts: 1,
  bigWorkers: 64,
};

/** One pool size's dispatch rates, calls per second. */
export interface DispatchRate {
  /** Workers. */
  workers: number;
  /** One `apply` each: calls ÷ main-thread CPU seconds (`null` without schedstat). */
  applyPerCpuS: fmt.Summary | null;
  /** One `apply` each: calls ÷ wall seconds. */
  applyPerWallS: fmt.Summary;
  /** `pool.map` of the same calls: items ÷ main-thread CPU seconds. */
  mapPerCpuS: fmt.Summary | null;
  /** `pool.map`: items ÷ wall seconds. */
  mapPerWallS: fmt.Summary;
}

/** `new Pool(64)` on the main thread. */
export interface BigStart {
  /** Workers. */
  workers: number;
  /** How long the constructor took to return, ms. */
  constructorMs: fmt.Summary;
  /** `new Pool` to the first `apply` answered, ms. */
  firstResultMs: fmt.Summary;
  /** `new Pool` until every worker has run a task, ms. */
  allUpMs: fmt.Summary;
  /**
   * How long the main thread could not run anything else over the same span, ms: the
   * constructor, plus each stall of the event loop beyond 2 ms (a 1 ms timer probe's gaps).
   */
  blockedMs: fmt.Summary;
  /** The main thread's CPU time over the same span, ms (`null` without schedstat). */
  mainCpuMs: fmt.Summary | null;
}

/** A 1 ms timer probe of the event loop: the sum of its gaps' excess over 2 ms, once stopped. */
function stallProbe(): { stop(): number } {
  let last = performance.now();
  let stalled = 0;
  const id = setInterval(() => {
    const now = performance.now();
    stalled += Math.max(0, now - last - 2);
    last = now;
  }, 1);
  return {
    stop() {
      clearInterval(id);
      return stalled + Math.max(0, performance.now() - last - 2);
    },
  };
}

/** The section's results. */
export interface ScaleResults {
  /** `"full"` or `"quick"`. */
  mode: "full" | "quick";
  /** The sizes used. */
  sizes: ScaleSizes;
  /** The dispatch rate per pool size. */
  dispatch: DispatchRate[];
  /** `new Pool(64)`. */
  bigStart: BigStart;
}

/**
 * The main thread's CPU time so far, ms: the first field of `/proc/self/task/<pid>/schedstat`
 * (ns on the CPU; the main thread's id is the process id).
 *
 * @returns CPU time, ms, or `null` where the kernel does not provide it.
 */
export function mainThreadCpuMs(): number | null {
  try {
    const text = Deno.readTextFileSync(`/proc/self/task/${Deno.pid}/schedstat`);
    return Number(text.split(" ")[0]) / 1e6;
  } catch {
    return null;
  }
}

/** Runs `f`, returning its wall and main-thread CPU time, ms. */
async function timed(f: () => Promise<unknown>): Promise<{ wall: number; cpu: number | null }> {
  const cpu0 = mainThreadCpuMs();
  const t0 = performance.now();
  await f();
  const wall = performance.now() - t0;
  const cpu1 = mainThreadCpuMs();
  return { wall, cpu: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 };
}

const orNull = (xs: (number | null)[]): fmt.Summary | null =>
  xs.some((x) => x === null) ? null : fmt.summarize(xs as number[]);

async function dispatchRate(workers: number, sizes: ScaleSizes): Promise<DispatchRate> {
  await using pool = new Pool(workers);
  // Every worker up: a map of naps needs them all at once.
  await pool.map(nap, new Array(workers).fill(30), 1);
  const xs = Array.from({ length: sizes.calls }, (_, i) => i);
  await Promise.all(xs.slice(0, 1_000).map((x) => pool.apply(power10, [x])));
  const apply = { cpu: [] as (number | null)[], wall: [] as number[] };
  const map = { cpu: [] as (number | null)[], wall: [] as number[] };
  const per = (ms: number | null) => ms === null ? null : sizes.calls / (ms / 1e3);
  for (let r = 0; r < sizes.repeats; r++) {
    const a = await timed(() => Promise.all(xs.map((x) => pool.apply(power10, [x]))));
    apply.cpu.push(per(a.cpu));
    apply.wall.push(sizes.calls / (a.wall / 1e3));
    const m = await timed(() => pool.map(power10, xs));
    map.cpu.push(per(m.cpu));
    map.wall.push(sizes.calls / (m.wall / 1e3));
  }
  return {
    workers,
    applyPerCpuS: orNull(apply.cpu),
    applyPerWallS: fmt.summarize(apply.wall),
    mapPerCpuS: orNull(map.cpu),
    mapPerWallS: fmt.summarize(map.wall),
  };
}

async function bigStart(sizes: ScaleSizes): Promise<BigStart> {
  const workers = sizes.bigWorkers;
  const ctor: number[] = [];
  const first: number[] = [];
  const all: number[] = [];
  const cpu: (number | null)[] = [];
  const blocked: number[] = [];
  for (let r = 0; r < sizes.bigStarts; r++) {
    await threadsQuiet(); // the pools of the rows before are gone
    const threads = threadCount();
    const cpu0 = mainThreadCpuMs();
    const t0 = performance.now();
    const pool = new Pool(workers);
    ctor.push(performance.now() - t0);
    const probe = stallProbe();
    try {
      await pool.apply(power10, [1]);
      first.push(performance.now() - t0);
      await pool.map(nap, new Array(workers).fill(30), 1);
      all.push(performance.now() - t0);
      blocked.push(ctor.at(-1)! + probe.stop());
      const cpu1 = mainThreadCpuMs();
      // The naps: 30 ms of waiting in which the main thread has nothing to do.
      cpu.push(cpu0 === null || cpu1 === null ? null : cpu1 - cpu0);
    } finally {
      probe.stop();
      await pool.terminate();
      // 64 isolates take ~150 ms to go: the next start would pay for them.
      await threadsBackTo(threads, 5_000);
    }
  }
  return {
    workers,
    constructorMs: fmt.summarize(ctor),
    firstResultMs: fmt.summarize(first),
    allUpMs: fmt.summarize(all),
    blockedMs: fmt.summarize(blocked),
    mainCpuMs: orNull(cpu),
  };
}

/**
 * Runs the section.
 *
 * @param options `quick` for small sizes.
 * @returns The results.
 */
export async function benchScale(options: { quick: boolean }): Promise<ScaleResults> {
  const sizes = options.quick ? SCALE_QUICK : SCALE_FULL;
  const dispatch: DispatchRate[] = [];
  for (const workers of sizes.workers) dispatch.push(await dispatchRate(workers, sizes));
  return {
    mode: options.quick ? "quick" : "full",
    sizes,
    dispatch,
    bigStart: await bigStart(sizes),
  };
}

/** Task durations for "cores kept busy", seconds. */
export const TASK_SECONDS = [10e-6, 100e-6, 1e-3] as const;

/** A rate as text. */
function rateText(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k/s`;
  return `${perSecond.toFixed(0)}/s`;
}

/** Cores as text. */
function coresText(cores: number): string {
  return cores >= 100 ? cores.toFixed(0) : cores >= 10 ? cores.toFixed(1) : cores.toFixed(2);
}

/**
 * The lowest CPU dispatch rate over the pool sizes (the conservative one), per path.
 *
 * @param r The results.
 * @returns Calls per CPU second for `apply` and for `map`, or `null` without schedstat.
 */
export function worstRates(r: ScaleResults): { apply: number; map: number } | null {
  if (r.dispatch.some((d) => d.applyPerCpuS === null || d.mapPerCpuS === null)) return null;
  return {
    apply: Math.min(...r.dispatch.map((d) => d.applyPerCpuS!.median)),
    map: Math.min(...r.dispatch.map((d) => d.mapPerCpuS!.median)),
  };
}

/**
 * The rows of the "Scale on paper" and "Start-up (64 workers)" tables.
 *
 * @param r The results.
 * @returns The rows of each.
 */
export function scaleTargets(
  r: ScaleResults,
): { scale: fmt.TargetRow[]; bigStart: fmt.TargetRow[] } {
  const scale: fmt.TargetRow[] = [];
  for (const d of r.dispatch) {
    for (
      const [path, cpu, wall] of [
        ["one apply each", d.applyPerCpuS, d.applyPerWallS],
        ["pool.map", d.mapPerCpuS, d.mapPerWallS],
      ] as const
    ) {
      scale.push(fmt.targetRow(
        `dispatch rate, Pool(${d.workers}), ${path}: per main-thread CPU second (per wall second)`,
        `${cpu === null ? "no schedstat" : rateText(cpu.median)} (${rateText(wall.median)})`,
        null,
      ));
    }
  }
  const worst = worstRates(r);
  if (worst !== null) {
    for (
      const [path, rate] of [["one apply each", worst.apply], ["pool.map", worst.map]] as const
    ) {
      scale.push(fmt.targetRow(
        `cores one main thread keeps busy, ${path}, tasks of 10 µs / 100 µs / 1 ms`,
        TASK_SECONDS.map((t) => coresText(rate * t)).join(" / "),
        null,
      ));
    }
  }
  const b = r.bigStart;
  const bigStart: fmt.TargetRow[] = [
    fmt.targetRow(
      `main thread blocked by new Pool(${b.workers}) ≤ 5 ms in total (constructor + event-loop ` +
        `stalls until every worker ran a task)`,
      `${fmt.ms(b.blockedMs.median)} (constructor ${
        fmt.ms(b.constructorMs.median)
      }; main-thread CPU ` +
        `${b.mainCpuMs === null ? "not measured" : fmt.ms(b.mainCpuMs.median)})`,
      b.blockedMs.median <= 5,
    ),
    fmt.targetRow(
      `new Pool(${b.workers}): first result, every worker up`,
      `${fmt.ms(b.firstResultMs.median)}, ${fmt.ms(b.allUpMs.median)}`,
      null,
    ),
  ];
  return { scale, bigStart };
}

/**
 * The section as text.
 *
 * @param r The results.
 * @returns The text.
 */
export function formatScale(r: ScaleResults): string {
  const rows = [[
    `${r.sizes.calls.toLocaleString("en-US")} trivial calls`,
    "apply: per CPU s",
    "apply: per wall s",
    "map: per CPU s",
    "map: per wall s",
  ]];
  const cell = (s: fmt.Summary | null) => s === null ? "—" : rateText(s.median);
  for (const d of r.dispatch) {
    rows.push([
      `Pool(${d.workers})`,
      cell(d.applyPerCpuS),
      cell(d.applyPerWallS),
      cell(d.mapPerCpuS),
      cell(d.mapPerWallS),
    ]);
  }
  const b = r.bigStart;
  const { scale, bigStart } = scaleTargets(r);
  return [
    `Scale on paper (${r.mode}): calls per second one main thread hands out and collects, ` +
    `per second of its own CPU time (and of wall time, on ${navigator.hardwareConcurrency} ` +
    `cores); medians of ${r.sizes.repeats} run(s).`,
    "",
    fmt.table(rows),
    "",
    fmt.targetTable(scale),
    "",
    `new Pool(${b.workers}), ${r.sizes.bigStarts} fresh pool(s): constructor ` +
    `${fmt.medBest(b.constructorMs)}, first result ${
      fmt.medBest(b.firstResultMs)
    }, every worker up ` +
    `${fmt.medBest(b.allUpMs)}, main thread blocked ${fmt.medBest(b.blockedMs)}, its CPU ` +
    (b.mainCpuMs === null ? "not measured (no schedstat)" : fmt.medBest(b.mainCpuMs)) + ".",
    "",
    fmt.targetTable(bigStart),
  ].join("\n");
}

if (import.meta.main) {
  await runSection(Deno.args, {
    name: "scale",
    python: "none",
    run: benchScale,
    format: formatScale,
  });
}
