/**
 * `Connection`: one end of a {@linkcode Pipe}, Python's `multiprocessing.connection.Connection`.
 *
 * @module
 */

import { ClosedError } from "../errors.ts";
import { fromShared, Revival, type SharedHandle, toShared } from "../_internal/shareable.ts";
import type { WaitOptions } from "../_internal/wait_options.ts";
import { checkWait, SYNC_WAIT_KEYS, WAIT_KEYS } from "../_internal/futex.ts";
import { Channel } from "../_internal/channel.ts";
import { READER_CLOSED, READERS, WRITER_CLOSED, WRITERS } from "../_internal/channel_header.ts";
import { copyTarget } from "../_internal/end_copies.ts";
import { readerChannel } from "./_reader.ts";
import { asBytes, bytesToSend, checkMaxlength, copyInto, intoTarget } from "./_byte_messages.ts";
import { pollTimeout, received } from "./_receive.ts";
import type {
  RecvBytesIntoOptions,
  RecvBytesOptions,
  SendBytesOptions,
} from "./connection_options.ts";

interface ConnectionState {
  read: SharedArrayBuffer | null;
  write: SharedArrayBuffer | null;
  /** The thread (process) whose copy of the end this handle is (see `Pipe`). */
  owner: number;
  /** Whether this handle was closed (a closed handle may be sent: it arrives closed). */
  closed: boolean;
}

/** The channels of the connection being made or revived (see `Pipe` and `[fromShared]`). */
const making = new Revival<ConnectionState>();

/**
 * One end of a pipe (Python's `Connection`): `send` puts a message in the pipe towards the
 * other end, `recv` takes the next message the other end sent. Messages are structured-cloned
 * values of any size, carried through shared memory; both ends can be passed to workers (as
 * arguments, nested, in `initargs`) and used there directly.
 *
 * `send` never waits (the pipe's buffer grows as needed). `recv`, `poll` and `recvBytes` return
 * promises and never block the thread; their `…Sync` twins block, for worker code. When the
 * other end is closed and every message it sent has been received, `recv` rejects with
 * {@linkcode EOFError} instead of waiting for ever.
 *
 * As in Python, a `Process` given an end has a copy of its own: closing the parent's copy after
 * `start()` leaves the child's open, and the other end sees the end of the stream once every
 * copy is closed or its process ended (see {@linkcode Connection.close}).
 *
 * @example Ping-pong with a worker
 * ```ts
 * import { type Connection, Pipe, Pool } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const [mine, theirs] = Pipe<string>();
 * await using pool = new Pool(1);
 * const echo = pool.apply((conn: Connection<string>) => {
 *   for (let i = 0; i < 3; i++) conn.send(conn.recvSync().toUpperCase());
 * }, [theirs]);
 * for (const word of ["a", "b", "c"]) {
 *   mine.send(word);
 *   assert.equal(await mine.recv(), word.toUpperCase());
 * }
 * await echo;
 * ```
 */
export class Connection<T = unknown> {
  #in: Channel | undefined;
  #out: Channel | undefined;
  readonly #owner: number;
  #closedHere: boolean;
  /** Tells a waiting `recv` of this handle that it was closed here. */
  readonly #shut = (): boolean => this.#closedHere;

  /** @internal Use {@linkcode Pipe}. */
  constructor() {
    const state = making.take();
    if (state === undefined) {
      throw new TypeError("Connections are made by Pipe(): const [a, b] = Pipe()");
    }
    this.#in = state.read === null ? undefined : new Channel(0, state.read);
    this.#out = state.write === null ? undefined : new Channel(0, state.write);
    this.#owner = state.owner;
    this.#closedHere = state.closed;
  }

  /** Whether this end can receive. */
  get readable(): boolean {
    return this.#in !== undefined;
  }

  /** Whether this end can send. */
  get writable(): boolean {
    return this.#out !== undefined;
  }

  /**
   * Whether this handle was closed, or the end itself (every copy of it closed or ended).
   */
  get closed(): boolean {
    if (this.#closedHere) return true;
    if (this.#out !== undefined) return (this.#out.closed & WRITER_CLOSED) !== 0;
    return (this.#in!.closed & READER_CLOSED) !== 0;
  }

  /**
   * Sends `value` to the other end; never waits.
   *
   * @param value Any structured-cloneable value.
   * @throws {ClosedError} This end, or the other, is closed; carries the value.
   * @throws {TypeError} The value cannot be cloned (names its type), or this end only receives.
   *
   * @example
   * ```ts
   * import { Pipe } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const [a, b] = Pipe();
   * a.send([42, null, "hello"]);
   * assert.deepEqual(await b.recv(), [42, null, "hello"]);
   * ```
   */
  send(value: T): void {
    this.#put(value, "value");
  }

  /**
   * Sends the bytes of `buffer` (or part of it) as one message (Python's `send_bytes`).
   *
   * @param buffer The bytes: an `ArrayBuffer` or any typed array or `DataView` (its bytes).
   * @param options `offset` and `size`, in bytes, of the part to send.
   * @throws {RangeError} `offset`/`size` outside the buffer.
   * @throws {ClosedError} This end, or the other, is closed.
   *
   * @example
   * ```ts
   * import { Pipe } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const [a, b] = Pipe();
   * b.sendBytes(new TextEncoder().encode("hello world"), { offset: 6 });
   * assert.equal(new TextDecoder().decode(await a.recvBytes()), "world");
   * ```
   */
  sendBytes(buffer: ArrayBuffer | ArrayBufferView, options: SendBytesOptions = {}): void {
    this.#put(bytesToSend(buffer, options), "buffer");
  }

  /**
   * Receives the next message, waiting (without blocking the thread) until one comes.
   *
   * @param options `timeout` in ms and `signal`.
   * @returns The message.
   * @throws {EOFError} The other end is closed and nothing is left to receive.
   * @throws {DOMException} `TimeoutError` if the timeout passed first.
   * @throws {TypeError} This end only sends.
   *
   * @example
   * ```ts
   * import { EOFError, Pipe } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const [a, b] = Pipe();
   * a.send("last words");
   * a.close();
   * assert.equal(await b.recv(), "last words");
   * await assert.rejects(b.recv(), EOFError);
   * ```
   */
  async recv(options?: WaitOptions): Promise<T> {
    const channel = this.#reader();
    const timeout = checkWait(options, "Connection.recv");
    const got = await channel.take(timeout, options?.signal, this.#shut);
    return received(got, timeout) as T;
  }

  /**
   * {@linkcode Connection.recv} for worker code: blocks until a message comes.
   *
   * @param options `timeout` in ms.
   * @returns The message.
   * @throws {EOFError} The other end is closed and nothing is left to receive.
   * @throws {DOMException} `TimeoutError` if the timeout passed first; `InvalidStateError`
   * when it would block the main program's thread.
   *
   * @example
   * ```ts
   * import { Pipe } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const [a, b] = Pipe();
   * a.send(1);
   * assert.equal(b.recvSync(), 1); // a message is there: no wait
   * ```
   */
  recvSync(options?: Omit<WaitOptions, "signal">): T {
    return this.#takeSync(options, "Connection.recvSync") as T;
  }

  /**
   * Receives the next message as bytes (Python's `recv_bytes`), as sent by `sendBytes`.
   *
   * @param options `maxlength` in bytes, `timeout` in ms, `signal`.
   * @returns The bytes.
   * @throws {EOFError} The other end is closed and nothing is left to receive.
   * @throws {RangeError} `maxlength` is negative, `NaN` or not whole (nothing is taken), or the
   * message is longer than `maxlength` (it is dropped, as Python's connection becomes unusable).
   * @throws {TypeError} `maxlength` or `timeout` is not a number.
   *
   * @example
   * ```ts
   * import { Pipe } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const [a, b] = Pipe();
   * a.sendBytes(Uint8Array.of(1, 2, 3));
   * assert.deepEqual(await b.recvBytes({ maxlength: 10 }), Uint8Array.of(1, 2, 3));
   * ```
   */
  async recvBytes(options?: RecvBytesOptions): Promise<Uint8Array> {
    const channel = this.#reader();
    const timeout = checkWait(options, "Connection.recvBytes", [...WAIT_KEYS, "maxlength"]);
    const maxlength = checkMaxlength(options?.maxlength, "Connection.recvBytes");
    const got = await channel.take(timeout, options?.signal, this.#shut);
    return asBytes(received(got, timeout), maxlength);
  }

  /**
   * {@linkcode Connection.recvBytes} for worker code: blocks until a message comes.
   *
   * @param options `maxlength` in bytes, `timeout` in ms.
   * @returns The bytes.
   * @throws {EOFError} The other end is closed and nothing is left to receive.
   * @throws {RangeError} As {@linkcode Connection.recvBytes}.
   *
   * @example
   * ```ts
   * import { Pipe } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const [a, b] = Pipe();
   * a.sendBytes(new ArrayBuffer(4));
   * assert.equal(b.recvBytesSync().length, 4);
   * ```
   */
  recvBytesSync(options?: Omit<RecvBytesOptions, "signal">): Uint8Array {
    const maxlength = checkMaxlength(options?.maxlength, "Connection.recvBytesSync");
    const keys = [...SYNC_WAIT_KEYS, "maxlength"];
    return asBytes(this.#takeSync(options, "Connection.recvBytesSync", keys), maxlength);
  }

  /**
   * Receives the next message, sent with `sendBytes`, into `buffer` at `offset` (Python's
   * `recv_bytes_into`), waiting without blocking the thread until one comes.
   *
   * @param buffer Where the bytes go: an `ArrayBuffer`, a `SharedArrayBuffer`, or any typed
   *   array or `DataView` (its bytes).
   * @param options `offset` in bytes, `timeout` in ms, `signal`.
   * @returns How many bytes the message had.
   * @throws {BufferTooShortError} The message is longer than the room from `offset` on; it was
   *   received all the same and is kept whole in the error's `bytes`.
   * @throws {RangeError} `offset` is negative, not whole, or beyond the buffer (nothing is
   *   taken).
   * @throws {TypeError} `buffer` is not a buffer, or the message was sent with `send()`.
   * @throws {EOFError} The other end is closed and nothing is left to receive.
   *
   * @example
   * ```ts
   * import { BufferTooShortError, Pipe } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const [a, b] = Pipe();
   * a.sendBytes(Uint8Array.of(1, 2, 3));
   * const buffer = new Uint8Array(8);
   * assert.equal(await b.recvBytesInto(buffer, { offset: 2 }), 3);
   * assert.deepEqual(buffer, Uint8Array.of(0, 0, 1, 2, 3, 0, 0, 0));
   *
   * a.sendBytes(new Uint8Array(10));
   * const error = await b.recvBytesInto(buffer).catch((e) => e);
   * assert.ok(error instanceof BufferTooShortError);
   * assert.equal(error.bytes.length, 10); // the message is not lost
   * ```
   */
  async recvBytesInto(
    buffer: ArrayBufferLike | ArrayBufferView,
    options?: RecvBytesIntoOptions,
  ): Promise<number> {
    const channel = this.#reader();
    const timeout = checkWait(options, "Connection.recvBytesInto", [...WAIT_KEYS, "offset"]);
    const target = intoTarget(buffer, options?.offset, "Connection.recvBytesInto");
    const got = await channel.take(timeout, options?.signal, this.#shut);
    return copyInto(asBytes(received(got, timeout), undefined), target);
  }

  /**
   * {@linkcode Connection.recvBytesInto} for worker code: blocks until a message comes.
   *
   * @param buffer Where the bytes go.
   * @param options `offset` in bytes, `timeout` in ms.
   * @returns How many bytes the message had.
   * @throws {BufferTooShortError} As {@linkcode Connection.recvBytesInto}.
   * @throws {DOMException} `InvalidStateError` when it would block the main program's thread.
   *
   * @example
   * ```ts
   * import { Pipe } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const [a, b] = Pipe();
   * a.sendBytes(new TextEncoder().encode("hi"));
   * const buffer = new ArrayBuffer(16);
   * const n = b.recvBytesIntoSync(buffer); // a message is there: no wait
   * assert.equal(new TextDecoder().decode(new Uint8Array(buffer, 0, n)), "hi");
   * ```
   */
  recvBytesIntoSync(
    buffer: ArrayBufferLike | ArrayBufferView,
    options?: Omit<RecvBytesIntoOptions, "signal">,
  ): number {
    const target = intoTarget(buffer, options?.offset, "Connection.recvBytesIntoSync");
    return copyInto(
      asBytes(
        this.#takeSync(options, "Connection.recvBytesIntoSync", [...SYNC_WAIT_KEYS, "offset"]),
        undefined,
      ),
      target,
    );
  }

  /**
   * Whether a message (or the end of the stream) is there to receive, waiting up to `timeout`
   * ms (default `0`: only look, as Python's `poll()`).
   *
   * @param options `timeout` in ms (`Infinity` to wait until something comes; a negative one
   *   counts as `0`, as in Python) and `signal`.
   * @returns `true` when `recv` would not wait.
   *
   * @example
   * ```ts
   * import { Pipe } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const [a, b] = Pipe();
   * assert.equal(await b.poll(), false);
   * setTimeout(() => a.send("x"), 5);
   * assert.equal(await b.poll({ timeout: 5_000 }), true);
   * ```
   */
  async poll(options?: WaitOptions): Promise<boolean> {
    const channel = this.#reader();
    const timeout = pollTimeout(options, "Connection.poll");
    return await channel.poll(timeout, options?.signal, this.#shut);
  }

  /**
   * {@linkcode Connection.poll} for worker code: blocks while it waits.
   *
   * @param options `timeout` in ms (default `0`; a negative one counts as `0`).
   * @returns `true` when `recv` would not wait.
   * @throws {DOMException} `InvalidStateError` when it would block the main program's thread.
   *
   * @example
   * ```ts
   * import { Pipe } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const [a, b] = Pipe();
   * a.send(0);
   * assert.equal(b.pollSync(), true);
   * ```
   */
  pollSync(options?: Omit<WaitOptions, "signal">): boolean {
    const channel = this.#reader();
    const timeout = pollTimeout(options, "Connection.pollSync", SYNC_WAIT_KEYS);
    return channel.pollSync(timeout, "Connection.pollSync", "connection.poll");
  }

  /**
   * Closes this handle of the end, as Python closes one process's copy of it. The end itself
   * closes once every copy of it is closed or its process ended: a `Process` given the end as
   * an argument has a copy of its own (so the parent may close its copy after `start()`, the
   * common idiom), while a pool task or a handle revived in the same process shares the copy
   * of the thread that sent it. When the end closes, the other end's `recv` gets
   * {@linkcode EOFError} once it has received everything sent, and its `send` fails. A `recv`
   * of this handle that is waiting ends with {@linkcode ClosedError}. Closing twice does
   * nothing.
   *
   * @example
   * ```ts
   * import { ClosedError, Pipe } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const [a, b] = Pipe();
   * b.close();
   * assert.equal(b.closed, true);
   * assert.throws(() => a.send("lost?"), (e) => e instanceof ClosedError && e.value === "lost?");
   * ```
   *
   * @example The parent closes its copy of the child's end after start()
   * ```ts
   * import { type Connection, EOFError, Pipe, Process } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const [parentConn, childConn] = Pipe<string>();
   * const p = new Process({
   *   target: (conn: Connection<string>) => conn.send("hi"),
   *   args: [childConn],
   * });
   * p.start();
   * childConn.close(); // the parent's copy: the child's stays open
   * assert.equal(await parentConn.recv(), "hi");
   * await assert.rejects(parentConn.recv(), EOFError); // the child ended: no copy is left
   * await p.join();
   * ```
   */
  close(): void {
    if (this.#closedHere) return;
    this.#closedHere = true;
    this.#out?.dropCopy(WRITERS, this.#owner);
    if (this.#in !== undefined) {
      this.#in.dropCopy(READERS, this.#owner);
      this.#in.wakeTakers(); // a recv of this handle waiting here ends
    }
  }

  /** Closes this end, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  #put(value: unknown, argument: string): void {
    const channel = this.#out;
    if (channel === undefined) {
      throw new TypeError(
        "Cannot send on this end of a one-way pipe: Pipe(false) gives [receiver, sender]",
      );
    }
    if (this.closed) {
      throw new ClosedError("Cannot send: this end of the pipe is closed", { value });
    }
    if (channel.tryPut(value, false, argument) !== true) {
      throw new ClosedError("Cannot send: the other end of the pipe is closed", { value });
    }
  }

  #reader(): Channel {
    if (this.#in === undefined) {
      throw new TypeError(
        "Cannot receive on this end of a one-way pipe: Pipe(false) gives [receiver, sender]",
      );
    }
    if (this.#closedHere || (this.#in.closed & READER_CLOSED) !== 0) {
      throw new ClosedError("Cannot receive: this end of the pipe is closed");
    }
    return this.#in;
  }

  #takeSync(
    options: Omit<WaitOptions, "signal"> | undefined,
    method: string,
    keys: readonly string[] = SYNC_WAIT_KEYS,
  ): unknown {
    const channel = this.#reader();
    const timeout = checkWait(options, method, keys);
    return received(channel.takeSync(timeout, method, "connection.recv"), timeout);
  }

  /** @internal The channel this end receives from, for `wait()`. */
  [readerChannel](): Channel {
    return this.#reader();
  }

  /** @internal What crosses into a worker. */
  [toShared](): SharedHandle {
    // Encoded for a Process's arguments: the process gets a copy of its own.
    const target = this.#closedHere ? undefined : copyTarget();
    if (target !== undefined) {
      if (this.#in !== undefined) {
        this.#in.addCopy(READERS, target.ident);
        target.made.push({ channel: this.#in, side: READERS });
      }
      if (this.#out !== undefined) {
        this.#out.addCopy(WRITERS, target.ident);
        target.made.push({ channel: this.#out, side: WRITERS });
      }
    }
    const state: ConnectionState = {
      read: (this.#in?.buffer ?? null) as SharedArrayBuffer | null,
      write: (this.#out?.buffer ?? null) as SharedArrayBuffer | null,
      owner: target?.ident ?? this.#owner,
      closed: this.#closedHere,
    };
    return { module: import.meta.url, export: "Connection", state };
  }

  /** @internal Rebuilds the connection in a worker. */
  static [fromShared](state: unknown): Connection {
    return makeConnection(state as ConnectionState);
  }
}

/** A connection over the given channels (`null`: that direction is not there). */
export function makeConnection<T>(state: ConnectionState): Connection<T> {
  return making.revive(state, () => new Connection<T>());
}
