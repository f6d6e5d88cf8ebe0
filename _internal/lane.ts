/**
 * The fast lane between the main program and one idle pool worker: a `SharedArrayBuffer` in
 * which a small chunk and its answer travel without `postMessage`, for the sequential
 * `await pool.apply(…)` of one call after another.
 *
 * A `postMessage` costs 5–8 µs in Deno 2.9 on each side (most of it waking the other
 * thread's event loop), so a round trip by message costs 13–15 µs bare and ~26 µs with a
 * pool's bookkeeping. Through the lane, an idle worker spins on a cell for a while after its
 * last answer ({@linkcode PARK_MS}: it spins, then sleeps on a cell the main program wakes it
 * by), the main program writes the next chunk into the buffer,
 * and spins for the answer ({@linkcode COLLECT_MS}), so neither event loop is woken.
 *
 * Two cells decide who owns what, each by compare-and-swap, so nothing is lost or run twice:
 *
 * - the **task** cell: the worker sets `PARKED` when it starts spinning. The main program
 *   writes the chunk's bytes, then swaps `PARKED` for `TASK`; the worker, when its spin ends,
 *   swaps `PARKED` for `AWAY`. Exactly one swap wins: the chunk is the worker's (it runs it),
 *   or the main program sends it by message. A message sent to a parked worker first swaps
 *   `PARKED` for `AWAY` too, so the worker goes back to its event loop at once (`wake`).
 * - the **answer** cell: the main program sets `WAITING` with each chunk it sends through the
 *   lane. The worker writes the answer's bytes, then swaps `WAITING` for `READY`; the main
 *   program, when it stops spinning, swaps `WAITING` for `GAVE_UP`. If the main program gave
 *   up first, or the answer does not fit, or the task printed (its console output travels by
 *   message and must come first), the answer goes by message (`BY_MESSAGE` ends the main
 *   program's spin at once).
 *
 * Spinning pays only while both threads have a core: when the main program's spin misses
 * (the answer did not come in time) it lets the next chances pass, twice as many after each
 * miss in a row (up to {@linkcode MAX_BACKOFF}), so a long task or a loaded machine soon goes
 * by message alone; an idle worker waits at most {@linkcode PARK_MS} after each answer (spinning
 * only {@linkcode PARK_SPIN_MS}). And
 * every {@linkcode STREAK_MS} one answer goes by message, so the main program's event loop
 * turns (answers taken in the lane settle in microtasks, one call after another).
 *
 * A chunk goes through the lane only when it is one call, fits, moves no buffers and holds no
 * shared objects; a worker that dies running it is reported by its
 * `crashed` message as with any chunk (its claim cell says it ran).
 *
 * @module
 */

import { decode, encodeMessage } from "./codec.ts";

/** How long an idle worker waits for a next chunk after its last answer (milliseconds). */
export const PARK_MS = 0.5;
/** How long of {@linkcode PARK_MS} it spins, before it sleeps on the lane's cell. */
export const PARK_SPIN_MS = 0.02;
/** How long the main program spins for the answer of a chunk it sent (milliseconds). */
export const COLLECT_MS = 0.05;

/** The most chances to use the lane the main program lets pass after misses in a row. */
const MAX_BACKOFF = 64;

/**
 * The longest the main program takes answers through the lane in a row (milliseconds) before
 * it lets one come by message, so that its event loop turns (timers, I/O, other workers).
 */
const STREAK_MS = 2;

/** The task cell's states. */
const AWAY = 0, PARKED = 1, TASK = 2;
/** The answer cell's states. */
const IDLE = 0, WAITING = 1, READY = 2, GAVE_UP = 3, BY_MESSAGE = 4;

const TASK_STATE = 0, TASK_LENGTH = 1, ANSWER_STATE = 2, ANSWER_LENGTH = 3, RECEIVED = 4;
const HEADER = 32;
/** Bytes for a chunk, and as many for its answer. */
const AREA = 16 * 1024;

/** One worker's lane. */
export class Lane {
  /** The buffer, sent to the worker with its `init`. */
  readonly buffer: SharedArrayBuffer;
  readonly #cells: Int32Array<SharedArrayBuffer>;
  readonly #task: Uint8Array<SharedArrayBuffer>;
  readonly #answer: Uint8Array<SharedArrayBuffer>;
  /**
   * This side's back-off: how many chances to use the lane it lets pass now, and how many it
   * lets pass after its next miss. Each side keeps its own.
   */
  #skip = 0;
  #penalty = 0;
  /** When the main program's current run of answers taken through the lane began. */
  #streak = 0;

  /** @param buffer The lane's buffer: a new one (main program), or the one sent (worker). */
  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(HEADER + 2 * AREA)) {
    this.buffer = buffer;
    this.#cells = new Int32Array(buffer, 0, HEADER / 4);
    this.#task = new Uint8Array(buffer, HEADER, AREA);
    this.#answer = new Uint8Array(buffer, HEADER + AREA, AREA);
  }

  // Main program's side.

  /** Whether the worker spins for a chunk now (a hint: it may leave at any moment). */
  parked(): boolean {
    return Atomics.load(this.#cells, TASK_STATE) === PARKED;
  }

  /**
   * Hands `message` to the parked worker: `true` when it took it (its answer will come
   * through `collect`, or by message), `false` when it left first, has not received all of
   * the `posted` messages sent to it yet, or the message does not fit or cannot be encoded
   * here (send it by message then).
   */
  offer(message: unknown, posted: number): boolean {
    if (this.#skip > 0) {
      this.#skip--;
      return false;
    }
    // Parked with a message of ours still on its way (posted, not yet received): that message
    // must run first (it may define the function this chunk calls).
    if (!this.parked() || Atomics.load(this.#cells, RECEIVED) !== posted) return false;
    let bytes: Uint8Array;
    try {
      bytes = encodeMessage(message, "the chunk");
    } catch {
      return false;
    }
    if (bytes.length > AREA) return false;
    this.#task.set(bytes);
    Atomics.store(this.#cells, TASK_LENGTH, bytes.length);
    Atomics.store(this.#cells, ANSWER_STATE, WAITING);
    if (Atomics.compareExchange(this.#cells, TASK_STATE, PARKED, TASK) !== PARKED) return false;
    Atomics.notify(this.#cells, TASK_STATE);
    return true;
  }

  /** Sends a parked worker back to its event loop, where a message waits for it. */
  wake(): void {
    if (Atomics.compareExchange(this.#cells, TASK_STATE, PARKED, AWAY) === PARKED) {
      Atomics.notify(this.#cells, TASK_STATE);
    }
  }

  /**
   * Spins up to `ms` for the answer of the chunk `offer` handed over: the answer, or
   * `undefined` when it comes by message instead (it was not ready in time, or the worker
   * sent it so).
   */
  collect(ms: number): unknown {
    const cells = this.#cells;
    // Answers taken here in a row never let the event loop turn (each settles in a microtask
    // and the next call comes in the next): after a while, one goes by message.
    const now = performance.now();
    if (now - this.#streak > STREAK_MS) {
      this.#streak = now;
      ms = 0;
    }
    let state = spin(cells, ANSWER_STATE, WAITING, ms);
    if (state === WAITING) {
      state = Atomics.compareExchange(cells, ANSWER_STATE, WAITING, GAVE_UP);
      if (state === WAITING) {
        // Not in time: the task is long, or the cores are taken (a spinning thread then
        // wastes its turn). Leave the lane alone for a while, longer each time in a row.
        if (ms > 0) this.#skip = this.#penalty = Math.min(2 * this.#penalty || 1, MAX_BACKOFF);
        return undefined;
      }
    }
    if (state === READY) this.#penalty = 0;
    else this.#streak = performance.now();
    if (state !== READY) return undefined;
    // Decoded in place before the cell is freed (the worker writes the answer area only for a
    // next chunk, which comes after), with nothing decoded a view of it.
    const answer = decode(this.#answer.subarray(0, Atomics.load(cells, ANSWER_LENGTH)));
    Atomics.store(cells, ANSWER_STATE, IDLE);
    return answer;
  }

  // Worker's side.

  /** Says how many messages of the main program this worker has received so far. */
  received(count: number): void {
    Atomics.store(this.#cells, RECEIVED, count);
  }

  /**
   * Spins up to `ms` for a chunk: its message, or `undefined` when none came (the worker is
   * away then, back to its event loop).
   */
  park(ms: number): unknown {
    const cells = this.#cells;
    Atomics.store(cells, TASK_STATE, PARKED);
    // Spinning first (a next call comes within microseconds), then sleeping on the cell (a
    // spinning thread would keep from its core the threads that deliver messages).
    let state = spin(cells, TASK_STATE, PARKED, Math.min(ms, PARK_SPIN_MS));
    const until = performance.now() + ms - PARK_SPIN_MS;
    while (state === PARKED) {
      const left = until - performance.now();
      if (left <= 0) break;
      Atomics.wait(cells, TASK_STATE, PARKED, left);
      state = Atomics.load(cells, TASK_STATE);
    }
    if (state === PARKED) state = Atomics.compareExchange(cells, TASK_STATE, PARKED, AWAY);
    // Nothing came, or a message did (`wake`): back to the event loop.
    if (state !== TASK) return undefined;
    // Decoded in place: the main program writes the task area only while this worker is
    // parked, and it parks again only after this chunk.
    const task = decode(this.#task.subarray(0, Atomics.load(cells, TASK_LENGTH)));
    Atomics.store(cells, TASK_STATE, AWAY);
    return task;
  }

  /**
   * Answers the chunk taken from the lane through it: `true` when the main program took the
   * answer, `false` when it must go by message (the main program stopped waiting, or it does
   * not fit, or `byMessage`: then the main program stops waiting at once).
   */
  answer(message: unknown, byMessage: boolean): boolean {
    const cells = this.#cells;
    if (!byMessage) {
      let bytes: Uint8Array | undefined;
      try {
        bytes = encodeMessage(message, "the answer");
      } catch {
        bytes = undefined;
      }
      if (bytes !== undefined && bytes.length <= AREA) {
        this.#answer.set(bytes);
        Atomics.store(cells, ANSWER_LENGTH, bytes.length);
        if (Atomics.compareExchange(cells, ANSWER_STATE, WAITING, READY) === WAITING) return true;
        return false;
      }
    }
    Atomics.compareExchange(cells, ANSWER_STATE, WAITING, BY_MESSAGE);
    return false;
  }
}

/**
 * Loads `cells[index]` until it is no longer `value` or `ms` have passed; returns what it
 * read last. The clock is read once every 64 loads (a read costs more than a load).
 */
function spin(cells: Int32Array<SharedArrayBuffer>, index: number, value: number, ms: number) {
  let state = Atomics.load(cells, index);
  if (state !== value || ms <= 0) return state;
  const until = performance.now() + ms;
  for (;;) {
    for (let i = 0; i < 64; i++) {
      state = Atomics.load(cells, index);
      if (state !== value) return state;
    }
    if (performance.now() >= until) return state;
  }
}
