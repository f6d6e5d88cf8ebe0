/**
 * The channel under every `Queue` and `Pipe`: a ring of encoded messages in one growable
 * `SharedArrayBuffer`, which any number of threads put into and take from directly.
 *
 * ```
 *  header (Int32 cells)                         data: a ring of records [u32 length][bytes]
 * ┌──────────┬──────┬──────┬───────┬─────┬────┐ ┌──────────────────────────────────────────┐
 * │ mutex(6) │ HEAD │ USED │ COUNT │ CAP │ …  │ │ ··· HEAD ▶ rec rec rec ▶ tail ······      │
 * └──────────┴──────┴──────┴───────┴─────┴────┘ └──────────────────────────────────────────┘
 * ```
 *
 * One mutex (the `Lock` of `sync/`) guards the ring; it is held only to copy a message's bytes
 * in or out, never while waiting, so a `put` never waits for a consumer and the main program
 * never waits for data while holding it. A message that does not fit grows the buffer (a
 * growable `SharedArrayBuffer`: every thread sees the new length at once, no message needed),
 * so a message may be of any size up to 2 GiB and a put on an unbounded queue never blocks, as
 * in Python. Encoding and decoding happen outside the mutex.
 *
 * {@linkcode waitAny} sleeps on the `PUTS` cells of several channels at once (Python's
 * `connection.wait`): one `Atomics.waitAsync` per channel, counted among its sleepers.
 *
 * Waiting follows `futex.ts`: a consumer that finds the ring empty notes the `PUTS`
 * sequence (under the mutex) and sleeps until it changes; every put bumps it. Producers of a
 * bounded queue wait likewise on `TAKES`. Both spin a few microseconds first, so a busy
 * ping-pong costs microseconds.
 *
 * @module
 */

import {
  assertMayBlock,
  DONE,
  inWorker,
  retry,
  runAsync,
  runSync,
  spin,
  SPIN_MAIN_US,
  SPIN_US,
  type Waiting,
} from "./futex.ts";
import { locking, unlock } from "./mutex.ts";
import { hasEnded, selfIdent, throwIfStopping } from "./identity.ts";
import { decode, encodeMessage } from "./codec.ts";

// Cells, in 64-byte cache lines: waiters spin reading `PUTS` or `TAKES`, so those sit on lines
// of their own, away from the mutex and the ring's bookkeeping that the other side writes.
const HEAD = 16;
const USED = 17;
const COUNT = 18;
const CAPACITY = 19;
/** Puts not yet marked done (`JoinableQueue`); joiners sleep on it. */
export const UNFINISHED = 20;
/** The closed ends: {@linkcode WRITER_CLOSED}, {@linkcode READER_CLOSED}. */
const CLOSED = 21;
const MAXSIZE = 22;
/** Bumped by every put (and by closing): what consumers sleep on. */
export const PUTS = 32;
/** Consumers asleep, so producers skip `Atomics.notify` when there are none. */
const GET_WAITERS = 33;
/** Bumped by every take (and by closing): what producers of a bounded channel sleep on. */
export const TAKES = 48;
const PUT_WAITERS = 49;
/**
 * The copies of a pipe's ends, as Python's file descriptors: for each end, a table of
 * `[owner ident, count]` slots, one per thread (process) owning copies. An end closes for all
 * when no copy of it is left whose owner still runs.
 */
const COPIES = 64;
const COPY_SLOTS = 64;
const CELLS = COPIES + 2 * 2 * COPY_SLOTS;
const DATA = CELLS * 4;
/** No one may put any more: consumers get the end of the stream once the ring is empty. */
export const WRITER_CLOSED = 1;
/** No one will take any more: a put fails. */
export const READER_CLOSED = 2;
/**
 * The queue was shut down (Python 3.13's `Queue.shutdown()`): puts fail, takes fail once the
 * ring is empty.
 */
export const SHUT_DOWN = 4;

const INITIAL = 1 << 16;
/** The end whose copies write into a channel, for {@linkcode Channel.addCopy}. */
export const WRITERS = 0;
/** The end whose copies read from a channel. */
export const READERS = 1;

/** The largest ring: positions are kept in `Int32` cells. */
const MAX_CAPACITY = 2 ** 31 - 64;

/** What a take found when the writers are gone and the ring is empty. */
export const END: unique symbol = Symbol("end of stream");
/** What a take found when the ring is empty (or a wait for a message timed out). */
export const EMPTY: unique symbol = Symbol("empty");
/** What a take found when the readers' end was closed (a pipe end closed while it waited). */
export const SHUT: unique symbol = Symbol("reader closed");
/** What a put found, or a take of an empty ring, once the channel was shut down. */
export const SHUTDOWN: unique symbol = Symbol("shut down");

/** What a put may find instead of room: nobody takes, or the channel was shut down. */
export type Refused = typeof READER_CLOSED | typeof SHUTDOWN;

/**
 * Where this thread copies a message out of the ring to decode it: allocating a typed array
 * costs ~0.6 µs in this V8, more than the rest of a small message's trip.
 */
let readBuffer = new Uint8Array(4096);

/** A ring of messages over shared memory. */
export class Channel {
  readonly buffer: SharedArrayBuffer;
  #cells: Int32Array;
  /** Views of the data area as long as the capacity this thread last saw (fixed-length views
   * are several times faster than length-tracking ones in V8). */
  #bytes!: Uint8Array;
  #view!: DataView;
  #capacity = 0;

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
  }

  /** The capacity, with this thread's views of the data brought up to it; under the mutex. */
  #capacityNow(): number {
    const capacity = this.#cells[CAPACITY]!;
    if (capacity !== this.#capacity) {
      // Another thread grew the buffer: this thread's SharedArrayBuffer object is already as
      // long (growth is seen by all at once); only the views are remade.
      this.#bytes = new Uint8Array(this.buffer, DATA, capacity);
      this.#view = new DataView(this.buffer, DATA, capacity);
      this.#capacity = capacity;
    }
    return capacity;
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
    this.#lock();
    try {
      // Set under the mutex, so that no put lands after it (puts look under the mutex too).
      Atomics.or(cells, CLOSED, SHUT_DOWN);
      if (immediate) {
        const dropped = cells[COUNT]!;
        cells[HEAD] = 0;
        cells[USED] = 0;
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
      this.#unlock();
    }
    Atomics.notify(cells, PUTS);
    Atomics.notify(cells, TAKES);
    if (immediate && Atomics.load(cells, UNFINISHED) === 0) Atomics.notify(cells, UNFINISHED);
  }

  /** Whether the channel was shut down (see {@linkcode Channel.shutdown}). */
  get isShutDown(): boolean {
    return (Atomics.load(this.#cells, CLOSED) & SHUT_DOWN) !== 0;
  }

  /** @internal For {@linkcode waitAny}: counts a sleeper in (`1`) or out (`-1`). */
  countSleeper(delta: 1 | -1): void {
    Atomics.add(this.#cells, GET_WAITERS, delta);
  }

  /**
   * Adds a copy of one end (`side`: {@linkcode WRITERS} or {@linkcode READERS}) owned by the
   * thread `ident`; the end then stays open until that copy is dropped or its owner ends.
   *
   * @throws {RangeError} Copies are owned by {@linkcode COPY_SLOTS} threads already.
   */
  addCopy(side: number, ident: number): void {
    const cells = this.#cells;
    const table = COPIES + side * 2 * COPY_SLOTS;
    this.#lock();
    try {
      let free = -1;
      for (let slot = table; slot < table + 2 * COPY_SLOTS; slot += 2) {
        if (cells[slot] === ident) {
          cells[slot + 1]!++;
          return;
        }
        if (free < 0 && (cells[slot + 1] === 0 || hasEnded(cells[slot]!))) free = slot;
      }
      if (free < 0) {
        throw new RangeError(
          `Cannot give one more process a copy of this pipe end: ${COPY_SLOTS} processes hold ` +
            `copies of it already. Close it in the processes that no longer use it`,
        );
      }
      cells[free] = ident;
      cells[free + 1] = 1;
    } finally {
      this.#unlock();
    }
  }

  /**
   * Drops a copy of one end owned by `ident` (nothing if it has none left); when no copy of the
   * end is left whose owner runs, closes it for every thread.
   */
  dropCopy(side: number, ident: number): void {
    const cells = this.#cells;
    const table = COPIES + side * 2 * COPY_SLOTS;
    this.#lock();
    try {
      for (let slot = table; slot < table + 2 * COPY_SLOTS; slot += 2) {
        if (cells[slot] === ident && cells[slot + 1]! > 0) {
          cells[slot + 1]!--;
          break;
        }
      }
    } finally {
      this.#unlock();
    }
    this.recheckCopies(side);
  }

  /** Closes an end for every thread when none of its copies is left with a running owner. */
  recheckCopies(side: number): void {
    const cells = this.#cells;
    const table = COPIES + side * 2 * COPY_SLOTS;
    for (let slot = table; slot < table + 2 * COPY_SLOTS; slot += 2) {
      if (Atomics.load(cells, slot + 1) > 0 && !hasEnded(Atomics.load(cells, slot))) return;
    }
    this.close(side === WRITERS ? WRITER_CLOSED : READER_CLOSED);
  }

  /** Wakes every thread waiting to take, so that each looks again (a handle was closed). */
  wakeTakers(): void {
    Atomics.add(this.#cells, PUTS, 1);
    Atomics.notify(this.#cells, PUTS);
  }

  #lock(): void {
    // Held only while bytes are copied (never while waiting), so this wait is short even on
    // the main program's thread.
    const me = selfIdent;
    if (Atomics.compareExchange(this.#cells, 0, 0, me) !== 0) {
      runSync(this.#cells, 0, locking(this.#cells, me, Infinity));
    }
  }

  #unlock(): void {
    const me = selfIdent;
    if (Atomics.compareExchange(this.#cells, 0, me, 0) !== me) unlock(this.#cells);
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
    const length = message.length;
    if ((Atomics.load(cells, CLOSED) & READER_CLOSED) !== 0) return READER_CLOSED;
    this.#lock();
    try {
      if ((cells[CLOSED]! & SHUT_DOWN) !== 0) return SHUTDOWN;
      const maxsize = cells[MAXSIZE]!;
      if (maxsize > 0 && cells[COUNT]! >= maxsize) return false;
      const need = cells[USED]! + 4 + length;
      if (need > cells[CAPACITY]!) this.#grow(need);
      const capacity = this.#capacityNow();
      let tail = cells[HEAD]! + cells[USED]!;
      if (tail >= capacity) tail -= capacity;
      tail = this.#write32(tail, length, capacity);
      this.#copyIn(message, tail, capacity);
      cells[USED] = need;
      cells[COUNT]!++;
      if (unfinished) Atomics.add(cells, UNFINISHED, 1);
      Atomics.add(cells, PUTS, 1);
    } finally {
      this.#unlock();
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
    this.#lock();
    try {
      if (cells[COUNT] === 0) {
        const closed = Atomics.load(cells, CLOSED);
        if ((closed & READER_CLOSED) !== 0) return SHUT;
        if ((closed & SHUT_DOWN) !== 0) return SHUTDOWN;
        if ((closed & WRITER_CLOSED) !== 0) return END;
        this.#seen = cells[PUTS]!;
        return EMPTY;
      }
      const capacity = this.#capacityNow();
      const head = cells[HEAD]!;
      const length = this.#read32(head, capacity);
      let at = head + 4;
      if (at >= capacity) at -= capacity;
      message = this.#copyOut(at, length, capacity);
      at += length;
      if (at >= capacity) at -= capacity;
      cells[HEAD] = at;
      cells[USED] = cells[USED]! - 4 - length;
      cells[COUNT]!--;
      Atomics.add(cells, TAKES, 1);
    } finally {
      this.#unlock();
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

  /** Makes room for `need` bytes: grows the buffer, and unwraps the ring into the new space. */
  #grow(need: number): void {
    const cells = this.#cells;
    const capacity = cells[CAPACITY]!;
    if (need > MAX_CAPACITY) {
      throw new RangeError(
        `Cannot send a message of ${need - cells[USED]! - 4} bytes: a queue or pipe holds at ` +
          `most ${MAX_CAPACITY} bytes at once`,
      );
    }
    let next = capacity * 2;
    while (next < need) next *= 2;
    next = Math.min(next, MAX_CAPACITY);
    this.buffer.grow(DATA + next);
    cells[CAPACITY] = next;
    this.#capacityNow();
    const head = cells[HEAD]!;
    const end = head + cells[USED]!;
    if (end > capacity) {
      // The ring wrapped: move its start (at 0) to follow its end, at the old capacity.
      this.#bytes.copyWithin(capacity, 0, end - capacity);
    }
  }

  #write32(at: number, value: number, capacity: number): number {
    if (at + 4 <= capacity) {
      this.#view.setUint32(at, value);
    } else {
      const four = new Uint8Array(4);
      new DataView(four.buffer).setUint32(0, value);
      this.#copyIn(four, at, capacity);
    }
    at += 4;
    return at >= capacity ? at - capacity : at;
  }

  #read32(at: number, capacity: number): number {
    if (at + 4 <= capacity) return this.#view.getUint32(at);
    const four = this.#copyOut(at, 4, capacity);
    return ((four[0]! << 24) | (four[1]! << 16) | (four[2]! << 8) | four[3]!) >>> 0;
  }

  #copyIn(source: Uint8Array, at: number, capacity: number): void {
    const first = Math.min(source.length, capacity - at);
    this.#bytes.set(first === source.length ? source : source.subarray(0, first), at);
    if (first < source.length) this.#bytes.set(source.subarray(first), 0);
  }

  #copyOut(at: number, length: number, capacity: number): Uint8Array {
    if (length > readBuffer.length && length <= 1 << 20) {
      readBuffer = new Uint8Array(Math.max(length, readBuffer.length * 2));
    }
    // A huge message gets a buffer of its own, not kept afterwards.
    const out = length <= readBuffer.length
      ? readBuffer.subarray(0, length)
      : new Uint8Array(length);
    const first = Math.min(length, capacity - at);
    out.set(this.#bytes.subarray(at, at + first));
    if (first < length) out.set(this.#bytes.subarray(0, length - first), first);
    return out;
  }
}

/** The longest timer the platform takes (about 24.8 days); longer sleeps are resumed. */
const MAX_TIMER = 2 ** 31 - 1;

/**
 * Waits up to `timeout` ms, without blocking the thread, until at least one of `channels` has
 * a message to take (or its end, or was shut down): the indices of those that are ready, in
 * order, or none when the timeout passed. An abort of `signal` rejects with its reason.
 *
 * It spins a few microseconds, then sleeps with one `Atomics.waitAsync` per channel, counted
 * among the channel's sleepers so that puts notify. A wait cannot be withdrawn, so when one
 * channel wakes it the others' pending waits are woken at once (every sleeper re-checks what it
 * waits for, so the spurious wake is harmless): a stale wait left queued could otherwise take a
 * put's single notification from a real sleeper.
 */
export async function waitAny(
  channels: readonly Channel[],
  timeout: number,
  signal?: AbortSignal,
): Promise<number[]> {
  signal?.throwIfAborted();
  const readyNow = () => {
    const ready: number[] = [];
    channels.forEach((channel, i) => {
      if (channel.peek() === true) ready.push(i);
    });
    return ready;
  };
  let ready = readyNow();
  if (ready.length > 0 || timeout === 0) return ready;
  const deadline = performance.now() + timeout;
  const first = channels[0];
  if (first !== undefined) {
    // A short spin on the first channel, as every wait of the library does.
    const seen = first.peek();
    if (seen !== true) spin(first.cells, PUTS, seen, inWorker ? SPIN_US : SPIN_MAIN_US);
    ready = readyNow();
    if (ready.length > 0) return ready;
  }
  for (const channel of channels) channel.countSleeper(1);
  const aborted = Promise.withResolvers<void>();
  const onAbort = () => aborted.resolve();
  signal?.addEventListener("abort", onAbort, { once: true });
  // Deno does not count a pending waitAsync as keeping the program alive (see futex.ts).
  const keepAlive = setTimeout(() => {}, MAX_TIMER);
  try {
    for (;;) {
      // The values seen are read after this thread counted itself as a sleeper, so a put
      // either changes them (the waits return at once) or sees the sleeper and notifies.
      const seen = channels.map((channel) => channel.peek());
      ready = [];
      seen.forEach((value, i) => {
        if (value === true) ready.push(i);
      });
      if (ready.length > 0) return ready;
      const ms = deadline - performance.now();
      if (ms <= 0) return [];
      const pending = new Set<number>();
      const waits: Promise<unknown>[] = [];
      let changed = false;
      seen.forEach((value, i) => {
        const wait = Atomics.waitAsync(
          channels[i]!.cells,
          PUTS,
          value as number,
          Math.min(ms, MAX_TIMER),
        );
        if (!wait.async) {
          changed = true;
          return;
        }
        pending.add(i);
        waits.push(wait.value.then(() => pending.delete(i)));
      });
      if (!changed) await Promise.race([...waits, aborted.promise]);
      // Withdraws this thread's waits that are still queued (see the function's doc).
      for (const i of pending) Atomics.notify(channels[i]!.cells, PUTS);
      if (signal?.aborted) throw signal.reason;
    }
  } finally {
    clearTimeout(keepAlive);
    signal?.removeEventListener("abort", onAbort);
    for (const channel of channels) channel.countSleeper(-1);
  }
}

/** A copy of a pipe end made for a process (see {@linkcode copyingFor}). */
export interface Copy {
  channel: Channel;
  side: number;
}

/** The process whose copies the handles being encoded in this thread are (see below). */
let copying: { ident: number; made: Copy[] } | undefined;

/**
 * Runs `encode` (the encoding of a process's arguments) so that every pipe end in them becomes
 * a copy owned by the process `ident`, as Python's child process gets its own copies of the
 * file descriptors it is given: closing the parent's copy leaves the child's open. Returns the
 * copies made, which the parent rechecks when the process ends (its copies then count no more).
 */
export function copyingFor<T>(ident: number, encode: () => T): { value: T; copies: Copy[] } {
  const outer = copying;
  const made: Copy[] = [];
  copying = { ident, made };
  try {
    return { value: encode(), copies: made };
  } catch (error) {
    for (const { channel, side } of made) channel.dropCopy(side, ident);
    throw error;
  } finally {
    copying = outer;
  }
}

/** The process the pipe ends being encoded become copies of, if any (see `copyingFor`). */
export function copyTarget(): { ident: number; made: Copy[] } | undefined {
  return copying;
}
