/**
 * CI's check of a `deno task bench --quick` run: every section of the scoreboard in
 * `bench/results.json` (or the file given) produced at least one row. It never looks at a time.
 *
 * ```sh
 * deno run -A bench/check_scoreboard.ts [bench/results.json]
 * ```
 *
 * @module
 */

import type { ScoreSection } from "./_scoreboard.ts";
import { SECTIONS } from "./_scoreboard.ts";

if (import.meta.main) {
  const file = Deno.args[0] ?? new URL("./results.json", import.meta.url);
  const report = JSON.parse(await Deno.readTextFile(file)) as { scoreboard?: ScoreSection[] };
  const problems: string[] = [];
  for (const name of SECTIONS) {
    const section = report.scoreboard?.find((s) => s.section === name);
    if (section === undefined) problems.push(`section ${name} is missing`);
    else if (section.rows.length === 0) problems.push(`section ${name} has no rows`);
  }
  if (problems.length > 0) {
    console.error(`The scoreboard is incomplete: ${problems.join("; ")}.`);
    Deno.exit(1);
  }
  const rows = report.scoreboard!.reduce((n, s) => n + s.rows.length, 0);
  console.log(`scoreboard: ${SECTIONS.length} sections, ${rows} rows`);
}
