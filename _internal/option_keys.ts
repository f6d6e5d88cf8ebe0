/**
 * Refusing unknown option keys the same way everywhere: a typo (`maxtasksperchild`) or a
 * Python name (`max_tasks_per_child`, `error_callback`) would otherwise be ignored without a
 * word, and the option it meant left at its default. The `TypeError` names the key, the
 * options there are, and the one meant when one is close: the same letters in another case or
 * with `_`/`-` (snake_case to camelCase), or a few letters off.
 *
 * @module
 */

/**
 * Throws a `TypeError` for the first own enumerable key of `options` that `known` lacks:
 * `new Pool(): unknown option "maxtasksperchild" (did you mean "maxTasksPerChild"?); the
 * options are …`.
 *
 * @param options The options object (already checked to be an object).
 * @param known Every key the entry point reads.
 * @param subject Who takes the options, e.g. `"new Pool()"` or `"Queue.get()"`.
 * @param hints Extra words for keys known to be meant elsewhere, e.g. `{ processes: "…" }`.
 */
export function checkOptionKeys(
  options: object,
  known: readonly string[],
  subject: string,
  hints: Readonly<Record<string, string>> = {},
): void {
  const key = unknownKey(options, known);
  if (key !== undefined) refuseKey(key, known, subject, hints);
}

/**
 * The first own enumerable key of `options` that `known` lacks, if any: the check alone, for
 * a hot path (a few ns for a small object; {@linkcode refuseKey} builds the message).
 */
export function unknownKey(options: object, known: readonly string[]): string | undefined {
  for (const key in options) {
    if (!known.includes(key) && Object.hasOwn(options, key)) return key;
  }
  return undefined;
}

/** Throws the `TypeError` of {@linkcode checkOptionKeys} for `key`. */
export function refuseKey(
  key: string,
  known: readonly string[],
  subject: string,
  hints: Readonly<Record<string, string>> = {},
): never {
  const hint = Object.hasOwn(hints, key) ? hints[key] : undefined;
  const shown = JSON.stringify(key);
  if (known.length === 0) {
    throw new TypeError(
      `${subject} takes no options, got the option ${shown}${hint ? `: ${hint}` : ""}`,
    );
  }
  const close = closestKey(key, known);
  const meant = hint !== undefined
    ? ` (${hint})`
    : close === undefined
    ? ""
    : ` (did you mean "${close}"?)`;
  throw new TypeError(
    `${subject}: unknown option ${shown}${meant}; the options are ${
      known.map((k) => `"${k}"`).join(", ")
    }`,
  );
}

/** A key as compared for a suggestion: lower case, without `_` and `-`. */
function normal(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, "");
}

/**
 * The known key `key` most likely meant: the same up to case, `_` and `-`, else the nearest
 * by edit distance, if it is near enough (1 edit for keys up to 4 letters, 2 up to 8, else 3).
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const given = normal(key);
  let best: string | undefined;
  let bestDistance = given.length <= 4 ? 1 : given.length <= 8 ? 2 : 3;
  for (const candidate of known) {
    const distance = editDistance(given, normal(candidate));
    if (distance === 0) return candidate;
    if (distance <= bestDistance && (best === undefined || distance < bestDistance)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * The fewest insertions, deletions, substitutions and swaps of two neighbours (`nmae` → `name`)
 * from `a` to `b` (the optimal string alignment distance).
 */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    const up = rows[i - 1]!;
    for (let j = 1; j <= b.length; j++) {
      let best = Math.min(
        up[j]! + 1,
        row[j - 1]! + 1,
        up[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      }
      row[j] = best;
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}
