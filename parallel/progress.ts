/**
 * {@linkcode ProgressBar} and {@linkcode progress}: a live progress bar with count, rate and
 * time remaining, drawn where the program runs: redrawn in place on a terminal, as an output
 * updated in place in the Deno Jupyter kernel, or as an occasional line in a log.
 *
 * @module
 */

import {
  type Display,
  findJupyter,
  formatProgress,
  JupyterDisplay,
  LinesDisplay,
  type ProgressState,
  TerminalDisplay,
  writeStderr,
} from "./_progress_display.ts";
import { assertNumber, describeValue } from "../_internal/checks.ts";
import { checkOptionKeys } from "../_internal/option_keys.ts";

/**
 * Where a {@linkcode ProgressBar} is drawn.
 *
 * - `"auto"`: `"jupyter"` inside the Deno Jupyter kernel, else `"terminal"` when stderr is a
 *   terminal (and no `write` is given), else `"lines"`.
 * - `"terminal"`: one line on stderr, redrawn in place with `\r`.
 * - `"jupyter"`: an output of the notebook cell, updated in place (a `<progress>` element and
 *   the text line); needs the kernel.
 * - `"lines"`: a plain line now and then (every `interval`), and a last one at the end.
 */
export type ProgressDisplay = "auto" | "terminal" | "jupyter" | "lines";

/** Options of {@linkcode ProgressBar} and {@linkcode progress}. */
export interface ProgressOptions {
  /**
   * Items expected, for the percentage and the time remaining; may also be set later through
   * {@linkcode ProgressBar.total}.
   * @default {the input's length, for arrays (and `size` for sets and maps); else unknown}
   */
  total?: number;
  /** A label before the bar, e.g. `"scatter"`. */
  description?: string;
  /**
   * Where to draw.
   * @default {"auto"}
   */
  display?: ProgressDisplay;
  /**
   * Least time between two redraws, in milliseconds.
   * @default {100 on a terminal, 200 in Jupyter, 5000 for lines}
   */
  interval?: number;
  /**
   * Where the `"terminal"` and `"lines"` text goes.
   * @default {stderr}
   */
  write?: (text: string) => void;
}

/** The keys of {@linkcode ProgressOptions}. */
const PROGRESS_KEYS: readonly string[] = ["total", "description", "display", "interval", "write"];

/** tqdm's names of the same options. */
const TQDM_HINTS: Readonly<Record<string, string>> = {
  desc: `tqdm's "desc" is "description" here`,
  mininterval: `tqdm's "mininterval" is "interval" here, in milliseconds`,
  file: `tqdm's "file" is "write" here, a function taking the text`,
};

const INTERVALS: Record<Exclude<ProgressDisplay, "auto">, number> = {
  terminal: 100,
  jupyter: 200,
  lines: 5000,
};

/**
 * A progress bar: count, percentage, rate and time remaining, redrawn as {@linkcode update} is
 * called (at most once per `interval`) and one last time by {@linkcode close}. See
 * {@linkcode ProgressDisplay} for where it is drawn.
 *
 * @example Drawn into a string, to show its text
 * ```ts
 * import { ProgressBar } from "@workers/multiprocessing/parallel";
 * import assert from "node:assert/strict";
 *
 * let out = "";
 * const bar = new ProgressBar({
 *   total: 4,
 *   description: "work",
 *   display: "lines",
 *   write: (text) => out += text,
 * });
 * bar.update(3);
 * assert.equal(bar.count, 3);
 * assert.match(bar.text(), /^work:  75%\|█{15} {5}\| 3\/4 \[/);
 * bar.update();
 * await bar.close();
 * assert.match(out, /^work: 100%\|█{20}\| 4\/4 \[00:00<00:00, .* it\/s\]\n$/);
 * ```
 */
export class ProgressBar implements AsyncDisposable {
  readonly #display: Display;
  readonly #kind: Exclude<ProgressDisplay, "auto">;
  readonly #start = performance.now();
  readonly #description: string | undefined;
  #count = 0;
  #total: number | undefined;
  #closed: Promise<void> | undefined;

  /**
   * Starts the bar (its clock starts now).
   *
   * @param options See {@linkcode ProgressOptions}.
   * @throws {RangeError} `display` is unknown, `display: "jupyter"` outside the kernel, or
   *   `total`/`interval` is negative.
   * @throws {TypeError} `options` is not an object, an option is unknown or of the wrong type.
   */
  constructor(options: ProgressOptions = {}) {
    const { total, description, interval, write, kind, jupyter } = checkBar(
      options,
      "new ProgressBar()",
    );
    const every = interval ?? INTERVALS[kind];
    const sink = write ?? writeStderr;
    if (kind === "jupyter") {
      this.#display = new JupyterDisplay(jupyter!, every);
    } else if (kind === "terminal") {
      this.#display = new TerminalDisplay(sink, every);
    } else {
      this.#display = new LinesDisplay(sink, every);
    }
    this.#kind = kind;
    this.#description = description;
    this.#total = total;
    // A terminal or a notebook shows the bar at once; a log gets its first line later.
    this.#display.update(this.#state());
  }

  /** Where the bar is drawn (`"auto"` resolved). */
  get display(): Exclude<ProgressDisplay, "auto"> {
    return this.#kind;
  }

  /** Items done so far. */
  get count(): number {
    return this.#count;
  }

  /** Items expected, when known. */
  get total(): number | undefined {
    return this.#total;
  }

  set total(total: number | undefined) {
    checkTotal(total);
    this.#total = total;
  }

  #state(): ProgressState {
    return {
      count: this.#count,
      total: this.#total,
      elapsed: performance.now() - this.#start,
      description: this.#description,
    };
  }

  /**
   * Counts `n` more items done, and redraws if the last draw is older than the interval.
   *
   * @param n Items done since the last update. @default {1}
   * @throws {TypeError} `n` is not a number.
   * @throws {RangeError} `n` is `NaN` or infinite.
   */
  update(n = 1): void {
    assertNumber(n, `ProgressBar.update(): "n"`, "a finite number of items");
    if (!Number.isFinite(n)) {
      throw new RangeError(
        `ProgressBar.update(): "n" must be a finite number of items, got ${describeValue(n)}`,
      );
    }
    if (this.#closed !== undefined) return;
    this.#count += n;
    this.#display.update(this.#state());
  }

  /**
   * The bar as one line of text, as drawn now.
   *
   * @returns E.g. `" 45%|█████████           | 4500/10000 [00:01<00:01, 4123 it/s]"`.
   */
  text(): string {
    return formatProgress(this.#state());
  }

  /**
   * Draws the bar one last time (and ends the terminal's line). Idempotent.
   *
   * @returns Resolves once the last drawing is out (in Jupyter, once the kernel took it).
   */
  close(): Promise<void> {
    this.#closed ??= this.#display.close(this.#state());
    return this.#closed;
  }

  /** Closes the bar, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** A bar's options, checked, with where it is drawn. */
interface CheckedBar extends ProgressOptions {
  kind: Exclude<ProgressDisplay, "auto">;
  jupyter: ReturnType<typeof findJupyter>;
}

/** Checks a bar's options, with no effect: each error names the option and the fix. */
function checkBar(options: unknown, subject: string): CheckedBar {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(
      `${subject}: "options" must be an object such as { total: 100, description: "work" }, ` +
        `got ${describeValue(options)}`,
    );
  }
  checkOptionKeys(options, PROGRESS_KEYS, subject, TQDM_HINTS);
  const { total, description, interval, write, display } = options as ProgressOptions;
  checkTotal(total);
  if (interval !== undefined) {
    assertNumber(interval, `"interval"`, "a number of milliseconds, at least 0");
    if (!(interval >= 0)) {
      throw new RangeError(
        `"interval" must be a number of milliseconds, at least 0, got ${describeValue(interval)}`,
      );
    }
  }
  if (write !== undefined && typeof write !== "function") {
    throw new TypeError(
      `"write" must be a function taking the text to print, got ${describeValue(write)}`,
    );
  }
  if (description !== undefined && typeof description !== "string") {
    throw new TypeError(
      `"description" must be a string, the label before the bar, got ${
        describeValue(description)
      }: pass e.g. { description: "scatter" }`,
    );
  }
  const requested: unknown = display ?? "auto";
  const jupyter = findJupyter();
  let kind: Exclude<ProgressDisplay, "auto">;
  if (requested === "auto") {
    if (jupyter !== undefined) kind = "jupyter";
    else kind = write === undefined && Deno.stderr.isTerminal() ? "terminal" : "lines";
  } else if (typeof requested === "string" && Object.hasOwn(INTERVALS, requested)) {
    kind = requested as Exclude<ProgressDisplay, "auto">;
  } else {
    throw new RangeError(
      `"display" must be "auto", "terminal", "jupyter" or "lines", got ${
        typeof requested === "string" ? JSON.stringify(requested) : describeValue(requested)
      }`,
    );
  }
  if (kind === "jupyter" && jupyter === undefined) {
    throw new RangeError(
      `display "jupyter" needs the Deno Jupyter kernel: use "auto" to draw wherever the ` +
        `program runs`,
    );
  }
  const checked: CheckedBar = { kind, jupyter };
  if (total !== undefined) checked.total = total;
  if (description !== undefined) checked.description = description;
  if (interval !== undefined) checked.interval = interval;
  if (write !== undefined) checked.write = write;
  return checked;
}

function checkTotal(total: unknown): void {
  if (total === undefined) return;
  const expected = "how many items are expected (a number, at least 0)";
  assertNumber(total, `"total"`, expected);
  if (!(total >= 0)) {
    throw new RangeError(`"total" must be ${expected}, got ${describeValue(total)}`);
  }
}

function lengthOf(input: unknown): number | undefined {
  if (Array.isArray(input) || ArrayBuffer.isView(input)) {
    return (input as ArrayLike<unknown>).length;
  }
  if (input instanceof Set || input instanceof Map) return input.size;
  return undefined;
}

/**
 * Passes the items of `iterable` through, drawing a {@linkcode ProgressBar} of how many have
 * gone by: wrap a loop's input, a `pool.imap`, or a `Parallel` generator in it. The bar is
 * closed when the loop ends, however it ends.
 *
 * @param iterable Any iterable or async iterable.
 * @param options See {@linkcode ProgressOptions}; `total` defaults to the length of an array.
 * @returns The same items, in the same order.
 * @throws {TypeError} `iterable` is not iterable, or `options` is not an object (or has an
 *   unknown option, or one of the wrong type), at once, before the loop starts.
 * @throws {RangeError} An option is out of range (as for {@linkcode ProgressBar}).
 *
 * @example A bar over `pool.imap`
 * ```ts
 * import { Pool } from "@workers/multiprocessing";
 * import { progress } from "@workers/multiprocessing/parallel";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool(2);
 * const n = 100;
 * let sum = 0;
 * const lines: string[] = [];
 * const squares = pool.imap((x: number) => x * x, [...Array(n).keys()], 10);
 * for await (const y of progress(squares, { total: n, write: (t) => lines.push(t) })) {
 *   sum += y;
 * }
 * assert.equal(sum, 328350);
 * assert.match(lines.at(-1)!, /100%\|█{20}\| 100\/100/);
 * ```
 */
export function progress<T>(
  iterable: Iterable<T> | AsyncIterable<T>,
  options: ProgressOptions = {},
): AsyncGenerator<T, void, undefined> {
  const given = iterable as Partial<Iterable<T> & AsyncIterable<T>> | null | undefined;
  if (
    given === null || given === undefined ||
    (typeof given[Symbol.iterator] !== "function" &&
      typeof given[Symbol.asyncIterator] !== "function")
  ) {
    throw new TypeError(
      `progress(): "iterable" must be iterable (an array, a generator, pool.imap(…), an ` +
        `async iterable…), got ${describeValue(iterable)}`,
    );
  }
  // Checked now, rather than at the first next() of the loop (the bar starts with the loop).
  checkBar(options, "progress()");
  const total = options.total ?? lengthOf(iterable);
  return bars(iterable, total === undefined ? options : { ...options, total });
}

async function* bars<T>(
  iterable: Iterable<T> | AsyncIterable<T>,
  options: ProgressOptions,
): AsyncGenerator<T, void, undefined> {
  await using bar = new ProgressBar(options);
  for await (const item of iterable) {
    bar.update();
    yield item;
  }
}
