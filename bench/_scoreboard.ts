/**
 * The scoreboard of `deno task bench`: one table per section (pool, start-up, sync, ipc,
 * parallel, peers, scale, mpi), each row a target, what was measured and whether it was met;
 * printed at the end of the run, written into `bench/results.json` under `scoreboard`, and
 * checked by CI (`bench/check_scoreboard.ts`: every section produced rows, never a time).
 *
 * @module
 */

import { type TargetRow, targetTable } from "./_format.ts";

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
  rows: TargetRow[];
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
    lines.push(`### ${s.title}`, "", targetTable(s.rows), "");
    for (const row of s.rows) {
      if (row.met === true) met++;
      if (row.met === false) missed++;
    }
  }
  lines.push(`Targets met: ${met} of ${met + missed}.`);
  return lines.join("\n");
}
