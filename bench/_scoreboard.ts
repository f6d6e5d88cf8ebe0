/**
 * The scoreboard of `deno task bench`: one table per section (pool, start-up, sync, ipc,
 * parallel, peers, scale, mpi), each row a target, what was measured and whether it was met;
 * printed at the end of the run, written into `bench/results.json` under `scoreboard`, and
 * checked by CI (`bench/check_scoreboard.ts`: every section produced rows, never a time).
 *
 * @module
 */

import * as fmt from "./_format.ts";
import type { BenchReport } from "./main.ts";
import { bigArrayTargets } from "./big_array.ts";
import { ipcTargets } from "./ipc.ts";
import { mpiTargets } from "./mpi.ts";
import { mpiPoolTargets } from "./mpi_pool.ts";
import { parallelTargets } from "./parallel.ts";
import { peersTargets } from "./peers.ts";
import { scaleTargets } from "./scale.ts";
import { syncTargets } from "./sync.ts";

/** The sections of the scoreboard, in the order printed. */
export const SECTIONS = [
  "pool",
  "start-up",
  "sync",
  "ipc",
  "parallel",
  "peers",
  "scale",
  "mpi",
] as const;

/** One of {@linkcode SECTIONS}. */
export type SectionName = typeof SECTIONS[number];

/** One section's table. */
export interface ScoreSection {
  /** Its name. */
  section: SectionName;
  /** Its heading. */
  title: string;
  /** Its rows (a skipped section has one row saying why). */
  rows: fmt.TargetRow[];
}

/**
 * The scoreboard as text: a heading and a table per section, then the count of targets met.
 *
 * @param sections The sections.
 * @returns The text.
 */
export function formatScoreboard(sections: ScoreSection[]): string {
  const lines = ["## Scoreboard", ""];
  let met = 0;
  let missed = 0;
  for (const s of sections) {
    lines.push(`### ${s.title}`, "", fmt.targetTable(s.rows), "");
    for (const row of s.rows) {
      if (row.met === true) met++;
      if (row.met === false) missed++;
    }
  }
  lines.push(`Targets met: ${met} of ${met + missed}.`);
  return lines.join("\n");
}

/**
 * The pool section's targets (issue 12): Pi's speedup with the pool started and with its start,
 * the trivial map against Python's, the sequential round trip.
 *
 * @param report The results.
 * @returns The rows.
 */
export function poolTargets(report: BenchReport): fmt.TargetRow[] {
  const ours = report.ours;
  const py = "skipped" in report.python ? undefined : report.python;
  const w = report.sizes.workers;
  const serial = ours.pi.serialS.median;
  const ex = serial / ours.pi.poolExcludedS.median;
  const inc = serial / ours.pi.poolIncludedS.median;
  const n = report.sizes.mapSize.toLocaleString("en-US");
  const rows = [
    fmt.targetRow(
      `Pi on Pool(${w}) ≥ 1.95× serial, pool started`,
      `×${ex.toFixed(2)} (bare Web Workers: ×` +
        `${(serial / ours.pi.bareWorkersS.median).toFixed(2)})`,
      ex >= 1.95,
    ),
    fmt.targetRow(
      `Pi on Pool(${w}) ≥ 1.75× serial, its start included`,
      `×${inc.toFixed(2)}`,
      inc >= 1.75,
    ),
  ];
  const map = py === undefined
    ? undefined
    : ours.trivialMap.poolMs.median / py.trivialMap.poolMs.median;
  rows.push(fmt.targetRow(
    `Pool(${w}).map of \`x ** 10\` over ${n} ≤ 0.3× Python's Pool(${w}).map`,
    map === undefined
      ? `${fmt.ms(ours.trivialMap.poolMs.median)}; Python skipped`
      : `${map.toFixed(2)}× (${fmt.ms(ours.trivialMap.poolMs.median)} vs ` +
        `${fmt.ms(py!.trivialMap.poolMs.median)})`,
    map === undefined ? null : map <= 0.3,
  ));
  rows.push(fmt.targetRow(
    "sequential apply round trip ≤ 5 µs",
    fmt.us(ours.apply.perCallUs) +
      (py === undefined ? "" : ` (Python's Pool.apply: ${fmt.us(py.apply.perCallUs)})`),
    ours.apply.perCallUs <= 5,
  ));
  return rows;
}

/**
 * The start-up section's targets (issue 12): `new Pool(2)` to its first result, by reference
 * and by value, beside Python's fork; and, when measured, the main thread's time blocked by
 * `new Pool(64)`.
 *
 * @param report The results.
 * @returns The rows.
 */
export function startupTargets(report: BenchReport): fmt.TargetRow[] {
  const ours = report.ours;
  const py = "skipped" in report.python ? undefined : report.python;
  const w = report.sizes.workers;
  const rows = [
    fmt.targetRow(
      `new Pool(${w}) to first result ≤ 15 ms, function by reference (median)`,
      fmt.medBest(ours.startMs) +
        (py === undefined ? "" : `; Python's fork Pool: ${fmt.ms(py.startMs.median)}`),
      ours.startMs.median <= 15,
    ),
    fmt.targetRow(
      `new Pool(${w}) to first result ≤ 15 ms, function by value (median)`,
      fmt.medBest(ours.startByValueMs),
      ours.startByValueMs.median <= 15,
    ),
  ];
  if (report.scale !== undefined) rows.push(...scaleTargets(report.scale).bigStart);
  return rows;
}

/**
 * The scoreboard: one table per section, from the report's results.
 *
 * @param report The results.
 * @returns The sections, in {@linkcode SECTIONS}'s order.
 */
export function scoreboard(report: BenchReport): ScoreSection[] {
  const missing = (what: string): fmt.TargetRow[] => [fmt.targetRow(what, "not run", null)];
  const mpi = report.mpi;
  return [
    { section: "pool", title: "Pool", rows: poolTargets(report) },
    { section: "start-up", title: "Start-up", rows: startupTargets(report) },
    {
      section: "sync",
      title: "Synchronisation",
      rows: report.sync === undefined ? missing("sync") : syncTargets(report.sync),
    },
    {
      section: "ipc",
      title: "Message passing",
      rows: [
        ...(report.ipc === undefined ? missing("ipc") : ipcTargets(report.ipc)),
        ...(report.bigArray === undefined ? [] : bigArrayTargets(report.bigArray)),
      ],
    },
    {
      section: "parallel",
      title: "joblib Parallel",
      rows: report.parallel === undefined ? missing("parallel") : parallelTargets(report.parallel),
    },
    {
      section: "peers",
      title: "Peers: piscina, tinypool, workerpool",
      rows: report.peers === undefined ? missing("peers") : peersTargets(report.peers),
    },
    {
      section: "scale",
      title: "Scale on paper",
      rows: report.scale === undefined ? missing("scale") : scaleTargets(report.scale).scale,
    },
    {
      section: "mpi",
      title: "MPI: Comm vs mpi4py",
      rows: mpi === undefined
        ? missing("mpi")
        : "skipped" in mpi
        ? [fmt.targetRow("MPI, 2 ranks", `skipped: ${mpi.skipped}`, null)]
        : [
          ...mpiTargets(mpi),
          ...(report.mpiPool === undefined ? [] : mpiPoolTargets(report.mpiPool)),
        ],
    },
  ];
}
