/**
 * The channel under every `Queue` and `Pipe`: a ring of encoded messages in one growable
 * `SharedArrayBuffer`, which any number of threads put into and take from directly (the
 * header's cells are drawn in `channel_header.ts`).
 *
 * One mutex (the `Lock` of `sync/`) guards the ring; it is held only to copy a message's bytes
 * in or out, never while waiting, so a `put` never waits for a consumer and the main program
 * never waits for data while holding it. A message that does not fit grows the buffer (a
 * growable `SharedArrayBuffer`: every thread sees the new length at once, no message needed),
 * so a message may be of any size up to 2 GiB and a put on an unbounded queue never blocks, as
 * in Python. Encoding and decoding happen outside the mutex.
 *
 * What a put or a take reports (`END`, `EMPTY`…) and the ends' flags are in `channel_header.ts`;
 * `waitAny` (`wait_any.ts`) sleeps on the `PUTS` cells of several channels at once (Python's
 * `connection.wait`); the copies of a pipe's ends are counted in `end_copies.ts`.
 *
 * Waiting follows `futex.ts`: a consumer that finds the ring empty notes the `PUTS`
 * sequence (under the mutex) and sleeps until it changes; every put bumps it. Producers of a
 * bounded queue wait likewise on `TAKES`. Both spin a few microseconds first, so a busy
 * ping-pong costs microseconds.
 *
 * @module
 */

import { assertMayBlock, DONE, retry, runAsync, runSync, type Waiting } from "./futex.ts";
import { throwIfStopping } from "./identity.ts";
import { decode, encodeMessage } from "./codec.ts";
import {
  CAPACITY,
  CELLS,
  CLOSED,
  COUNT,
  DATA,
  EMPTY,
  END,
  GET_WAITERS,
  INITIAL,
  lockHeader,
  MAX_CAPACITY,
  MAXSIZE,
  PUT_WAITERS,
  PUTS,
  READER_CLOSED,
  type Refused,
  SHUT,
  SHUT_DOWN,
  SHUTDOWN,
  TAKES,
  UNFINISHED,
  unlockHeader,
  WRITER_CLOSED,
  WRITERS,
} from "./channel_header.ts";
import { addCopy, dropCopy, hasLiveCopy } from "./end_copies.ts";
import { RingBytes } from "./ring_bytes.ts";

/** A ring of messages over shared memory. */
export class Channel {
  readonly buffer: SharedArrayBuffer;
  #cells: Int32Array;
  /** The ring's bytes, in the data area after the header. */
  readonly #ring: RingBytes;

  /** A new channel (`maxsize` messages at most, `0` for no limit), or one over `buffer`. */
  constructor(maxsize = 0, buffer?: SharedArrayBuffer) {
    if (buffer === undefined) {
      buffer = new SharedArrayBuffer(DATA + INITIAL, { maxByteLength: DATA + MAX_CAPACITY });
      const cells = new Int32Array(buffer, 0, CELLS);
      cells[CAPACITY] = INITIAL;
      cells[MAXSIZE] = maxsize;
    }
    this.buffer = buffer;
    this.#cells = new Int32Array(buffer, 0, CELLS);
    this.#ring = new RingBytes(buffer, this.#cells);
  }

  /** The header cells, for waiting on `PUTS`, `TAKES`, `UNFINISHED`. */
  get cells(): Int32Array {
    return this.#cells;
  }

  /** The message limit (`0`: none). */
  get maxsize(): number {
    return this.#cells[MAXSIZE]!;
  }

  /** Messages in the ring. */
  get count(): number {
    return Atomics.load(this.#cells, COUNT);
  }

  /** Which ends are closed: a mask of {@linkcode WRITER_CLOSED} and {@linkcode READER_CLOSED}. */
  get closed(): number {
    return Atomics.load(this.#cells, CLOSED);
  }

  /** Closes an end for every thread, and wakes all waiters so they see it. */
  close(end: number): void {
    const cells = this.#cells;
    Atomics.or(cells, CLOSED, end);
    Atomics.add(cells, PUTS, 1);
    Atomics.add(cells, TAKES, 1);
    Atomics.notify(cells, PUTS);
    Atomics.notify(cells, TAKES);
  }

  /**
   * Shuts the channel down for every thread (Python 3.13's `Queue.shutdown`): from now on every
   * put is refused with {@linkcode SHUTDOWN}, and takes get it once the ring is empty. With
   * `immediate`, what is queued is dropped too, each dropped message counting as done for
   * `JoinableQueue.join` (whose waiters then wake, as Python's do). Wakes every sleeper.
   */
  shutdown(immediate: boolean): void {
    const cells = this.#cells;
    lockHeader(this.#cells);
    try {
      // Set under the mutex, so that no put lands after it (puts look under the mutex too).
      Atomics.or(cells, CLOSED, SHUT_DOWN);
      if (immediate) {
        const dropped = cells[COUNT]!;
        this.#ring.clear();
        cells[COUNT] = 0;
        for (;;) {
          const left = Atomics.load(cells, UNFINISHED);
          const next = Math.max(0, left - dropped);
          if (Atomics.compareExchange(cells, UNFINISHED, left, next) === left) break;
        }
      }
      Atomics.add(cells, PUTS, 1);
      Atomics.add(cells, TAKES, 1);
    } finally {
      unlockHeader(this.#cells);
    }
    Atomics.notify(cells, PUTS);
    Atomics.notify(cells, TAKES);
    if (immediate && Atomics.load(cells, UNFINISHED) === 0) Atomics.notify(cells, UNFINISHED);
  }

  /** Whether the channel was shut down (see {@linkcode Channel.shutdown}). */
  get isShutDown(): boolean {
    return (Atomics.load(this.#cells, CLOSED) & SHUT_DOWN) !== 0;
  }

  /** @internal For `waitAny` (`wait_any.ts`): counts a sleeper in (`1`) or out (`-1`). */
  countSleeper(delta: 1 | -1): void {
    Atomics.add(this.#cells, GET_WAITERS, delta);
  }

  /**
   * Adds a copy of one end (`side`: {@linkcode WRITERS} or {@linkcode READERS}) owned by the
   * thread `ident`; the end then stays open until that copy is dropped or its owner ends.
   *
   * @throws {RangeError} Copies of the end are owned by as many threads as it can count.
   */
  addCopy(side: number, ident: number): void {
    addCopy(this.#cells, side, ident);
  }

  /**
   * Drops a copy of one end owned by `ident` (nothing if it has none left); when no copy of the
   * end is left whose owner runs, closes it for every thread.
   */
  dropCopy(side: number, ident: number): void {
    dropCopy(this.#cells, side, ident);
    this.recheckCopies(side);
  }

  /** Closes an end for every thread when none of its copies is left with a running owner. */
  recheckCopies(side: number): void {
    if (!hasLiveCopy(this.#cells, side)) {
      this.close(side === WRITERS ? WRITER_CLOSED : READER_CLOSED);
    }
  }

  /** Wakes every thread waiting to take, so that each looks again (a handle was closed). */
  wakeTakers(): void {
    Atomics.add(this.#cells, PUTS, 1);
    Atomics.notify(this.#cells, PUTS);
  }

  /**
   * Encodes `value` and appends it unless the channel is full: `true` when put, `false` when
   * full, the {@linkcode READER_CLOSED} mark when nobody will take it, {@linkcode SHUTDOWN}
   * once the channel was shut down. `unfinished` counts it
   * for `JoinableQueue.join`; `argument` names the value in the error of one that cannot be
   * sent. The mirror of {@linkcode Channel.tryTake}, which decodes.
   */
  tryPut(value: unknown, unfinished = false, argument = "value"): boolean | Refused {
    return this.#append(encodeMessage(value, argument), unfinished);
  }

  /** Appends encoded bytes unless the channel is full (as {@linkcode Channel.tryPut}). */
  #append(message: Uint8Array, unfinished: boolean): boolean | Refused {
    // A worker being terminated (killed) puts and takes nothing more: checked on every
    // attempt, since a fast loop may never wait.
    throwIfStopping("it puts no more messages");
    const cells = this.#cells;
    if ((Atomics.load(cells, CLOSED) & READER_CLOSED) !== 0) return READER_CLOSED;
    lockHeader(this.#cells);
    try {
      if ((cells[CLOSED]! & SHUT_DOWN) !== 0) return SHUTDOWN;
      const maxsize = cells[MAXSIZE]!;
      if (maxsize > 0 && cells[COUNT]! >= maxsize) return false;
      this.#ring.push(message);
      cells[COUNT]!++;
      if (unfinished) Atomics.add(cells, UNFINISHED, 1);
      Atomics.add(cells, PUTS, 1);
    } finally {
      unlockHeader(this.#cells);
    }
    const sleepers = Atomics.load(cells, GET_WAITERS);
    // One sleeper is woken; with several, all are, since a sleeping `poll` would not take the
    // message it was woken for and a sleeping `get` would sleep on.
    if (sleepers > 0) Atomics.notify(cells, PUTS, sleepers > 1 ? Infinity : 1);
    return true;
  }

  /**
   * Takes the oldest message and decodes it: the value, {@linkcode END} when the ring is empty
   * and the writers are gone, {@linkcode SHUTDOWN} when it is empty and shut down, or
   * {@linkcode EMPTY} (with the `PUTS` seen kept for a wait).
   */
  tryTake(): unknown {
    throwIfStopping("it takes no more messages");
    const cells = this.#cells;
    let message: Uint8Array;
    lockHeader(this.#cells);
    try {
      if (cells[COUNT] === 0) {
        const closed = Atomics.load(cells, CLOSED);
        if ((closed & READER_CLOSED) !== 0) return SHUT;
        if ((closed & SHUT_DOWN) !== 0) return SHUTDOWN;
        if ((closed & WRITER_CLOSED) !== 0) return END;
        this.#seen = cells[PUTS]!;
        return EMPTY;
      }
      message = this.#ring.shift();
      cells[COUNT]!--;
      Atomics.add(cells, TAKES, 1);
    } finally {
      unlockHeader(this.#cells);
    }
    if (Atomics.load(cells, PUT_WAITERS) > 0) Atomics.notify(cells, TAKES, 1);
    return decode(message);
  }

  /** The `PUTS` sequence seen by the last take that found the ring empty (a wait's value). */
  #seen = 0;

  /**
   * Takes a message, waiting up to `timeout` ms without blocking the thread: the value,
   * {@linkcode END}, {@linkcode SHUT} or {@linkcode EMPTY} (the timeout passed).
   */
  take(timeout: number, signal?: AbortSignal, shut?: () => boolean): Promise<unknown> {
    return runAsync(this.#cells, PUTS, this.#taking(timeout, shut), signal);
  }

  /**
   * {@linkcode Channel.take}, blocking the thread while it waits; where blocking is not
   * allowed (the main thread, unless it only tries) it throws, naming `method` and the Python
   * call it stands for.
   */
  takeSync(timeout: number, method: string, python: string): unknown {
    const first = this.tryTake();
    if (first !== EMPTY) return first;
    assertMayBlock(method, python, timeout);
    return runSync(this.#cells, PUTS, this.#taking(timeout));
  }

  /** Waits up to `timeout` ms until a message (or the end) is there; `true` if so. */
  poll(timeout: number, signal?: AbortSignal, shut?: () => boolean): Promise<boolean> {
    return runAsync(this.#cells, PUTS, this.#polling(timeout, shut), signal);
  }

  /** {@linkcode Channel.poll}, blocking the thread (see {@linkcode Channel.takeSync}). */
  pollSync(timeout: number, method: string, python: string): boolean {
    if (this.peek() === true) return true;
    assertMayBlock(method, python, timeout);
    return runSync(this.#cells, PUTS, this.#polling(timeout));
  }

  /**
   * Puts a value (encoded once, at once: a value that cannot be sent throws before any wait),
   * waiting up to `timeout` ms for room in a bounded channel without blocking the thread: as
   * {@linkcode Channel.tryPut} says, `false` when the timeout passed.
   */
  put(
    value: unknown,
    timeout: number,
    unfinished: boolean,
    signal?: AbortSignal,
  ): Promise<boolean | Refused> {
    const message = encodeMessage(value, "value");
    return runAsync(this.#cells, TAKES, this.#putting(message, timeout, unfinished), signal);
  }

  /** {@linkcode Channel.put}, blocking the thread (see {@linkcode Channel.takeSync}). */
  putSync(
    value: unknown,
    timeout: number,
    unfinished: boolean,
    method: string,
    python: string,
  ): boolean | Refused {
    const message = encodeMessage(value, "value");
    const first = this.#append(message, unfinished);
    if (first !== false) return first;
    assertMayBlock(method, python, timeout);
    return runSync(this.#cells, TAKES, this.#putting(message, timeout, unfinished));
  }

  /** Whether a message is there (or the end), without taking it; else the `PUTS` seen. */
  peek(): true | number {
    const cells = this.#cells;
    const puts = Atomics.load(cells, PUTS);
    if (Atomics.load(cells, COUNT) > 0) return true;
    if (Atomics.load(cells, CLOSED) !== 0) return true;
    return puts;
  }

  /** Takes a message, waiting up to `timeout` ms: the value, {@linkcode END} or {@linkcode EMPTY}. */
  *#taking(timeout: number, shut?: () => boolean): Waiting<unknown> {
    let taken: unknown = EMPTY;
    const attempt = () => {
      // The handle waiting was closed in this thread (other copies may keep the end open).
      if (shut?.() === true) {
        taken = SHUT;
        return DONE;
      }
      taken = this.tryTake();
      return taken === EMPTY ? this.#seen : DONE;
    };
    yield* retry(this.#cells, attempt, timeout, GET_WAITERS);
    return taken;
  }

  /** Waits up to `timeout` ms until a message (or the end) is there; `true` if so. */
  *#polling(timeout: number, shut?: () => boolean): Waiting<boolean> {
    return yield* retry(
      this.#cells,
      () => {
        if (shut?.() === true) return DONE;
        const seen = this.peek();
        return seen === true ? DONE : seen;
      },
      timeout,
      GET_WAITERS,
    );
  }

  /** Puts a message, waiting up to `timeout` ms for room in a bounded channel. */
  *#putting(
    message: Uint8Array,
    timeout: number,
    unfinished: boolean,
  ): Waiting<boolean | Refused> {
    let outcome: boolean | Refused = false;
    let copied = false;
    const attempt = () => {
      const takes = Atomics.load(this.#cells, TAKES);
      outcome = this.#append(message, unfinished);
      if (outcome !== false) return DONE;
      if (!copied) {
        // It must wait: the bytes may live in a scratch buffer other calls will reuse.
        message = message.slice();
        copied = true;
      }
      return takes;
    };
    yield* retry(this.#cells, attempt, timeout, PUT_WAITERS);
    return outcome;
  }
}
