/**
 * Where a progress bar is drawn, and how it reads: one line of text (`45%|█████▌      |
 * 4500/10000 [00:01<00:01, 4123.4 it/s]`), redrawn in place on a terminal, as a display that
 * is updated in place in the Deno Jupyter kernel, or as an occasional plain line when stderr
 * goes to a file or a pipe.
 *
 * The kernel is detected without depending on it: `Deno.jupyter` exists only there (reading it
 * elsewhere throws), and its `broadcast("display_data" | "update_display_data", …)` with a
 * `transient.display_id` updates one output in place.
 *
 * @module
 */

/** What a display shows. */
export interface ProgressState {
  /** Items done. */
  count: number;
  /** Items expected, when known. */
  total: number | undefined;
  /** Milliseconds since the bar started. */
  elapsed: number;
  /** A label before the bar. */
  description: string | undefined;
}

/** A place a bar is drawn. */
export interface Display {
  /** Draws `state`, unless it drew less than its interval ago (`force`: draw anyway). */
  update(state: ProgressState, force?: boolean): void;
  /** Draws `state` one last time; resolves once it is out. */
  close(state: ProgressState): Promise<void>;
}

/** The part of `Deno.jupyter` a display needs. */
export interface JupyterLike {
  broadcast(msgType: string, content: Record<string, unknown>): Promise<void>;
}

const BLOCKS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
/** Characters of the bar between `|` and `|`. */
const BAR_WIDTH = 20;

/** `mm:ss`, or `h:mm:ss` from an hour, as tqdm writes times. */
export function formatClock(ms: number): string {
  if (!Number.isFinite(ms)) return "?";
  const total = Math.max(0, Math.round(ms / 1000));
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  const two = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}

/** Items per second, with about four significant digits. */
export function formatRate(count: number, ms: number): string {
  if (ms <= 0 || count === 0) return "? it/s";
  const rate = (count * 1000) / ms;
  if (rate < 1) return `${(1 / rate).toFixed(2)} s/it`;
  return `${rate >= 100 ? rate.toFixed(0) : rate.toFixed(2)} it/s`;
}

/** The bar itself: `width` cells filled to `fraction`, with eighths at the edge. */
export function formatBar(fraction: number, width = BAR_WIDTH): string {
  const eighths = Math.floor(Math.min(Math.max(fraction, 0), 1) * width * 8);
  const full = Math.floor(eighths / 8);
  const partial = full < width ? BLOCKS[eighths % 8]! : "";
  return "█".repeat(full) + partial + " ".repeat(width - full - (partial === "" ? 0 : 1));
}

/** The progress line, tqdm's way: percentage, bar, count, elapsed<remaining, rate. */
export function formatProgress(state: ProgressState): string {
  const { count, total, elapsed, description } = state;
  const label = description === undefined || description === "" ? "" : `${description}: `;
  const rate = formatRate(count, elapsed);
  if (total === undefined || !(total > 0)) {
    return `${label}${count} [${formatClock(elapsed)}, ${rate}]`;
  }
  const fraction = count / total;
  const remaining = count === 0 ? Infinity : (elapsed / count) * Math.max(total - count, 0);
  const percent = `${Math.floor(fraction * 100)}`.padStart(3);
  return `${label}${percent}%|${formatBar(fraction)}| ${count}/${total} ` +
    `[${formatClock(elapsed)}<${formatClock(remaining)}, ${rate}]`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The progress line as HTML, with a `<progress>` element for the notebook. */
export function formatHtml(state: ProgressState): string {
  const { count, total } = state;
  const known = total !== undefined && total > 0;
  const text = formatProgress({ ...state, description: undefined });
  const label = state.description === undefined ? "" : `${escapeHtml(state.description)} `;
  const bar = known ? `<progress value="${Math.min(count, total)}" max="${total}"` : `<progress`;
  return `<div style="font-family: monospace">${label}${bar} ` +
    `style="width: 18em; vertical-align: middle"></progress> ${escapeHtml(text)}</div>`;
}

/** Redraws one line in place on a terminal (`\r`, then clear to the end of the line). */
export class TerminalDisplay implements Display {
  readonly #write: (text: string) => void;
  readonly #interval: number;
  #last = -Infinity;

  constructor(write: (text: string) => void, interval: number) {
    this.#write = write;
    this.#interval = interval;
  }

  update(state: ProgressState, force = false): void {
    const now = performance.now();
    if (!force && now - this.#last < this.#interval) return;
    this.#last = now;
    this.#write(`\r${formatProgress(state)}\x1b[K`);
  }

  close(state: ProgressState): Promise<void> {
    this.#write(`\r${formatProgress(state)}\x1b[K\n`);
    return Promise.resolve();
  }
}

/** Prints a plain line now and then, for logs (stderr piped to a file). */
export class LinesDisplay implements Display {
  readonly #write: (text: string) => void;
  readonly #interval: number;
  #last: number;

  constructor(write: (text: string) => void, interval: number) {
    this.#write = write;
    this.#interval = interval;
    // The first line comes one interval in: a quick job prints only its final line.
    this.#last = performance.now();
  }

  update(state: ProgressState, force = false): void {
    const now = performance.now();
    if (!force && now - this.#last < this.#interval) return;
    this.#last = now;
    this.#write(`${formatProgress(state)}\n`);
  }

  close(state: ProgressState): Promise<void> {
    this.#write(`${formatProgress(state)}\n`);
    return Promise.resolve();
  }
}

/** One output of a notebook cell, updated in place through the kernel's display ids. */
export class JupyterDisplay implements Display {
  readonly #jupyter: JupyterLike;
  readonly #interval: number;
  readonly #id = `workers-multiprocessing-progress-${crypto.randomUUID()}`;
  #last = -Infinity;
  #shown = false;
  /** Broadcasts go out one after another, the first (`display_data`) before any update. */
  #chain: Promise<void> = Promise.resolve();

  constructor(jupyter: JupyterLike, interval: number) {
    this.#jupyter = jupyter;
    this.#interval = interval;
  }

  /** The display id of the output (for tests). */
  get id(): string {
    return this.#id;
  }

  #send(state: ProgressState): void {
    const kind = this.#shown ? "update_display_data" : "display_data";
    this.#shown = true;
    const content = {
      data: { "text/plain": formatProgress(state), "text/html": formatHtml(state) },
      metadata: {},
      transient: { display_id: this.#id },
    };
    // A display that cannot be drawn must not fail the work it reports on.
    this.#chain = this.#chain.then(() => this.#jupyter.broadcast(kind, content)).catch(() => {});
  }

  update(state: ProgressState, force = false): void {
    const now = performance.now();
    if (!force && now - this.#last < this.#interval) return;
    this.#last = now;
    this.#send({ ...state });
  }

  close(state: ProgressState): Promise<void> {
    this.#send({ ...state });
    return this.#chain;
  }
}

/** `Deno.jupyter` inside the Deno Jupyter kernel; `undefined` anywhere else. */
export function findJupyter(): JupyterLike | undefined {
  try {
    const jupyter = (Deno as unknown as { jupyter?: Partial<JupyterLike> }).jupyter;
    return typeof jupyter?.broadcast === "function" ? jupyter as JupyterLike : undefined;
  } catch {
    // Outside the kernel, reading Deno.jupyter throws.
    return undefined;
  }
}

const encoder = new TextEncoder();

/** Writes text to stderr, whole. */
export function writeStderr(text: string): void {
  const bytes = encoder.encode(text);
  let written = 0;
  while (written < bytes.length) written += Deno.stderr.writeSync(bytes.subarray(written));
}
