/**
 * {@linkcode Process}: Python's `multiprocessing.Process`, one Web Worker running one target.
 *
 * A process is a worker host started with role `"process"`: it gets the target as a pool
 * worker gets a task (by reference from an imported module, or by value with `context`; its
 * arguments may hold shared objects), runs it once, waits for the processes the target
 * started, and says how it ended. The worker is then asked to stop (its waits unwind) and
 * terminated, and its `ident` recorded as ended (a manager's clients stop waiting on it).
 *
 * ```
 *  new Process({ target, args })  start(): init + run ──▶  worker host: target(...args)
 *  exitCode null                                              │ console output ──▶ printed here
 *  join() resolves, exitCode 0 / 1 / n  ◀── done / failed / crashed (Deno.exit(n), close…)
 *  terminate() / kill(): the worker is stopped, exitCode -15 / -9
 * ```
 *
 * @module
 */

import { addChild, removeChild } from "../_internal/children.ts";
import { assertNotBootstrapping, currentIdentity, nextIdentity } from "../_internal/identity.ts";
import type {
  ConsoleMode,
  EncodedContext,
  FunctionDescriptor,
  WorkerIdentity,
  WorkerToMain,
} from "../_internal/protocol.ts";
import { serializeError } from "../_internal/protocol.ts";
import { Revival } from "../_internal/shareable.ts";
import type { Copy } from "../_internal/end_copies.ts";
import type { WorkerSession } from "../_internal/worker_session.ts";
import type { WaitOptions } from "../_internal/wait_options.ts";
import { checkDaemon, checkJoin, checkProcessOptions } from "./_options.ts";
import { reviveSubclass } from "./_run_subclass.ts";
import { exitCodeName, reportFailure, SIGKILL, SIGTERM } from "./_exit.ts";
import { waitEnded } from "./_join.ts";
import { type Launch, launchWorker, subclassLaunch } from "./_launch.ts";
import type { ProcessOptions } from "./process_options.ts";

type State = "initial" | "started" | "stopped";

/**
 * The identity of the process being revived in its own worker, as an instance of its subclass
 * (see {@linkcode Process.run}): taken by the constructor.
 */
const runningHere = new Revival<WorkerIdentity>();

/**
 * A process, as Python's `multiprocessing.Process`: a Web Worker (an isolated V8 heap on its
 * own thread) that runs `target(...args)` once. Make it with the target and its arguments,
 * `start()` it, and `await join()` it; `exitCode` then tells how it ended: `0` when the target
 * returned, `1` when it threw (the error is printed on stderr under `Process Process-N:`, as
 * Python prints the traceback), the code it passed to `Deno.exit(code)`, or `-15` / `-9` after
 * `terminate()` / `kill()`. Whatever the target prints appears here, in order (see
 * {@linkcode ProcessOptions.console}).
 *
 * Like any Web Worker, a running process keeps the program alive (as Python waits for its
 * non-daemonic children at exit), unless it is `daemon`.
 *
 * Differences from Python: a process is a worker thread of the same OS process (its `ident` is
 * unique in the program, but it has no pid of its own), so `Deno.exit()` in the main program
 * ends every process at once, where Python would first wait for the non-daemonic ones; it is
 * always started as with the `spawn` method (the target's module is imported afresh, nothing
 * is inherited), so a subclass overriding {@linkcode Process.run} must be exported from its
 * module (it is found there by reference) and keep its state in public fields; only `console`
 * output is forwarded (`Deno.stdout.write` in the target writes to the process's stdout
 * directly). A daemonic process lets the program end through an unnamed internal of Deno's
 * `Worker` (the one behind `node:worker_threads`' `unref()`); on a Deno without it, a daemonic
 * process keeps the program running like any other.
 *
 * @example Python's "hello bob"
 * ```ts
 * import { Process } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const p = new Process({ target: (name: string) => console.log("hello", name), args: ["bob"] });
 * p.start();
 * await p.join(); // "hello bob" was printed by now
 * assert.equal(p.exitCode, 0);
 * assert.match(p.name, /^Process-\d+$/);
 * ```
 *
 * @example Shared memory between processes
 * ```ts
 * import { Process, SharedArray, Value } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const num = Value("d", 0);
 * const arr = SharedArray("i", [0, 1, 2, 3]);
 * const p = new Process({
 *   target: (n: typeof num, a: typeof arr) => {
 *     n.value = 3.1415927;
 *     for (let i = 0; i < a.length; i++) a[i] = -a[i]!;
 *   },
 *   args: [num, arr],
 * });
 * p.start();
 * await p.join();
 * assert.equal(num.value, 3.1415927);
 * assert.deepEqual([...arr], [0, -1, -2, -3]);
 * ```
 */
export class Process implements AsyncDisposable {
  readonly #target: FunctionDescriptor | null;
  readonly #targetFn: ((...args: never[]) => unknown) | null;
  readonly #args: unknown[];
  readonly #name: string;
  readonly #ident: number;
  #daemon: boolean;
  readonly #imports: string[];
  readonly #context: EncodedContext;
  readonly #console: ConsoleMode;
  #state: State = "initial";
  #exitCode: number | null = null;
  #session: WorkerSession | undefined;
  /** The copies of pipe ends the process was given: rechecked when it ends. */
  #copies: Copy[] = [];
  readonly #ended = Promise.withResolvers<void>();
  /** Pending `join()`s: a daemonic process keeps the program running while it is joined. */
  #joiners = 0;

  /**
   * Makes the process; nothing runs until {@linkcode Process.start}. Its name is numbered now,
   * as in Python.
   *
   * @param options The target, its arguments, and the other {@linkcode ProcessOptions}.
   * @throws {TypeError} `options` is not an object or has an unknown key, `target` is not a
   *   function, `args` is not an array, `name` is not a non-empty string, `daemon` is not a
   *   boolean, `imports` is not an array of module URLs or paths, or `context` cannot be sent.
   * @throws {RangeError} `console` is not `"forward"`, `"tagged"` or `"inherit"`.
   * @throws {FunctionTransportError} `target` is a built-in or bound function (it has no source).
   *
   * @example
   * ```ts
   * import { Process } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const p = new Process({ target: () => {}, name: "Test" });
   * assert.equal(p.name, "Test");
   * assert.equal(p.ident, null); // not started
   * ```
   */
  constructor(options: ProcessOptions = {}) {
    const running = runningHere.take();
    if (running !== undefined) {
      // This process's own instance, in its worker (a subclass whose run() is called).
      this.#target = this.#targetFn = null;
      this.#args = [];
      this.#daemon = running.daemon ?? false;
      this.#imports = [];
      this.#context = { values: {}, functions: {}, shared: false };
      this.#console = "forward";
      this.#name = running.name;
      this.#ident = running.ident;
      this.#state = "started";
      return;
    }
    const checked = checkProcessOptions(options);
    if (checked.target !== null && overridesRun(new.target)) {
      throw new TypeError(
        `${new.target.name} overrides run(), so it takes no "target": its run() is what the ` +
          `process runs (as in Python, where run() calls the target only if not overridden)`,
      );
    }
    this.#target = checked.target;
    this.#targetFn = checked.targetFn;
    this.#args = checked.args;
    this.#daemon = checked.daemon;
    this.#imports = checked.imports;
    this.#context = checked.context;
    this.#console = checked.console;
    // Numbered last, so that bad options use up no number. A subclass's processes are named
    // after it, as in Python (`Worker-3`).
    const identity = nextIdentity(
      new.target === Process ? "Process" : new.target.name || "Process",
    );
    this.#name = checked.name ?? identity.name;
    this.#ident = identity.ident;
  }

  /** The name: `Process-N` unless given; what `currentProcess().name` answers in the process. */
  get name(): string {
    return this.#name;
  }

  /**
   * A positive integer unique among the program's workers, what `currentProcess().ident`
   * answers in the process (Python's `pid`); `null` until it is started.
   */
  get ident(): number | null {
    return this.#state === "initial" ? null : this.#ident;
  }

  /**
   * How the process ended: `null` while it has not (or was not started); `0` when the target
   * returned; `1` when it threw or the worker had an uncaught error; the code passed to
   * `Deno.exit(code)`; `-15` after {@linkcode Process.terminate} and `-9` after
   * {@linkcode Process.kill}, Python's negative signal numbers.
   */
  get exitCode(): number | null {
    return this.#exitCode;
  }

  /** Whether the process is daemonic (see {@linkcode ProcessOptions.daemon}). */
  get daemon(): boolean {
    return this.#daemon;
  }

  /**
   * Makes the process daemonic or not, as Python's `p.daemon = True`: only before `start()`.
   *
   * @throws {DOMException} `InvalidStateError` once the process is started.
   * @throws {TypeError} The value is not a boolean.
   */
  set daemon(value: boolean) {
    if (this.#state !== "initial") {
      throw new DOMException(
        `Cannot change "daemon" of ${this.#name} as it was started already: set it before ` +
          `start()`,
        "InvalidStateError",
      );
    }
    this.#daemon = checkDaemon(value);
  }

  /**
   * Starts the process: a worker is started and runs the target with its arguments. Returns at
   * once.
   *
   * @throws {DOMException} `InvalidStateError` when the process was started before (a process
   *   starts once), when the calling code runs in a daemonic process (which may not have
   *   children, as in Python), or when a worker is importing the module that calls this at its
   *   top level (guard it with `if (import.meta.main)`).
   * @throws {TypeError} An argument cannot be sent to a worker (a function, a class instance…);
   *   the process then stays unstarted.
   *
   * @example
   * ```ts
   * import { Process } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const p = new Process({ target: () => {} });
   * p.start();
   * assert.ok(p.ident !== null);
   * assert.throws(() => p.start(), { name: "InvalidStateError" });
   * await p.join();
   * ```
   */
  start(): void {
    if (this.#state !== "initial") {
      throw new DOMException(
        `Cannot start ${this.#name} as it was started already: a process starts once; make a ` +
          `new Process to run the target again`,
        "InvalidStateError",
      );
    }
    const parent = currentIdentity();
    if (parent.daemon === true) {
      throw new DOMException(
        `Cannot start ${this.#name} in ${parent.name}: daemonic processes are not allowed to ` +
          `have children (as in Python). Start it from a process made without { daemon: true }`,
        "InvalidStateError",
      );
    }
    assertNotBootstrapping("a Process");
    const launch = this.#launch();
    const identity: WorkerIdentity = {
      name: this.#name,
      ident: this.#ident,
      parent: { name: parent.name, ident: parent.ident },
    };
    if (this.#daemon) identity.daemon = true;
    const { session, copies } = launchWorker(identity, launch, {
      context: this.#context,
      console: this.#console,
    }, {
      message: (message) => this.#onMessage(message),
      error: (error) => this.#onError(error),
    });
    this.#copies = copies;
    this.#session = session;
    this.#state = "started";
    addChild(this);
    if (this.#daemon) session.keepAlive(false);
  }

  /**
   * What the process does, as Python's `run()`: calls the target with its arguments, in the
   * calling thread (`start()` calls it in the process's worker). Override it in a subclass, as
   * Python's `class Worker(Process): def run(self): …`: `start()` then runs the subclass's
   * `run()` in the worker, on a copy of the instance.
   *
   * The copy is made as Python's `spawn` makes it, by reference and by value: the worker
   * imports the subclass by reference (so **export it** from its module, which the worker
   * imports: by default the module that creates the process, otherwise name it in `imports`,
   * e.g. `super({ imports: [import.meta.url] })`), makes an instance without calling the
   * subclass's constructor, and gives it the instance's own fields, structured-cloned (shared
   * objects such as a `Queue` or `Value` arrive as themselves). So keep the state `run()` needs
   * in public fields set by the constructor: `#private` fields of the subclass do not cross.
   * A subclass that cannot be found there fails the process (`exitCode` 1) with a
   * `FunctionTransportError` saying so.
   *
   * @returns What the target returns.
   *
   * @example A subclass overriding run()
   * ```ts
   * // examples/process_subclass.ts, which the worker imports to find the class:
   * //
   * //   export class Counter extends Process {
   * //     constructor(public upTo: number, public out: Queue<number>) {
   * //       super();
   * //     }
   * //     override run(): void {
   * //       for (let i = 1; i <= this.upTo; i++) this.out.putSync(i);
   * //     }
   * //   }
   * import { Queue } from "@workers/multiprocessing";
   * import { Counter } from "../examples/process_subclass.ts";
   * import assert from "node:assert/strict";
   *
   * const out = new Queue<number>();
   * const p = new Counter(3, out);
   * p.start();
   * await p.join();
   * assert.equal(p.exitCode, 0);
   * assert.match(p.name, /^Counter-\d+$/); // named after its class, as in Python
   * assert.deepEqual([await out.get(), await out.get(), await out.get()], [1, 2, 3]);
   * ```
   *
   * @example run() in the calling thread
   * ```ts
   * import { Process } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const p = new Process({ target: (a: number, b: number) => a + b, args: [2, 3] });
   * assert.equal(p.run(), 5); // no worker: as Python's p.run()
   * ```
   */
  run(): unknown {
    return this.#targetFn?.(...this.#args as never[]);
  }

  /** @internal In the process's worker: the instance of the subclass whose `run()` is called. */
  static [reviveSubclass](this: typeof Process, fields: Record<string, unknown>): Process {
    const instance = runningHere.revive(
      currentIdentity(),
      () => Reflect.construct(Process, [], this) as Process,
    );
    return Object.assign(instance, fields);
  }

  /** What `start()` sends: the target and its arguments, or the subclass and its fields. */
  #launch(): Launch {
    if (this.#target !== null) {
      return {
        target: this.#target,
        args: this.#args,
        imports: this.#imports,
        subject: `The "args" of ${this.#name}`,
      };
    }
    const subclass = this.constructor as typeof Process;
    return subclassLaunch(subclass, overridesRun(subclass), this.#name, this.#imports, {
      ...this,
    });
  }

  /**
   * Waits for the process to end, as Python's `join(timeout)`: after a `timeout` the promise
   * resolves all the same, quietly (check {@linkcode Process.isAlive} or
   * {@linkcode Process.exitCode} to know which); an aborted `signal` rejects it with the
   * signal's reason. Neither stops the process.
   *
   * @param options `timeout` in milliseconds (@default {Infinity}; a negative one counts as `0`,
   *   as in Python) and `signal`.
   * @returns Resolves when the process has ended, or when the timeout passed.
   * @throws {DOMException} `InvalidStateError` (as a rejection) when the process was not
   *   started.
   * @throws {RangeError} `timeout` is `NaN` (as a rejection).
   * @throws {TypeError} `timeout` is not a number, or `signal` not an `AbortSignal`.
   *
   * @example
   * ```ts
   * import { Process } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const p = new Process({ target: () => new Promise((r) => setTimeout(r, 10_000)) });
   * p.start();
   * await p.join({ timeout: 50 }); // returns quietly: still running
   * assert.equal(p.isAlive(), true);
   * assert.equal(p.exitCode, null);
   * p.terminate();
   * assert.equal(p.exitCode, -15);
   * ```
   */
  join(options: WaitOptions = {}): Promise<void> {
    let timeout: number;
    try {
      timeout = checkJoin(options);
    } catch (error) {
      return Promise.reject(error);
    }
    const { signal } = options;
    if (this.#state === "initial") {
      return Promise.reject(
        new DOMException(
          `Cannot join ${this.#name} as it was not started: call start() first`,
          "InvalidStateError",
        ),
      );
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#state === "stopped" || timeout === 0) return Promise.resolve();
    return waitEnded(this.#ended.promise, timeout, signal, (delta) => this.#hold(delta));
  }

  /**
   * Whether the process was started and has not ended yet.
   *
   * @returns `true` between `start()` and the end.
   *
   * @example
   * ```ts
   * import { Process } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const p = new Process({ target: () => {} });
   * assert.equal(p.isAlive(), false);
   * p.start();
   * assert.equal(p.isAlive(), true);
   * await p.join();
   * assert.equal(p.isAlive(), false);
   * ```
   */
  isAlive(): boolean {
    return this.#state === "started";
  }

  /**
   * Stops the process at once, as Python's `terminate()` (SIGTERM): `exitCode` becomes `-15`.
   * Its own children stop with it. Does nothing if the process is not running.
   *
   * @example
   * ```ts
   * import { Process } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const p = new Process({ target: () => new Promise(() => {}) });
   * p.start();
   * p.terminate();
   * assert.equal(p.exitCode, -15);
   * ```
   */
  terminate(): void {
    this.#end(-SIGTERM);
  }

  /**
   * Stops the process at once, as Python's `kill()` (SIGKILL): `exitCode` becomes `-9`. A
   * worker can be stopped only one way, so this differs from {@linkcode Process.terminate} by
   * the exit code alone. Does nothing if the process is not running.
   *
   * @example
   * ```ts
   * import { Process } from "@workers/multiprocessing";
   * import assert from "node:assert/strict";
   *
   * const p = new Process({ target: () => new Promise(() => {}) });
   * p.start();
   * p.kill();
   * assert.equal(p.exitCode, -9);
   * ```
   */
  kill(): void {
    this.#end(-SIGKILL);
  }

  /**
   * Terminates the process if it is still running, so that `await using p = new Process(…)`
   * leaves nothing behind; `await p.join()` first to let the target finish.
   */
  [Symbol.asyncDispose](): Promise<void> {
    this.terminate();
    return Promise.resolve();
  }

  /** Shows the process as Python's `repr` does: `<Process name="Process-1" ident=4 started>`. */
  [Symbol.for("Deno.customInspect")](): string {
    let text = `<Process name=${JSON.stringify(this.#name)}`;
    if (this.#state !== "initial") text += ` ident=${this.#ident}`;
    text += this.#state === "stopped" ? " stopped" : ` ${this.#state}`;
    if (this.#exitCode !== null) text += ` exitCode=${exitCodeName(this.#exitCode)}`;
    if (this.#daemon) text += " daemon";
    return `${text}>`;
  }

  #onMessage(message: WorkerToMain): void {
    switch (message.kind) {
      case "done":
        this.#end(0);
        return;
      case "failed":
      case "initFailed":
        reportFailure(this.#name, message.error);
        this.#end(1);
        return;
      case "crashed":
        if (message.error !== null) reportFailure(this.#name, message.error);
        this.#end(message.exitCode);
        return;
      default:
        // "ready"; "console" messages are printed by the worker handle.
        return;
    }
  }

  #onError(error: unknown): void {
    reportFailure(this.#name, serializeError(error));
    this.#end(1);
  }

  #end(code: number): void {
    if (this.#state !== "started") return;
    this.#state = "stopped";
    this.#exitCode = code;
    this.#session!.terminate();
    // Its copies of pipe ends count no more: an end it held last is now closed.
    for (const { channel, side } of this.#copies) channel.recheckCopies(side);
    removeChild(this);
    this.#ended.resolve();
  }

  /** Counts joiners; a daemonic process keeps the program running while someone joins it. */
  #hold(delta: number): void {
    this.#joiners += delta;
    if (this.#daemon) this.#session?.keepAlive(this.#joiners > 0);
  }
}

/** Whether a class (`Process` or a subclass) has a `run()` of its own. */
function overridesRun(cls: { prototype: { run: unknown } }): boolean {
  return cls.prototype.run !== Process.prototype.run;
}
