/**
 * The worker side of the protocol: takes `init` and `run` messages one at a time, in order,
 * runs the calls, and answers. The worker host drives it inside a Web Worker; the `inline`
 * backend drives the very same code on the main thread.
 *
 * A worker started for a `Process` (role `"process"`) runs one target and ignores its result,
 * as Python does; before it answers, it reaps the processes the target started (see
 * `children.ts`), so its end is reported only once theirs is.
 *
 * @module
 */

import { FunctionTransportError } from "../errors.ts";
import { reapChildren } from "./children.ts";
import { ClaimCells } from "./claims.ts";
import { Lane, PARK_MS } from "./lane.ts";
import type {
  CallMode,
  MainToWorker,
  SerializedError,
  WorkerRole,
  WorkerToMain,
} from "./protocol.ts";
import { serializeError } from "./protocol.ts";
import { encodeValue, reviveValue } from "./shareable.ts";
import { MIN_PACKED, packNumbers } from "./number_pack.ts";
import { SeparateCalls } from "./separate_calls.ts";
import type { AnyFunction, ResolvedFunction } from "./function_transport.ts";

/** How a runner finds functions: the worker host imports or compiles; `inline` looks them up. */
export interface Resolver {
  define(descriptor: { id: number; name: string; source: string }): void;
  cached(id: number): ResolvedFunction | undefined;
  resolve(id: number): Promise<ResolvedFunction>;
  explain(resolved: ResolvedFunction, error: unknown): Promise<Error | undefined>;
}

/** What a runner needs from the thread it runs in. */
export interface RunnerHost {
  send(message: WorkerToMain, transfer: Transferable[]): void;
  /** Called with the `init` message: adopt the identity, make the resolver. */
  start(init: Extract<MainToWorker, { kind: "init" }>): Resolver;
  /**
   * How many messages the host has sent of its own so far (console output): an answer that
   * follows some goes by message, after them, never through the lane.
   */
  sentOfItsOwn?(): number;
}

type InitMessage = Extract<MainToWorker, { kind: "init" }>;
type RunMessage = Extract<MainToWorker, { kind: "run" }>;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null &&
    typeof (value as PromiseLike<unknown>).then === "function";
}

/** Runs what the main program sends, one message at a time. */
export class TaskRunner {
  /** The batch claimed and not yet answered, for crash reports. */
  running: number | null = null;
  /** Set when the thread is going away: nothing more is sent. */
  stopped = false;
  readonly #host: RunnerHost;
  readonly #queue: MainToWorker[] = [];
  #draining = false;
  #resolver: Resolver | undefined;
  #role: WorkerRole = "pool";
  #claims: ClaimCells | undefined;
  /** Whether each answer says how much memory the worker holds (`maxMemoryPerChild`). */
  #reportMemory = false;
  /** The chunk of separate calls running now, if one is. */
  #separate: SeparateCalls | undefined;
  /** The fast lane to the main program (`lane.ts`), for a pool worker that has one. */
  #lane: Lane | undefined;
  /** Messages received from the main program by `receive` (the lane's chunks not counted). */
  #received = 0;
  /** The chunk taken from the lane and running, and the host's own messages when it began. */
  #laned: { batch: number; own: number } | undefined;

  constructor(host: RunnerHost) {
    this.#host = host;
  }

  /**
   * The thread is going away (the worker host's `crashed` message is sent next, or the `inline`
   * session ended): no more call of a chunk of separate calls starts, and the answers of those
   * that finished are sent first. Then nothing more is sent.
   */
  halt(): void {
    this.#separate?.halt();
    this.stopped = true;
  }

  /** Takes one message; runs it now, or after those before it. */
  receive(message: MainToWorker): void {
    // Counted for the lane: the main program uses it only once every message it posted is
    // here (the lane's chunk runs after them, and may need a function one of them defined).
    this.#received++;
    this.#lane?.received(this.#received);
    this.#queue.push(message);
    if (!this.#draining) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      let message: MainToWorker | undefined;
      while (!this.stopped && (message = this.#queue.shift() ?? this.#park()) !== undefined) {
        if (message.kind === "init") await this.#init(message);
        else await this.#run(message);
      }
    } finally {
      this.#draining = false;
    }
  }

  /** Idle: spins a while for a chunk through the lane (`lane.ts`); `undefined` if none came. */
  #park(): MainToWorker | undefined {
    if (this.#lane === undefined || this.#role !== "pool" || this.stopped) return undefined;
    const message = this.#lane.park(PARK_MS) as MainToWorker | undefined;
    if (message?.kind === "run") {
      this.#laned = { batch: message.batch, own: this.#host.sentOfItsOwn?.() ?? 0 };
    }
    return message;
  }

  #send(message: WorkerToMain, transfer: Transferable[] = []): void {
    if (this.stopped) return;
    const laned = this.#laned;
    if (
      laned !== undefined && (message.kind === "done" || message.kind === "failed") &&
      message.batch === laned.batch
    ) {
      this.#laned = undefined;
      // Console output of the task went by message: its answer follows it there.
      const printed = (this.#host.sentOfItsOwn?.() ?? 0) !== laned.own;
      if (this.#lane!.answer(message, printed)) return;
    }
    this.#host.send(message, transfer);
  }

  async #init(message: InitMessage): Promise<void> {
    if (message.claims !== undefined) this.#claims = new ClaimCells(message.claims);
    if (message.lane !== undefined) {
      this.#lane = new Lane(message.lane);
      this.#lane.received(this.#received);
    }
    this.#reportMemory = message.reportMemory === true && message.role === "pool";
    try {
      const resolver = this.#host.start(message);
      this.#resolver = resolver;
      this.#role = message.role;
      if (message.initializer !== null) {
        resolver.define(message.initializer);
        const { fn } = await resolver.resolve(message.initializer.id);
        const args = message.initargsShared
          ? await reviveValue(message.initargs) as unknown[]
          : message.initargs;
        await fn(...args);
      }
      this.#send({ kind: "ready" });
    } catch (error) {
      this.#send({ kind: "initFailed", error: serializeError(error, isTransport(error)) });
    }
  }

  async #run(message: RunMessage): Promise<void> {
    const resolver = this.#resolver!;
    if (message.def !== null) resolver.define(message.def);
    // Claimed before anything of the task runs: from here on it may have run, so the main
    // program never runs it again. A chunk it took back runs elsewhere: skipped, unanswered.
    if (this.#claims !== undefined && !this.#claims.claim(message.cell, message.batch)) return;
    this.running = message.batch;
    try {
      if (message.separate === true) await this.#runSeparate(resolver, message);
      else await this.#runClaimed(resolver, message);
    } finally {
      this.running = null;
      this.#separate = undefined;
    }
  }

  /** Runs a chunk of separate calls (see `separate_calls.ts`). */
  async #runSeparate(resolver: Resolver, message: RunMessage): Promise<void> {
    let resolved: ResolvedFunction | undefined;
    const chunk = new SeparateCalls(message.batch, message.cell, this.#claims, {
      send: (answer, transfer) => this.#send(answer, transfer),
      explain: (error) => this.#explain(resolver, resolved!, error),
      cloneError: (error) => serializeError(cloneError(error)),
      memory: () => this.#reportMemory ? memoryInUse() : undefined,
    });
    this.#separate = chunk;
    // The first call starts with finding the function and reviving the arguments: a worker
    // that dies doing so dies running it.
    if (!chunk.begin()) return chunk.end();
    const n = message.calls.length;
    let calls: ArrayLike<unknown>;
    try {
      resolved = resolver.cached(message.fn) ?? await resolver.resolve(message.fn);
      calls = message.shared
        ? await reviveValue(message.calls) as unknown[]
        : message.calls as ArrayLike<unknown>;
    } catch (error) {
      // Every call fails with it, as each would have alone.
      const failure = serializeError(error, isTransport(error));
      for (let i = 0; i < n && (i === 0 || chunk.begin()); i++) chunk.fail(i, failure);
      return chunk.end();
    }
    await chunk.run(resolved.fn, message.mode, calls);
    chunk.end();
  }

  async #runClaimed(resolver: Resolver, message: RunMessage): Promise<void> {
    const { batch } = message;
    const resolved = await this.#resolve(resolver, message);
    if (resolved === undefined) return;
    const calls = message.shared
      ? await reviveValue(message.calls) as unknown[]
      : message.calls as ArrayLike<unknown>;
    // A pool's map of one-argument calls whose results are numbers fills a Float64Array, sent
    // as it is (its buffer moved): no array of boxed doubles is built and then packed.
    const numbers = this.#role === "pool" && message.mode === "one"
      ? await callEachNumber(resolved.fn, calls)
      : undefined;
    if (numbers?.values instanceof Float64Array) {
      this.#answer(batch, numbers.values);
      return;
    }
    const values: unknown[] = numbers === undefined
      ? new Array(calls.length)
      : numbers.values as unknown[];
    const stop = numbers === undefined
      ? await callEach(resolved.fn, message.mode, calls, values)
      : numbers.stop;
    const error = stop === undefined
      ? undefined
      : await this.#explain(resolver, resolved, stop.error);
    if (this.#role === "process") {
      // A process's target: its result is ignored, and it answers once its children ended.
      await this.#exit();
      if (error === undefined) this.#send({ kind: "done", batch, values: [], shared: false });
      else this.#fail(batch, error, []);
    } else if (error === undefined) {
      this.#answer(batch, values);
    } else {
      this.#fail(batch, error, values.slice(0, stop!.returned));
    }
  }

  /** The chunk's function, or `undefined` when it cannot be found (the chunk has failed). */
  async #resolve(resolver: Resolver, message: RunMessage): Promise<ResolvedFunction | undefined> {
    const cached = resolver.cached(message.fn);
    if (cached !== undefined) return cached;
    try {
      return await resolver.resolve(message.fn);
    } catch (error) {
      this.#fail(message.batch, serializeError(error, isTransport(error)), []);
      return undefined;
    }
  }

  /** A call's error as the main program sees it, explained where the function is at fault. */
  async #explain(
    resolver: Resolver,
    resolved: ResolvedFunction,
    error: unknown,
  ): Promise<SerializedError> {
    const explained = await resolver.explain(resolved, error);
    return serializeError(explained ?? error, explained !== undefined);
  }

  /** Sends a pool chunk's results. */
  #answer(batch: number, values: unknown[] | Float64Array<ArrayBuffer>): void {
    const transfer: Transferable[] = [];
    try {
      let answer: Extract<WorkerToMain, { kind: "done" }>;
      if (values instanceof Float64Array) {
        answer = { kind: "done", batch, values, shared: false };
        transfer.push(values.buffer);
      } else {
        answer = this.#encodeAnswer(batch, values, transfer);
      }
      if (this.#reportMemory) answer.memory = memoryInUse();
      this.#send(answer, transfer);
    } catch (error) {
      // A result that cannot be cloned (a function, a class instance with private state…).
      this.#fail(batch, serializeError(cloneError(error)), []);
    }
  }

  #encodeAnswer(
    batch: number,
    values: unknown[],
    transfer: Transferable[],
  ): Extract<WorkerToMain, { kind: "done" }> {
    const encoded = encodeValue(values, transfer);
    return {
      kind: "done",
      batch,
      values: encoded.shared ? encoded.value : packNumbers(encoded.value, transfer),
      shared: encoded.shared,
    };
  }

  /** A process's target is done: wait for the processes it started, as Python does at exit. */
  async #exit(): Promise<void> {
    if (!this.stopped) await reapChildren();
  }

  #fail(batch: number, error: SerializedError, done: unknown[]): void {
    const transfer: Transferable[] = [];
    const encoded = encodeValue(done, transfer);
    const answer: Extract<WorkerToMain, { kind: "failed" }> = {
      kind: "failed",
      batch,
      error,
      values: encoded.value,
      shared: encoded.shared,
    };
    if (this.#reportMemory) answer.memory = memoryInUse();
    try {
      this.#send(answer, transfer);
    } catch {
      // The results before the failure cannot be cloned: send the error alone.
      this.#send({ ...answer, values: [], shared: false });
    }
  }
}

/** Why a chunk's calls stopped early: the error, and how many calls returned before it. */
interface CallStop {
  error: unknown;
  returned: number;
}

/**
 * Calls `fn` on each call in turn (`f(x)`, or `f(...args)` in `"star"` mode), awaiting what
 * returns a promise, into `values`; stops at the first that throws.
 */
async function callEach(
  fn: AnyFunction,
  mode: CallMode,
  calls: ArrayLike<unknown>,
  values: unknown[],
  from = 0,
): Promise<CallStop | undefined> {
  let i = from;
  try {
    if (mode === "one") {
      for (; i < calls.length; i++) {
        const value = fn(calls[i]);
        values[i] = isThenable(value) ? await value : value;
      }
    } else {
      for (; i < calls.length; i++) {
        const value = fn(...calls[i] as unknown[]);
        values[i] = isThenable(value) ? await value : value;
      }
    }
  } catch (error) {
    return { error, returned: i };
  }
  return undefined;
}

/**
 * Calls a one-argument chunk (of {@linkcode MIN_PACKED} calls or more) into a `Float64Array`
 * while the results are numbers; from the first result that is not one, into an array (the
 * numbers so far copied into it) as {@linkcode callEach} does. Each call is made once.
 */
async function callEachNumber(
  fn: AnyFunction,
  calls: ArrayLike<unknown>,
): Promise<
  { values: Float64Array<ArrayBuffer> | unknown[]; stop: CallStop | undefined } | undefined
> {
  const n = calls.length;
  if (n < MIN_PACKED) return undefined;
  const packed = new Float64Array(n);
  let i = 0;
  try {
    for (; i < n; i++) {
      const value = fn(calls[i]);
      if (typeof value === "number") {
        packed[i] = value;
        continue;
      }
      const values: unknown[] = Array.from(packed.subarray(0, i));
      values.length = n;
      try {
        values[i] = isThenable(value) ? await value : value;
      } catch (error) {
        return { values, stop: { error, returned: i } };
      }
      return { values, stop: await callEach(fn, "one", calls, values, i + 1) };
    }
  } catch (error) {
    return { values: Array.from(packed.subarray(0, i)), stop: { error, returned: i } };
  }
  return { values: packed, stop: undefined };
}

/**
 * The bytes this thread's JavaScript holds: its V8 isolate's heap (`heapUsed`) and the
 * `ArrayBuffer`s it allocated (`external`), garbage not yet collected included. In a Web Worker
 * both are the worker's own (Deno 2.9.6: a worker's figures stay flat while another worker or
 * the main thread fills its heap, and a `SharedArrayBuffer` it was sent is not counted); `rss`
 * is the whole process's, so it is not used. About 3 µs a call, paid only when asked.
 */
function memoryInUse(): number {
  const { heapUsed, external } = Deno.memoryUsage();
  return heapUsed + external;
}

function isTransport(error: unknown): boolean {
  return error instanceof FunctionTransportError;
}

function cloneError(error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return new TypeError(
    `A task's result cannot be sent back to the main program (${reason}): return plain data ` +
      `(numbers, strings, arrays, plain objects, typed arrays, Maps, Sets…), not functions or ` +
      `class instances`,
    { cause: error },
  );
}
