/**
 * The one wire protocol between the main program and a worker host, shared by both sides and by
 * every backend (`worker`, `inline`, later `mpi`).
 *
 * Ordering: a worker handles the messages it is sent strictly one after another, in the order
 * sent, and answers each `run` it claims with exactly one `done` or `failed`, in the same order.
 * A pool worker claims a `run` in its claim cell just before it runs it, and skips, without an
 * answer, a `run` the main program took back from it (see `claims.ts`): the claim, not the
 * order, tells the main program whether a chunk may have run when its worker dies.
 *
 * The registry of named shared memory talks on a port of its own per worker (a worker may block
 * waiting for its answer while the main channel is busy); its messages are here too, at the end.
 *
 * @module
 */

/** Who a worker is: what `currentProcess()` answers inside it. */
export interface WorkerIdentity {
  /** `PoolWorker-N`, `Process-N`, or a user-given name. */
  name: string;
  /** A positive integer unique among all workers of the program, nested ones included. */
  ident: number;
  /** Set for a daemonic `Process`, which may not start processes of its own (as in Python). */
  daemon?: boolean;
  /** The thread that started the worker: the main program or another worker. */
  parent?: { name: string; ident: number };
}

/**
 * What becomes of the `console` output of the workers a `Pool` or a `Process` starts.
 *
 * - `"forward"`: each worker sends its output, formatted as Deno's console formats it, to the
 *   thread that started it, which prints it with its own `console`: `log`, `info`, `debug`
 *   and the like on stdout, `warn`, `error`, `trace` and failed `assert`s on stderr. Lines of
 *   one worker keep their order and come before the result of the task that printed them.
 *   A worker's output thus reaches the main program through every level of nesting, and the
 *   notebook cell in the Deno Jupyter kernel, where a worker's own output is lost.
 * - `"tagged"`: the same, each line prefixed with the worker's name: `[PoolWorker-1] hello`.
 * - `"inherit"`: Deno's own behaviour: the worker writes to the process's stdout and stderr
 *   directly (lines of different workers may interleave, and the Jupyter kernel shows none).
 */
export type ConsoleMode = "forward" | "tagged" | "inherit";

/** What a worker is started for: pool tasks, or the one target of a `Process`. */
export type WorkerRole = "pool" | "process";

/**
 * How a function reaches a worker. The worker first looks for an export of that `name` with
 * this very `source` in the modules it imports (by reference, as Python pickles a top-level
 * function); failing that, it compiles `source` (by value, as cloudpickle does). `id` keys the
 * worker's cache, so each function is resolved once per worker.
 */
export interface FunctionDescriptor {
  id: number;
  name: string;
  source: string;
}

/** Free variables for functions sent by value: cloneable values, and functions as source. */
export interface EncodedContext {
  values: Record<string, unknown>;
  functions: Record<string, string>;
  /** Whether `values` holds shared objects to revive. */
  shared: boolean;
}

/** An error as it crosses threads. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** Set when the function itself could not cross (missing export or free variable). */
  transport?: boolean;
  /**
   * Set when what was thrown is not an `Error` (`throw { code: 7 }`): the value itself when it
   * can be cloned, else its printed form. It becomes the `RemoteError`'s `cause`.
   */
  thrown?: { value: unknown };
}

/** `f(x)` for each call (`map`), or `f(...args)` (`apply`, `starmap`). */
export type CallMode = "one" | "star";

/** Main program → worker. */
export type MainToWorker =
  | {
    kind: "init";
    identity: WorkerIdentity;
    /** Module URLs searched for functions by reference, in order. */
    imports: string[];
    context: EncodedContext;
    initializer: FunctionDescriptor | null;
    initargs: unknown[];
    initargsShared: boolean;
    /** Whether the worker forwards its console output (`"inherit"`: it does not). */
    console: ConsoleMode;
    /**
     * `"process"`: the worker runs one target, ignores its result, and before it answers waits
     * for the processes the target started (terminating the daemonic ones first), as a Python
     * process does when it exits.
     */
    role: WorkerRole;
    /** The program-wide counter that hands out `ident`s, so nested workers get unique ones. */
    identCounter: SharedArrayBuffer;
    /**
     * A pool worker's claim cells, one per chunk it may have in flight (see `claims.ts`).
     * Absent for a `Process`'s worker, which runs the one target it is sent.
     */
    claims?: SharedArrayBuffer;
    /**
     * Whether the worker says, with each `done` and `failed`, how much memory it holds (the
     * pool has `maxMemoryPerChild`); off, it never measures.
     */
    reportMemory?: boolean;
    /**
     * The worker's line to the program-wide registry of named shared memory (`registry.ts`);
     * its port goes in the transfer list. Absent where the registry is local (`inline`).
     */
    registry?: RegistryLink;
    /**
     * A pool worker's fast lane (`lane.ts`): small chunks and their answers travel through it
     * while the worker is idle. Absent where the worker shares no memory with the pool.
     */
    lane?: SharedArrayBuffer;
  }
  | {
    kind: "run";
    /** The chunk's number, ≥ 1, unique among the worker's chunks in flight. */
    batch: number;
    /** The claim cell the chunk is offered in (ignored without `claims`). */
    cell: number;
    /** The function's id; `def` is sent with the first use on each worker only. */
    fn: number;
    def: FunctionDescriptor | null;
    mode: CallMode;
    /** The calls' arguments; plain numbers come packed (see `number_pack.ts`). */
    calls: unknown[] | Float64Array;
    /** Whether `calls` holds shared objects to revive. */
    shared: boolean;
    /**
     * Set for separate calls travelling together (`apply` calls of one function, see
     * `pool/_coalesce.ts`), each settling on its own: the worker starts each call only as its
     * progress cell allows (see `claims.ts`), a throw is that call's error alone, and it answers
     * with `settled` messages (not `done` or `failed`), the last marked `last`.
     */
    separate?: boolean;
  };

/** Worker → main program. */
export type WorkerToMain =
  | { kind: "ready" }
  | { kind: "initFailed"; error: SerializedError }
  | {
    kind: "done";
    batch: number;
    /** The results; plain numbers come packed (see `number_pack.ts`). */
    values: unknown[] | Float64Array;
    shared: boolean;
    /**
     * When asked (`reportMemory`): the bytes the worker's JavaScript holds after the batch, its
     * heap and its `ArrayBuffer`s (see `task_runner.ts`).
     */
    memory?: number;
  }
  | {
    kind: "failed";
    batch: number;
    error: SerializedError;
    /** Results of the calls of the batch that finished before the failing one. */
    values: unknown[];
    shared: boolean;
    /**
     * When asked (`reportMemory`): the bytes the worker's JavaScript holds after the batch, its
     * heap and its `ArrayBuffer`s (see `task_runner.ts`).
     */
    memory?: number;
  }
  | {
    /**
     * Answers of a chunk of separate calls (`separate`), in order: the calls from `from` on,
     * one value each (`undefined` for a call that threw). Sent when the chunk ends (`last`),
     * and before that whenever calls took a while since the previous answer, or a result moves
     * buffers, or the worker dies: so a result is lost with its worker only if the worker died
     * without a word (terminated, its process killed) soon after the call returned.
     */
    kind: "settled";
    batch: number;
    /** The index in the chunk of the first call answered here. */
    from: number;
    /** The results; plain numbers come packed (see `number_pack.ts`). */
    values: unknown[] | Float64Array;
    shared: boolean;
    /** The calls that threw, by index in the chunk, and their errors. */
    errors: [number, SerializedError][];
    /**
     * The chunk's last answer: the calls after these were not run (the main program cut the
     * chunk, see `claims.ts`).
     */
    last: boolean;
    /** With the last answer, when asked (`reportMemory`): as for `done`. */
    memory?: number;
  }
  | {
    kind: "crashed";
    /** The batch running when the worker died, if any. */
    batch: number | null;
    /** How it died, in words: `"called self.close()"`, `"uncaught error"`… */
    how: string;
    error: SerializedError | null;
    /**
     * The exit code a `Process` ends with: the code given to `Deno.exit()`, `0` for
     * `self.close()`, `1` for an uncaught error or unhandled rejection.
     */
    exitCode: number;
  }
  | {
    kind: "console";
    /** `stdout` for `log`, `info`, `debug`…; `stderr` for `warn`, `error`, `trace`, `assert`. */
    stream: "stdout" | "stderr";
    /** Whole lines, formatted as Deno's console formats them, without the last newline. */
    text: string;
  };

/**
 * A worker's line to the program-wide registry of named shared memory, which lives in the main
 * program: a port whose other end the main program serves, and a flag it sets after each answer
 * (or when it stops serving), so the worker can sleep on it with `Atomics.wait`.
 */
export interface RegistryLink {
  port: MessagePort;
  /** One `Int32`: see `registry.ts` for its states. */
  flag: SharedArrayBuffer;
}

/** A named shared memory block, as the registry holds it. */
export interface RegistryBlock {
  buffer: SharedArrayBuffer;
  /** Tells this block apart from a later block of the same name. */
  token: string;
}

/**
 * A thread → the registry, on its {@linkcode RegistryLink}. `create`, `lookup` and `unlink` are
 * answered by one {@linkcode RegistryReply} with the same `seq`, in order; `adopt` and `drop`
 * are not answered.
 */
export type RegistryRequest =
  | { kind: "create"; seq: number; name: string; block: RegistryBlock }
  | { kind: "lookup"; seq: number; name: string }
  | { kind: "unlink"; seq: number; name: string; token: string }
  /** Serve this new line too, for a worker the sender starts; the port is transferred. */
  | { kind: "adopt"; id: number; link: RegistryLink }
  /** Stop serving the line adopted as `id` (its worker stopped). */
  | { kind: "drop"; id: number };

/** The registry → a thread: the answer to its request `seq`. */
export type RegistryReply =
  | { kind: "ok"; seq: number; block: RegistryBlock | null }
  | { kind: "error"; seq: number; error: SerializedError };

/** Turns any thrown value into a {@linkcode SerializedError}. */
export function serializeError(error: unknown, transport = false): SerializedError {
  if (error instanceof Error) {
    const out: SerializedError = { name: error.name, message: error.message };
    if (error.stack !== undefined) out.stack = error.stack;
    if (transport) out.transport = true;
    return out;
  }
  const shown = describeValue(error);
  let value: unknown = shown;
  try {
    value = structuredClone(error);
  } catch {
    // A function, a symbol, or something holding one: the printed form stands in for it.
  }
  return { name: "Error", message: `A non-Error value was thrown: ${shown}`, thrown: { value } };
}

/** The longest printed form of a thrown value kept in an error message. */
const MAX_SHOWN = 1_000;

/** A thrown value as a reader would write it: `"oops"`, `42`, `{ code: 7, detail: "x" }`. */
function describeValue(value: unknown): string {
  let shown: string;
  try {
    shown = typeof value === "string" ? JSON.stringify(value) : Deno.inspect(value, {
      colors: false,
      compact: true,
      breakLength: Infinity,
      depth: 4,
      iterableLimit: 20,
    });
  } catch {
    shown = Object.prototype.toString.call(value);
  }
  return shown.length > MAX_SHOWN ? `${shown.slice(0, MAX_SHOWN)}…` : shown;
}
