/**
 * The error classes the library throws, shared by every area. Each has a `name` and a stable
 * `code` you can branch on, as with Node's `err.code`.
 *
 * @example Catch a task's error and read the original
 * ```ts
 * import { Pool, RemoteError } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool(1);
 * const err = await pool.apply(() => JSON.parse("{"), []).catch((e) => e);
 * assert.ok(err instanceof RemoteError);
 * assert.equal(err.remoteName, "SyntaxError");
 * assert.ok(err.cause instanceof SyntaxError);
 * ```
 *
 * @module
 */

/** The stable codes of the library's errors. */
export type ErrorCode =
  | "ERR_REMOTE"
  | "ERR_WORKER_CRASHED"
  | "ERR_BROKEN_POOL"
  | "ERR_POOL_CLOSED"
  | "ERR_FUNCTION_TRANSPORT"
  | "ERR_EMPTY"
  | "ERR_FULL"
  | "ERR_BROKEN_BARRIER"
  | "ERR_EOF"
  | "ERR_CLOSED"
  | "ERR_SHUT_DOWN"
  | "ERR_BUFFER_TOO_SHORT"
  | "ERR_PARALLEL_RUNNING"
  | "ERR_MPI";

/**
 * The base class of every error this library defines; catch it to catch them all.
 *
 * @example
 * ```ts
 * import { MultiprocessingError, PoolClosedError } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * assert.ok(new PoolClosedError("closed") instanceof MultiprocessingError);
 * ```
 */
export class MultiprocessingError extends Error {
  /** A stable, machine-readable code, e.g. `"ERR_POOL_CLOSED"`. */
  readonly code: ErrorCode;

  /**
   * Creates the error.
   *
   * @param message What went wrong and how to fix it.
   * @param code The stable code.
   * @param options `cause`, as for `Error`.
   */
  constructor(message: string, code: ErrorCode, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/**
 * A task threw in a worker. Python attaches the remote traceback to the error it re-raises; so
 * do we: {@linkcode RemoteError.remoteName}, the remote message and
 * {@linkcode RemoteError.remoteStack} are kept, and `cause` holds the original rebuilt in this
 * thread (a `TypeError` stays a `TypeError`; other classes come back as `Error` with the
 * original `name`). A thrown value that is not an `Error` (`throw { code: 7 }`) is the `cause`
 * itself, structured-cloned (or its printed form, if it cannot be cloned), and is printed in
 * the message.
 *
 * @example
 * ```ts
 * import { RemoteError } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const err = new RemoteError({ name: "TypeError", message: "bad", stack: "TypeError: bad" });
 * assert.equal(err.message, "TypeError: bad");
 * assert.equal(err.code, "ERR_REMOTE");
 * assert.ok(err.cause instanceof TypeError);
 * ```
 */
export class RemoteError extends MultiprocessingError {
  /** The class name, as thrown. */
  override readonly name = "RemoteError";
  /** The `name` of the error thrown in the worker, e.g. `"TypeError"`. */
  readonly remoteName: string;
  /** The stack of the error thrown in the worker, as the worker saw it. */
  readonly remoteStack: string;

  /**
   * Creates the error.
   *
   * @param remote The remote error: its `name`, `message`, `stack`, and optionally the rebuilt
   *   original to use as `cause` (built from the other fields when left out), or, when what was
   *   thrown is not an `Error`, the `thrown` value (the `cause` then).
   */
  constructor(
    remote: {
      name: string;
      message: string;
      stack?: string;
      original?: unknown;
      thrown?: { value: unknown };
    },
  ) {
    const original = remote.original ??
      (remote.thrown !== undefined ? remote.thrown.value : rebuildError(remote));
    super(`${remote.name}: ${remote.message}`, "ERR_REMOTE", { cause: original });
    this.remoteName = remote.name;
    this.remoteStack = remote.stack ?? "";
  }
}

/**
 * The worker running a task died before the task finished (it called `self.close()` or
 * `Deno.exit()`, or an uncaught error or unhandled rejection escaped outside the task). The
 * pool fails that task with this error within milliseconds, replaces the worker and carries on;
 * tasks queued behind it run on other workers. `cause` holds the uncaught error, if any.
 *
 * @example
 * ```ts
 * import { WorkerCrashedError } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * assert.equal(new WorkerCrashedError("PoolWorker-1 exited").code, "ERR_WORKER_CRASHED");
 * ```
 */
export class WorkerCrashedError extends MultiprocessingError {
  /** The class name, as thrown. */
  override readonly name = "WorkerCrashedError";
  /**
   * Creates the error.
   *
   * @param message Which worker died, and how.
   * @param options `cause`: the uncaught error, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, "ERR_WORKER_CRASHED", options);
  }
}

/**
 * The pool cannot run tasks at all: its workers fail to start (the `initializer` threw, or the
 * worker could not load), or three in a row died before they ran a task (an initializer that
 * exits, or leaves behind a timer that throws or a rejection nobody handles), where Python's
 * pool would start workers for ever. Every pending and later task rejects with it; `cause`
 * says why.
 *
 * @example
 * ```ts
 * import { BrokenPoolError } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * assert.equal(new BrokenPoolError("initializer threw").code, "ERR_BROKEN_POOL");
 * ```
 */
export class BrokenPoolError extends MultiprocessingError {
  /** The class name, as thrown. */
  override readonly name = "BrokenPoolError";
  /**
   * Creates the error.
   *
   * @param message Why the pool is broken.
   * @param options `cause`: the underlying error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, "ERR_BROKEN_POOL", options);
  }
}

/**
 * Work was given to a pool after `close()` or `terminate()`, or a pending task was cut short by
 * `terminate()`.
 *
 * @example
 * ```ts
 * import { Pool, PoolClosedError } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const pool = new Pool(1);
 * pool.close();
 * await assert.rejects(pool.apply(() => 1), PoolClosedError);
 * await pool.join();
 * ```
 */
export class PoolClosedError extends MultiprocessingError {
  /** The class name, as thrown. */
  override readonly name = "PoolClosedError";
  /**
   * Creates the error.
   *
   * @param message What was refused.
   */
  constructor(message: string) {
    super(message, "ERR_POOL_CLOSED");
  }
}

/**
 * A function cannot reach a worker: it is neither an export of a module the worker imports,
 * nor self-contained (it uses a free variable missing from `context`), or it is a built-in or
 * bound function. The message names the function, what is missing and both fixes. Python's
 * counterpart is `PicklingError`.
 *
 * @example
 * ```ts
 * import { FunctionTransportError } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * assert.equal(new FunctionTransportError("f uses y").code, "ERR_FUNCTION_TRANSPORT");
 * ```
 */
export class FunctionTransportError extends MultiprocessingError {
  /** The class name, as thrown. */
  override readonly name = "FunctionTransportError";
  /**
   * Creates the error.
   *
   * @param message What cannot cross, and the fixes.
   * @param options `cause`: the underlying error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, "ERR_FUNCTION_TRANSPORT", options);
  }
}

/**
 * Python's `queue.Empty`: a non-blocking or timed `get` found nothing.
 *
 * @example
 * ```ts
 * import { EmptyError } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * assert.equal(new EmptyError("queue is empty").code, "ERR_EMPTY");
 * ```
 */
export class EmptyError extends MultiprocessingError {
  /** The class name, as thrown. */
  override readonly name = "EmptyError";
  /**
   * Creates the error.
   *
   * @param message What was empty.
   */
  constructor(message: string) {
    super(message, "ERR_EMPTY");
  }
}

/**
 * Python's `queue.Full`: a non-blocking or timed `put` found no room.
 *
 * @example
 * ```ts
 * import { FullError } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * assert.equal(new FullError("queue is full").code, "ERR_FULL");
 * ```
 */
export class FullError extends MultiprocessingError {
  /** The class name, as thrown. */
  override readonly name = "FullError";
  /**
   * Creates the error.
   *
   * @param message What was full.
   */
  constructor(message: string) {
    super(message, "ERR_FULL");
  }
}

/**
 * Python's `threading.BrokenBarrierError`: a barrier was aborted, reset, or timed out while
 * parties waited on it.
 *
 * @example
 * ```ts
 * import { BrokenBarrierError } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * assert.equal(new BrokenBarrierError("barrier aborted").code, "ERR_BROKEN_BARRIER");
 * ```
 */
export class BrokenBarrierError extends MultiprocessingError {
  /** The class name, as thrown. */
  override readonly name = "BrokenBarrierError";
  /**
   * Creates the error.
   *
   * @param message Why the barrier is broken.
   */
  constructor(message: string) {
    super(message, "ERR_BROKEN_BARRIER");
  }
}

/**
 * A `Parallel` was called while a call of it is still running (joblib's `ValueError: This
 * Parallel instance is already running`): its calls run one after another. Await the first
 * call (for a generator: consume it, or `return()` it) before the next, or make a second
 * `Parallel` for calls that should run side by side.
 *
 * @example
 * ```ts
 * import { delayed, Parallel, ParallelRunningError } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const inc = (x: number) => x + 1;
 * await using parallel = Parallel({ nJobs: 2, returnAs: "generator" });
 * const first = parallel([1, 2, 3].map((x) => delayed(inc)(x)));
 * assert.equal((await first.next()).value, 2);
 * assert.throws(() => parallel([delayed(inc)(4)]), ParallelRunningError);
 * await first.return();
 * assert.deepEqual(await Array.fromAsync(parallel([delayed(inc)(4)])), [5]);
 * ```
 */
export class ParallelRunningError extends MultiprocessingError {
  /** The class name, as thrown. */
  override readonly name = "ParallelRunningError";
  /**
   * Creates the error.
   *
   * @param message What was refused, and what to do instead.
   */
  constructor(message: string) {
    super(message, "ERR_PARALLEL_RUNNING");
  }
}

/**
 * Python's `EOFError` from `Connection.recv()`: the other end of the pipe was closed and every
 * message it sent has been received. (Python's pipe blocks for ever in some of these cases; ours
 * never does.)
 *
 * @example
 * ```ts
 * import { EOFError } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * assert.equal(new EOFError("pipe closed").code, "ERR_EOF");
 * ```
 */
export class EOFError extends MultiprocessingError {
  /** The class name, as thrown. */
  override readonly name = "EOFError";
  /**
   * Creates the error.
   *
   * @param message What ended.
   */
  constructor(message: string) {
    super(message, "ERR_EOF");
  }
}

/**
 * Using a queue or pipe end that is closed (Python's `ValueError: Queue is closed`, `OSError:
 * handle is closed`, `BrokenPipeError`). Carries the value that could not be sent, so that it
 * is not lost.
 *
 * @example
 * ```ts
 * import { ClosedError } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const error = new ClosedError("the queue is closed", { value: 42 });
 * assert.equal(error.code, "ERR_CLOSED");
 * assert.equal(error.value, 42);
 * ```
 */
export class ClosedError extends MultiprocessingError {
  /** The class name, as thrown. */
  override readonly name = "ClosedError";
  /** The value a `put` or `send` could not deliver (`undefined` for a receive). */
  readonly value: unknown;
  /**
   * Creates the error.
   *
   * @param message What was closed.
   * @param options `value`: the undelivered value.
   */
  constructor(message: string, options: { value?: unknown } = {}) {
    super(message, "ERR_CLOSED");
    this.value = options.value;
  }
}

/**
 * Python 3.13's `queue.ShutDown`: the queue was shut down with `shutdown()`. Every `put` then
 * throws it, and every `get` too once the queue is empty (at once after
 * `shutdown({ immediate: true })`, which drops what was queued).
 *
 * @example
 * ```ts
 * import { Queue, ShutDownError } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const q = new Queue<number>();
 * q.shutdown();
 * const error = await q.put(1).catch((e) => e);
 * assert.ok(error instanceof ShutDownError);
 * assert.equal(error.code, "ERR_SHUT_DOWN");
 * assert.equal(error.value, 1); // the value is not lost
 * ```
 */
export class ShutDownError extends MultiprocessingError {
  /** The class name, as thrown. */
  override readonly name = "ShutDownError";
  /** The value a `put` could not deliver (`undefined` for a `get`). */
  readonly value: unknown;
  /**
   * Creates the error.
   *
   * @param message What was shut down.
   * @param options `value`: the undelivered value.
   */
  constructor(message: string, options: { value?: unknown } = {}) {
    super(message, "ERR_SHUT_DOWN");
    this.value = options.value;
  }
}

/**
 * Python's `multiprocessing.BufferTooShort`: `Connection.recvBytesInto()` received a message
 * longer than the room left in the buffer. The message was taken from the pipe all the same,
 * and is kept whole in {@linkcode BufferTooShortError.bytes} (Python's `e.args[0]`), so that it
 * is not lost.
 *
 * @example
 * ```ts
 * import { BufferTooShortError } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const error = new BufferTooShortError("too long", Uint8Array.of(1, 2, 3));
 * assert.equal(error.code, "ERR_BUFFER_TOO_SHORT");
 * assert.deepEqual(error.bytes, Uint8Array.of(1, 2, 3));
 * ```
 */
export class BufferTooShortError extends MultiprocessingError {
  /** The class name, as thrown. */
  override readonly name = "BufferTooShortError";
  /** The whole message that did not fit. */
  readonly bytes: Uint8Array;
  /**
   * Creates the error.
   *
   * @param message How long the message was, and the room there was.
   * @param bytes The message received.
   */
  constructor(message: string, bytes: Uint8Array) {
    super(message, "ERR_BUFFER_TOO_SHORT");
    this.bytes = bytes;
  }
}

/**
 * An MPI call failed (`./mpi`): a bad rank or tag, a message longer than its buffer, a
 * communicator or op misused, or MPI cannot start at all (OpenMPI missing, no `--allow-ffi`).
 * The message names the MPI function and the arguments at fault and ends with MPI's own error
 * string, kept in {@linkcode MpiError.mpiMessage}; {@linkcode MpiError.errorClass} is MPI's
 * error class (e.g. `6`, `MPI_ERR_RANK`), `null` when MPI itself did not answer. mpi4py raises
 * `MPI.Exception` for the same failures.
 *
 * @example
 * ```ts
 * import { MpiError } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const error = new MpiError("MPI_Isend(dest 5) failed: MPI_ERR_RANK: invalid rank", {
 *   errorClass: 6,
 *   mpiMessage: "MPI_ERR_RANK: invalid rank",
 * });
 * assert.equal(error.code, "ERR_MPI");
 * assert.equal(error.errorClass, 6);
 * ```
 */
export class MpiError extends MultiprocessingError {
  /** The class name, as thrown. */
  override readonly name = "MpiError";
  /** MPI's error class (`MPI_ERR_RANK` is 6, `MPI_ERR_TAG` 4…), `null` if MPI did not answer. */
  readonly errorClass: number | null;
  /** MPI's own error string (`MPI_Error_string`), `""` if MPI did not answer. */
  readonly mpiMessage: string;

  /**
   * Creates the error.
   *
   * @param message What failed, with which arguments, and how to fix it.
   * @param options MPI's `errorClass` and `mpiMessage`, and the `cause`.
   */
  constructor(
    message: string,
    options: { errorClass?: number; mpiMessage?: string; cause?: unknown } = {},
  ) {
    super(message, "ERR_MPI", options.cause === undefined ? undefined : { cause: options.cause });
    this.errorClass = options.errorClass ?? null;
    this.mpiMessage = options.mpiMessage ?? "";
  }
}

const builtinErrors: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/** Rebuilds an error from its serialized fields, keeping built-in classes. */
function rebuildError(remote: { name: string; message: string; stack?: string }): Error {
  const Ctor = builtinErrors[remote.name] ?? Error;
  const error = new Ctor(remote.message);
  if (error.name !== remote.name) {
    Object.defineProperty(error, "name", { value: remote.name, configurable: true });
  }
  if (remote.stack !== undefined) {
    Object.defineProperty(error, "stack", { value: remote.stack, configurable: true });
  }
  return error;
}
