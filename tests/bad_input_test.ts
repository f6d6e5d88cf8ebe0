/**
 * Bad input to the public entry points: a number passed as a string is a `TypeError` that says
 * it is a string (the bare `got 2` hid it), and a bad `maxlength` a `RangeError` naming it.
 */

import assert from "node:assert/strict";
import {
  AsyncResult,
  Barrier,
  BoundedSemaphore,
  Condition,
  delayed,
  Event,
  JoinableQueue,
  Lock,
  Manager,
  Parallel,
  Pipe,
  Pool,
  Process,
  progress,
  ProgressBar,
  Queue,
  RawArray,
  RawValue,
  RLock,
  Semaphore,
  SharedArray,
  SharedMemory,
  SharedTypedArray,
  SharedValue,
  SimpleQueue,
  SynchronizedArray,
  SynchronizedValue,
  transfer,
  Value,
  wait,
} from "../mod.ts";
import { MpiPool } from "../mpi/mod.ts";
import { workerTest } from "./_helpers.ts";

// deno-lint-ignore no-explicit-any
const loose = (x: unknown): any => x;

/** Entry points given a string where a number belongs: each must throw (or reject) so. */
const stringCases: [string, string, (pool: Pool) => unknown][] = [
  ["new Pool()", "processes", () => new Pool(loose("2"))],
  [
    "new Pool({ maxTasksPerChild })",
    "maxTasksPerChild",
    () => new Pool(1, { maxTasksPerChild: loose("2") }),
  ],
  ["Pool.map(f, xs, chunksize)", "chunksize", (p) => p.map((x: number) => x, [1], loose("3"))],
  [
    "Pool.mapAsync(f, xs, chunksize)",
    "chunksize",
    (p) => p.mapAsync((x: number) => x, [1], loose("3")),
  ],
  [
    "Pool.starmap(f, xs, chunksize)",
    "chunksize",
    (p) => p.starmap((x: number) => x, [[1]], loose("3")),
  ],
  ["Pool.imap(f, xs, chunksize)", "chunksize", (p) => p.imap((x: number) => x, [1], loose("3"))],
  [
    "Pool.imapUnordered(f, xs, chunksize)",
    "chunksize",
    (p) => p.imapUnordered((x: number) => x, [1], loose("3")),
  ],
  [
    "AsyncResult.get({ timeout })",
    "timeout",
    () => new AsyncResult(Promise.resolve(1)).get({ timeout: loose("5") }),
  ],
  [
    "AsyncResult.wait({ timeout })",
    "timeout",
    () => new AsyncResult(Promise.resolve(1)).wait({ timeout: loose("5") }),
  ],
  ["new Queue(maxsize)", "maxsize", () => new Queue(loose("8"))],
  ["new JoinableQueue(maxsize)", "maxsize", () => new JoinableQueue(loose("8"))],
  ["Queue.get({ timeout })", "timeout", () => new Queue().get({ timeout: loose("5") })],
  ["Queue.put(x, { timeout })", "timeout", () => new Queue().put(1, { timeout: loose("5") })],
  ["SimpleQueue.get({ timeout })", "timeout", () => new SimpleQueue().get({ timeout: loose("5") })],
  ["Connection.recv({ timeout })", "timeout", () => Pipe()[0].recv({ timeout: loose("5") })],
  ["Connection.poll({ timeout })", "timeout", () => Pipe()[0].poll({ timeout: loose("5") })],
  [
    "Connection.recvBytes({ maxlength })",
    "maxlength",
    () => Pipe()[0].recvBytes({ maxlength: loose("5") }),
  ],
  [
    "Connection.recvBytesInto(b, { offset })",
    "offset",
    () => Pipe()[0].recvBytesInto(new Uint8Array(4), { offset: loose("1") }),
  ],
  ["wait(objects, { timeout })", "timeout", () => wait([Pipe()[0]], { timeout: loose("5") })],
  [
    "Connection.sendBytes(b, { offset })",
    "offset",
    () => Pipe()[0].sendBytes(new Uint8Array(4), { offset: loose("1") }),
  ],
  [
    "Connection.sendBytes(b, { size })",
    "size",
    () => Pipe()[0].sendBytes(new Uint8Array(4), { size: loose("1") }),
  ],
  ["Lock.acquire({ timeout })", "timeout", () => new Lock().acquire({ timeout: loose("5") })],
  ["RLock.acquire({ timeout })", "timeout", () => new RLock().acquire({ timeout: loose("5") })],
  ["Event.wait({ timeout })", "timeout", () => new Event().wait({ timeout: loose("5") })],
  ["new Semaphore(value)", "value", () => new Semaphore(loose("2"))],
  ["new BoundedSemaphore(value)", "value", () => new BoundedSemaphore(loose("2"))],
  ["Semaphore.release(n)", "n", () => new Semaphore(0).release(loose("2"))],
  ["new Barrier(parties)", "parties", () => new Barrier(loose("2"))],
  ["Condition.notify(n)", "n", async () => {
    const c = new Condition();
    await c.acquire();
    try {
      c.notify(loose("1"));
    } finally {
      c.release();
    }
  }],
  ["SharedArray(type, size)", "sizeOrValues", () => SharedArray("i", loose("3"))],
  [
    "new SharedMemory({ size })",
    "size",
    () => new SharedMemory({ create: true, size: loose("8") }),
  ],
  [
    "Process.join({ timeout })",
    "timeout",
    () => new Process({ target: () => {} }).join({ timeout: loose("5") }),
  ],
  ["Parallel({ nJobs })", "nJobs", () => Parallel({ nJobs: loose("2") })],
  ["Parallel({ batchSize })", "batchSize", () => Parallel({ batchSize: loose("2") })],
  ["Parallel({ verbose })", "verbose", () => Parallel({ verbose: loose("2") })],
  ["Parallel({ timeout })", "timeout", () => Parallel({ timeout: loose("2") })],
  ["new ProgressBar({ total })", "total", () => new ProgressBar({ total: loose("9") })],
  ["new ProgressBar({ interval })", "interval", () => new ProgressBar({ interval: loose("9") })],
];

/**
 * What `call` throws or rejects with, at once: a refused input fails at once, so a call that
 * waits (or succeeds) gives `undefined`, which fails the test.
 */
async function refusal(call: () => unknown): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([call(), new Promise((resolve) => timer = setTimeout(resolve, 1_000))]);
  } catch (error) {
    return error;
  } finally {
    clearTimeout(timer);
  }
  return undefined;
}

workerTest("a number passed as a string is a TypeError that says it is a string", async (t) => {
  await using pool = new Pool(1, { backend: "inline" });
  for (const [entry, argument, call] of stringCases) {
    await t.step(entry, async () => {
      const error = await refusal(() => call(pool));
      assert.ok(error instanceof TypeError, `${entry}: got ${error}`);
      assert.match(error.message, new RegExp(`"?${argument}"?`), entry);
      assert.match(error.message, /the string "\d+" \(write \d+, without quotes\)/, entry);
    });
  }
});

workerTest("recvBytes() refuses a maxlength that is negative, NaN or not whole", async () => {
  const [a, b] = Pipe();
  for (const maxlength of [-1, NaN, 1.5, -Infinity]) {
    await assert.rejects(b.recvBytes({ maxlength, timeout: 100 }), {
      name: "RangeError",
      message: /"maxlength" must be a whole number of bytes ≥ 0/,
    });
    assert.throws(() => b.recvBytesSync({ maxlength, timeout: 0 }), {
      name: "RangeError",
      message: /"maxlength"/,
    });
  }
  // A valid maxlength still works, and nothing was taken by the refused calls.
  a.sendBytes(Uint8Array.of(1, 2));
  assert.deepEqual(await b.recvBytes({ maxlength: 2 }), Uint8Array.of(1, 2));
  a.close();
});

/**
 * Every public entry point given a wrong type or value: `[entry, argument, error class, call]`.
 * Each must throw (or reject) at once with that class, and the message must name the argument.
 * (The string-for-a-number cases are `stringCases` above; `mpi/` needs `mpirun` and is
 * covered by `tests/mpi_test.ts`.)
 */
const badCases: [string, string, ErrorConstructor, (pool: Pool) => unknown][] = [
  // pool/
  ["new Pool(processes)", "processes", RangeError, () => new Pool(-1)],
  ["new Pool(processes) not whole", "processes", RangeError, () => new Pool(1.5)],
  ["new Pool(processes) an object", "processes", TypeError, () => new Pool(loose({}))],
  ["new Pool(1, options)", "options", TypeError, () => new Pool(1, loose(5))],
  [
    "new Pool({ initializer })",
    "initializer",
    TypeError,
    () => new Pool(1, loose({ initializer: 5 })),
  ],
  ["new Pool({ initargs })", "initargs", TypeError, () => new Pool(1, loose({ initargs: 5 }))],
  [
    "new Pool({ maxTasksPerChild })",
    "maxTasksPerChild",
    RangeError,
    () => new Pool(1, { maxTasksPerChild: 0 }),
  ],
  ["new Pool({ imports })", "imports", TypeError, () => new Pool(1, loose({ imports: 5 }))],
  ["new Pool({ context })", "context", TypeError, () => new Pool(1, loose({ context: 5 }))],
  ["new Pool({ name })", "name", TypeError, () => new Pool(1, loose({ name: 5 }))],
  ["new Pool({ backend })", "backend", RangeError, () => new Pool(1, loose({ backend: "x" }))],
  ["new Pool({ console })", "console", RangeError, () => new Pool(1, loose({ console: "x" }))],
  ["Pool.apply(f)", "f", TypeError, (p) => p.apply(loose(5))],
  ["Pool.apply(f, args)", "args", TypeError, (p) => p.apply((x: number) => x, loose(5))],
  ["Pool.apply(f, args) unsendable", "argument", TypeError, (p) => p.apply((x) => x, [() => 1])],
  [
    "Pool.apply(f, [], { timeout })",
    "timeout",
    RangeError,
    (p) => p.apply(() => 1, [], { timeout: -1 }),
  ],
  [
    "Pool.apply(f, [], { signal })",
    "signal",
    TypeError,
    (p) => p.apply(() => 1, [], loose({ signal: 5 })),
  ],
  [
    "Pool.applyAsync({ callback })",
    "callback",
    TypeError,
    (p) => p.applyAsync(() => 1, [], loose({ callback: 5 })),
  ],
  [
    "Pool.mapAsync({ errorCallback })",
    "errorCallback",
    TypeError,
    (p) => p.mapAsync((x: number) => x, [1], undefined, loose({ errorCallback: "x" })),
  ],
  [
    "Pool.starmapAsync({ callback })",
    "callback",
    TypeError,
    (p) => p.starmapAsync((x: number) => x, [[1]], undefined, loose({ callback: {} })),
  ],
  ["Pool.map(f, xs)", "f", TypeError, (p) => p.map(loose(5), [])],
  ["Pool.map(f, iterable)", "iterable", TypeError, (p) => p.map((x: number) => x, loose(5))],
  ["Pool.map(f, xs, chunksize)", "chunksize", RangeError, (p) => p.map((x: number) => x, [], 0)],
  [
    "Pool.map(f, xs, { chunksize })",
    "chunksize",
    RangeError,
    (p) => p.map((x: number) => x, [], { chunksize: -2 }),
  ],
  [
    "Pool.starmap(f, items)",
    "argument lists",
    TypeError,
    (p) => p.starmap((x: number) => x, loose([5])),
  ],
  ["Pool.imap(f, iterable)", "iterable", TypeError, (p) => p.imap((x: number) => x, loose(5))],
  ["Pool.imapUnordered(f)", "f", TypeError, (p) => p.imapUnordered(loose(5), [])],
  [
    "AsyncResult.get({ timeout })",
    "timeout",
    RangeError,
    () => new AsyncResult(Promise.resolve(1)).get({ timeout: -1 }),
  ],
  ["transfer(value, transferables)", "transferables", TypeError, () => transfer({}, loose(5))],
  ["transfer(value)", "value", TypeError, () => transfer(1, [])],
  ["transfer(value, [5])", "transferables", TypeError, () => transfer({}, loose([5]))],
  [
    "transfer(value, [typed array])",
    "buffer",
    TypeError,
    () => {
      const data = new Float64Array(4);
      return transfer(data, loose([data]));
    },
  ],
  [
    "transfer(value, [SharedArrayBuffer])",
    "SharedArrayBuffer",
    TypeError,
    () => transfer({}, loose([new SharedArrayBuffer(4)])),
  ],
  ["new AsyncResult(promise)", `"promise"`, TypeError, () => new AsyncResult(loose(5))],
  [
    "AsyncResult.get(options)",
    "options",
    TypeError,
    () => new AsyncResult(Promise.resolve(1)).get(loose(5)),
  ],
  [
    "AsyncResult.wait({ signal })",
    "signal",
    TypeError,
    () => new AsyncResult(new Promise(() => {})).wait(loose({ signal: 5 })),
  ],
  [
    "Pool.applyAsync(f, args, options)",
    "options",
    TypeError,
    (p) => p.applyAsync(() => 1, [], loose(5)),
  ],
  // process/
  ["new Process(options)", "options", TypeError, () => new Process(loose(5))],
  ["new Process({ target })", "target", TypeError, () => new Process(loose({ target: 5 }))],
  [
    "new Process({ args })",
    "args",
    TypeError,
    () => new Process(loose({ target: () => {}, args: 5 })),
  ],
  ["new Process({ name })", "name", TypeError, () => new Process({ target: () => {}, name: "" })],
  [
    "new Process({ daemon })",
    "daemon",
    TypeError,
    () => new Process(loose({ target: () => {}, daemon: 1 })),
  ],
  [
    "new Process({ unknown })",
    "bogus",
    TypeError,
    () => new Process(loose({ target: () => {}, bogus: 1 })),
  ],
  [
    "new Process({ console })",
    "console",
    RangeError,
    () => new Process(loose({ target: () => {}, console: "x" })),
  ],
  [
    "Process.start() unsendable args",
    "args",
    TypeError,
    () => new Process({ target: (f: unknown) => f, args: [() => 1] }).start(),
  ],
  // ipc/
  ["new Queue(maxsize)", "maxsize", RangeError, () => new Queue(-1)],
  ["new Queue(maxsize) not whole", "maxsize", RangeError, () => new Queue(1.5)],
  ["new JoinableQueue(maxsize)", "maxsize", RangeError, () => new JoinableQueue(-1)],
  ["Queue.get({ timeout })", "timeout", RangeError, () => new Queue().get({ timeout: -1 })],
  ["Queue.get(options)", "options", TypeError, () => new Queue().get(loose(5))],
  ["Queue.put(x, { timeout })", "timeout", RangeError, () => new Queue().put(1, { timeout: NaN })],
  [
    "Queue.putSync(x, { timeout })",
    "timeout",
    RangeError,
    () => new Queue().putSync(1, { timeout: -1 }),
  ],
  ["Queue.getSync({ timeout })", "timeout", RangeError, () => new Queue().getSync({ timeout: -1 })],
  ["Queue.putNowait(value)", "value", TypeError, () => new Queue().putNowait(loose(() => 1))],
  ["Queue.get({ block: 1 })", "block", TypeError, () => new Queue().get(loose({ block: 1 }))],
  [
    'Queue.get({ block: "false" })',
    "block",
    TypeError,
    () => new Queue().get(loose({ block: "false" })),
  ],
  ["Queue.put(x, { block })", "block", TypeError, () => new Queue(1).put(1, loose({ block: 0 }))],
  [
    "Queue.getSync({ block })",
    "block",
    TypeError,
    () => new Queue().getSync(loose({ block: null })),
  ],
  [
    "Queue.putSync(x, { block })",
    "block",
    TypeError,
    () => new Queue().putSync(1, loose({ block: 1 })),
  ],
  [
    "JoinableQueue.get({ block })",
    "block",
    TypeError,
    () => new JoinableQueue().get(loose({ block: 1 })),
  ],
  [
    "Queue.shutdown({ immediate })",
    "immediate",
    TypeError,
    () => new Queue().shutdown(loose({ immediate: 1 })),
  ],
  [
    "SimpleQueue.get({ timeout })",
    "timeout",
    RangeError,
    () => new SimpleQueue().get({ timeout: -1 }),
  ],
  ["SimpleQueue.put(value)", "value", TypeError, () => new SimpleQueue().put(loose(() => 1))],
  [
    "JoinableQueue.join({ timeout })",
    "timeout",
    RangeError,
    () => new JoinableQueue().join({ timeout: -1 }),
  ],
  ["Pipe(duplex)", "duplex", TypeError, () => Pipe(loose(5))],
  ["Connection.send(value)", "value", TypeError, () => Pipe()[0].send(loose(() => 1))],
  ["Connection.sendBytes(buffer)", "buffer", TypeError, () => Pipe()[0].sendBytes(loose(5))],
  [
    "Connection.sendBytes(b, { offset })",
    "offset",
    RangeError,
    () => Pipe()[0].sendBytes(new Uint8Array(4), { offset: 9 }),
  ],
  [
    "Connection.sendBytes(b, { size })",
    "size",
    RangeError,
    () => Pipe()[0].sendBytes(new Uint8Array(4), { size: 9 }),
  ],
  ["Connection.recv({ timeout })", "timeout", RangeError, () => Pipe()[0].recv({ timeout: NaN })],
  ["Connection.poll(options)", "options", TypeError, () => Pipe()[0].poll(loose(5))],
  [
    "Connection.recvSync({ timeout })",
    "timeout",
    RangeError,
    () => Pipe()[0].recvSync({ timeout: -1 }),
  ],
  // sync/
  ["Lock.acquire({ timeout })", "timeout", RangeError, () => new Lock().acquire({ timeout: NaN })],
  ["Lock.acquire({ signal })", "signal", TypeError, () => new Lock().acquire(loose({ signal: 5 }))],
  ["Lock.acquire(options)", "options", TypeError, () => new Lock().acquire(loose(5))],
  ["Lock.hold({ timeout })", "timeout", RangeError, () => new Lock().hold({ timeout: -1 })],
  ["RLock.acquire({ timeout })", "timeout", RangeError, () => new RLock().acquire({ timeout: -5 })],
  ["new Semaphore(value)", "value", RangeError, () => new Semaphore(-1)],
  ["new Semaphore(value) not whole", "value", RangeError, () => new Semaphore(1.5)],
  // Checked even when a unit is free (it was not: the call resolved).
  [
    "Semaphore.acquire({ timeout })",
    "timeout",
    TypeError,
    () => new Semaphore(1).acquire(loose({ timeout: "x" })),
  ],
  ["Semaphore.release(n)", "n", RangeError, () => new Semaphore(1).release(0)],
  ["new BoundedSemaphore(value)", "value", RangeError, () => new BoundedSemaphore(-1)],
  ["Event.wait({ timeout })", "timeout", RangeError, () => new Event().wait({ timeout: NaN })],
  [
    "Event.waitSync({ timeout })",
    "timeout",
    RangeError,
    () => new Event().waitSync({ timeout: -1 }),
  ],
  ["new Condition(lock)", "lock", TypeError, () => new Condition(loose(5))],
  [
    "Condition.wait({ timeout })",
    "timeout",
    TypeError,
    () => new Condition().wait(loose({ timeout: "x" })),
  ],
  ["Condition.notify(n)", "n", RangeError, () => new Condition().notify(-1)],
  [
    "Condition.waitFor(predicate)",
    `"predicate"`,
    TypeError,
    () => new Condition().waitFor(loose(5)),
  ],
  [
    "Condition.waitForSync(predicate)",
    `"predicate"`,
    TypeError,
    () => new Condition().waitForSync(loose(5)),
  ],
  ["new Barrier(parties)", "parties", RangeError, () => new Barrier(0)],
  ["new Barrier(2, { action })", "action", TypeError, () => new Barrier(2, loose({ action: 5 }))],
  ["new Barrier(2, { timeout })", "timeout", RangeError, () => new Barrier(2, { timeout: -1 })],
  ["new Barrier(2, options)", "options", TypeError, () => new Barrier(2, loose(5))],
  [
    "Barrier.wait({ timeout })",
    "timeout",
    TypeError,
    () => new Barrier(2).wait(loose({ timeout: "x" })),
  ],
  // shared/
  ["Value(typecode)", "typecode", TypeError, () => Value(loose(5))],
  ["Value(typecode, initial)", "initial", TypeError, () => Value("i", loose("x"))],
  [
    "Value(typecode, initial, { lock })",
    "lock",
    TypeError,
    () => Value("i", 1, loose({ lock: 5 })),
  ],
  ["RawValue(typecode)", "typecode", TypeError, () => RawValue(loose("z"))],
  ["SharedArray(typecode, size)", "sizeOrValues", RangeError, () => SharedArray("i", -1)],
  [
    "SharedArray(typecode, values)",
    "sizeOrValues",
    TypeError,
    () => SharedArray("i", loose(["x"])),
  ],
  ["SharedArray(typecode, object)", "sizeOrValues", TypeError, () => SharedArray("i", loose({}))],
  [
    "SharedArray(typecode, n, { lock })",
    "lock",
    TypeError,
    () => SharedArray("i", 5, loose({ lock: 5 })),
  ],
  ["RawArray(typecode, size)", "sizeOrValues", RangeError, () => RawArray("i", 1.5)],
  ["Value(typecode, initial, options)", "options", TypeError, () => Value("i", 1, loose(5))],
  [
    "SharedArray(typecode, n, options)",
    "options",
    TypeError,
    () => SharedArray("i", 2, loose("lock")),
  ],
  [
    "new SharedValue(kind, buffer)",
    `"kind"`,
    TypeError,
    () => new SharedValue(loose(5), loose(5)),
  ],
  [
    "new SharedValue(kind, buffer) a typecode",
    "RawValue",
    TypeError,
    () => new SharedValue(loose("d"), new SharedArrayBuffer(8)),
  ],
  [
    "new SynchronizedValue(kind, buffer, lock)",
    `"kind"`,
    TypeError,
    () => new SynchronizedValue(loose("i"), new SharedArrayBuffer(4), new Lock()),
  ],
  [
    "new SharedTypedArray(kind, buffer)",
    `"kind"`,
    TypeError,
    () => new SharedTypedArray(loose(Int32Array), new SharedArrayBuffer(8)),
  ],
  [
    "new SynchronizedArray(kind, buffer, lock)",
    `"kind"`,
    TypeError,
    () => new SynchronizedArray(loose({}), loose(null), loose(null)),
  ],
  [
    "new SharedMemory({ create })",
    "create",
    TypeError,
    () => new SharedMemory(loose({ create: 1, size: 8 })),
  ],
  ["new SharedMemory(options)", "options", TypeError, () => new SharedMemory(loose(5))],
  [
    "new SharedMemory({ size })",
    "size",
    RangeError,
    () => new SharedMemory({ create: true, size: -1 }),
  ],
  ["new SharedMemory({ name })", "name", TypeError, () => new SharedMemory(loose({ name: 5 }))],
  // parallel/
  ["Parallel(options)", "options", TypeError, () => Parallel(loose(5))],
  ["Parallel({ nJobs })", "nJobs", RangeError, () => Parallel({ nJobs: 0 })],
  ["Parallel({ batchSize })", "batchSize", RangeError, () => Parallel({ batchSize: 0 })],
  ["Parallel({ returnAs })", "returnAs", RangeError, () => Parallel(loose({ returnAs: "x" }))],
  [
    "Parallel({ preDispatch })",
    "preDispatch",
    RangeError,
    () => Parallel(loose({ preDispatch: "x" })),
  ],
  ["Parallel({ backend })", "backend", RangeError, () => Parallel(loose({ backend: "x" }))],
  ["Parallel({ progress })", "progress", TypeError, () => Parallel(loose({ progress: 5 }))],
  ["Parallel({ imports })", "imports", TypeError, () => Parallel(loose({ imports: 5 }))],
  ["Parallel({ context })", "context", TypeError, () => Parallel(loose({ context: 5 }))],
  ["Parallel(...)(calls)", "iterable", TypeError, () => Parallel({ nJobs: 1 })(loose(5))],
  ["Parallel(...)([call])", "delayed", TypeError, () => Parallel({ nJobs: 1 })(loose([5]))],
  ["delayed(fn)", "function", TypeError, () => delayed(loose(5))],
  ["new ProgressBar({ total })", "total", RangeError, () => new ProgressBar({ total: -1 })],
  [
    "new ProgressBar({ display })",
    "display",
    RangeError,
    () => new ProgressBar(loose({ display: "x" })),
  ],
  [
    "new ProgressBar({ display }) inherited name",
    "display",
    RangeError,
    () => new ProgressBar(loose({ display: "toString", write: () => {} })),
  ],
  ["new ProgressBar(options)", "options", TypeError, () => new ProgressBar(loose(5))],
  [
    "new ProgressBar({ description })",
    "description",
    TypeError,
    () => new ProgressBar(loose({ description: 5, display: "lines", write: () => {} })),
  ],
  ["new ProgressBar({ write })", "write", TypeError, () => new ProgressBar(loose({ write: 5 }))],
  ["ProgressBar.update(n)", "n", TypeError, () => withBar((bar) => bar.update(loose("x")))],
  ["ProgressBar.update(NaN)", "n", RangeError, () => withBar((bar) => bar.update(NaN))],
  ["progress(iterable)", "iterable", TypeError, () => progress(loose(5))],
  ["progress(iterable, options)", "options", TypeError, () => progress([], loose(5))],
  [
    "progress(iterable, { display })",
    "display",
    RangeError,
    () => progress([], loose({ display: "x" })),
  ],
  ["progress(iterable, { total })", "total", RangeError, () => progress([], { total: -1 })],
];

/** Runs `use` on a bar drawn into nothing, and closes it. */
async function withBar(use: (bar: ProgressBar) => void): Promise<void> {
  await using bar = new ProgressBar({ display: "lines", write: () => {} });
  use(bar);
}

/**
 * Options objects given a key their entry point does not read: a typo, or Python's name.
 * `[entry, key, what the message must also say (the option meant, or a hint), call]`; each
 * must throw (or reject) a `TypeError` at once that names the key. `null`: nothing close.
 */
const unknownKeyCases: [string, string, string | null, (pool: Pool) => unknown][] = [
  // pool/
  [
    "new Pool({ maxtasksperchild })",
    "maxtasksperchild",
    `did you mean "maxTasksPerChild"?`,
    () => new Pool(1, loose({ maxtasksperchild: 2 })),
  ],
  [
    "new Pool({ max_tasks_per_child })",
    "max_tasks_per_child",
    `did you mean "maxTasksPerChild"?`,
    () => new Pool(1, loose({ max_tasks_per_child: 2 })),
  ],
  [
    "new Pool({ initalizer })",
    "initalizer",
    `did you mean "initializer"?`,
    () => new Pool(1, loose({ initalizer: () => {} })),
  ],
  [
    "new Pool({ processes })",
    "processes",
    "the first argument",
    () => new Pool(undefined, loose({ processes: 2 })),
  ],
  ["new Pool({ bogus })", "bogus", null, () => new Pool(1, loose({ bogus: 1 }))],
  [
    "Pool.apply(f, [], { timout })",
    "timout",
    `did you mean "timeout"?`,
    (p) => p.apply(() => 1, [], loose({ timout: 5 })),
  ],
  [
    "Pool.applyAsync({ error_callback })",
    "error_callback",
    `did you mean "errorCallback"?`,
    (p) => p.applyAsync(() => 1, [], loose({ error_callback: () => {} })),
  ],
  [
    "Pool.map(f, xs, { chunkSize })",
    "chunkSize",
    `did you mean "chunksize"?`,
    (p) => p.map((x: number) => x, [1], loose({ chunkSize: 2 })),
  ],
  [
    "Pool.mapAsync({ callbak })",
    "callbak",
    `did you mean "callback"?`,
    (p) => p.mapAsync((x: number) => x, [1], undefined, loose({ callbak: () => {} })),
  ],
  [
    "Pool.imap(f, xs, { chunk_size })",
    "chunk_size",
    `did you mean "chunksize"?`,
    (p) => p.imap((x: number) => x, [1], loose({ chunk_size: 1 })),
  ],
  [
    "AsyncResult.get({ timout })",
    "timout",
    `did you mean "timeout"?`,
    () => new AsyncResult(Promise.resolve(1)).get(loose({ timout: 5 })),
  ],
  [
    "MpiPool.start({ workers_per_rank })",
    "workers_per_rank",
    `did you mean "workersPerRank"?`,
    () => MpiPool.start(loose({ workers_per_rank: 2 })),
  ],
  [
    "MpiPool.start({ backend })",
    "backend",
    `it is the "mpi" backend`,
    () => MpiPool.start(loose({ backend: "worker" })),
  ],
  // process/
  [
    "new Process({ dameon })",
    "dameon",
    `did you mean "daemon"?`,
    () => new Process(loose({ target: () => {}, dameon: true })),
  ],
  [
    "Process.join({ timout })",
    "timout",
    `did you mean "timeout"?`,
    () => new Process({ target: () => {} }).join(loose({ timout: 5 })),
  ],
  // parallel/
  [
    "Parallel({ n_jobs })",
    "n_jobs",
    `did you mean "nJobs"?`,
    () => Parallel(loose({ n_jobs: 2 })),
  ],
  [
    "Parallel({ batch_size })",
    "batch_size",
    `did you mean "batchSize"?`,
    () => Parallel(loose({ batch_size: 2 })),
  ],
  [
    "Parallel({ return_as })",
    "return_as",
    `did you mean "returnAs"?`,
    () => Parallel(loose({ return_as: "generator" })),
  ],
  [
    "Parallel({ prefer })",
    "prefer",
    "no counterpart",
    () => Parallel(loose({ prefer: "threads" })),
  ],
  [
    "Parallel({ progress: { total } })",
    "total",
    "the number of calls",
    () => Parallel(loose({ progress: { total: 5 } })),
  ],
  [
    "new ProgressBar({ totl })",
    "totl",
    `did you mean "total"?`,
    () => new ProgressBar(loose({ totl: 5 })),
  ],
  [
    "progress(xs, { desc })",
    "desc",
    `"description"`,
    () => progress([], loose({ desc: "work" })),
  ],
  // manager/
  [
    "Manager.start({ address })",
    "address",
    "takes no options",
    () => Manager.start(loose({ address: ["", 5000] })),
  ],
  // ipc/
  [
    "Queue.get({ timout })",
    "timout",
    `did you mean "timeout"?`,
    () => new Queue().get(loose({ timout: 5 })),
  ],
  [
    "Queue.put(x, { blok })",
    "blok",
    `did you mean "block"?`,
    () => new Queue(1).put(1, loose({ blok: false })),
  ],
  [
    "Queue.getSync({ signal })",
    "signal",
    null,
    () => new Queue().getSync(loose({ block: false, signal: new AbortController().signal })),
  ],
  [
    "Queue.shutdown({ immediately })",
    "immediately",
    `did you mean "immediate"?`,
    () => new Queue().shutdown(loose({ immediately: true })),
  ],
  [
    "SimpleQueue.get({ timeout_ms })",
    "timeout_ms",
    `did you mean "timeout"?`,
    () => new SimpleQueue().get(loose({ timeout_ms: 5 })),
  ],
  [
    "JoinableQueue.join({ Timeout })",
    "Timeout",
    `did you mean "timeout"?`,
    () => new JoinableQueue().join(loose({ Timeout: 5 })),
  ],
  [
    "Connection.recv({ timout })",
    "timout",
    `did you mean "timeout"?`,
    () => Pipe()[0].recv(loose({ timout: 5 })),
  ],
  // It resolved false at once: the timeout it meant was never read.
  [
    "Connection.poll({ timout })",
    "timout",
    `did you mean "timeout"?`,
    () => Pipe()[0].poll(loose({ timout: 5 })),
  ],
  [
    "Connection.recvBytes({ maxLength })",
    "maxLength",
    `did you mean "maxlength"?`,
    () => Pipe()[0].recvBytes(loose({ maxLength: 5 })),
  ],
  [
    "Connection.recvBytesInto(b, { ofset })",
    "ofset",
    `did you mean "offset"?`,
    () => Pipe()[0].recvBytesInto(new Uint8Array(4), loose({ ofset: 1 })),
  ],
  [
    "Connection.sendBytes(b, { length })",
    "length",
    null,
    () => Pipe()[0].sendBytes(new Uint8Array(4), loose({ length: 2 })),
  ],
  [
    "wait(objects, { timout })",
    "timout",
    `did you mean "timeout"?`,
    () => wait([Pipe()[0]], loose({ timout: 5 })),
  ],
  // sync/
  [
    "Lock.acquire({ timeOut })",
    "timeOut",
    `did you mean "timeout"?`,
    () => new Lock().acquire(loose({ timeOut: 5 })),
  ],
  [
    "Lock.acquire({ blocking })",
    "blocking",
    "{ timeout: 0 }",
    () => new Lock().acquire(loose({ blocking: false })),
  ],
  [
    "Lock.acquireSync({ signal })",
    "signal",
    null,
    () => new Lock().acquireSync(loose({ timeout: 0, signal: new AbortController().signal })),
  ],
  [
    "RLock.hold({ timout })",
    "timout",
    `did you mean "timeout"?`,
    () => new RLock().hold(loose({ timout: 5 })),
  ],
  [
    "Semaphore.acquire({ timeot })",
    "timeot",
    `did you mean "timeout"?`,
    () => new Semaphore(1).acquire(loose({ timeot: 5 })),
  ],
  [
    "Event.wait({ signl })",
    "signl",
    `did you mean "signal"?`,
    () => new Event().wait(loose({ timeout: 5, signl: 1 })),
  ],
  [
    "Condition.waitFor(p, { timout })",
    "timout",
    `did you mean "timeout"?`,
    () => new Condition().waitFor(() => true, loose({ timout: 5 })),
  ],
  [
    "new Barrier(2, { timeOut })",
    "timeOut",
    `did you mean "timeout"?`,
    () => new Barrier(2, loose({ timeOut: 5 })),
  ],
  [
    "Barrier.wait({ timout })",
    "timout",
    `did you mean "timeout"?`,
    () => new Barrier(2).wait(loose({ timout: 5 })),
  ],
  // shared/
  [
    "Value(t, x, { locked })",
    "locked",
    `did you mean "lock"?`,
    () => Value("i", 0, loose({ locked: false })),
  ],
  [
    "SharedArray(t, n, { Lock })",
    "Lock",
    `did you mean "lock"?`,
    () => SharedArray("i", 3, loose({ Lock: false })),
  ],
  [
    "new SharedMemory({ nmae })",
    "nmae",
    `did you mean "name"?`,
    () => new SharedMemory(loose({ create: true, size: 8, nmae: "grid" })),
  ],
];

workerTest("an unknown option is a TypeError naming it, and the option meant", async (t) => {
  await using pool = new Pool(1, { backend: "inline" });
  for (const [entry, key, meant, call] of unknownKeyCases) {
    await t.step(entry, async () => {
      const error = await refusal(() => call(pool));
      assert.ok(error instanceof TypeError, `${entry}: got ${error}`);
      assert.ok(error.message.includes(`"${key}"`), `${entry}: "${error.message}" names no ${key}`);
      if (meant !== null) {
        assert.ok(error.message.includes(meant), `${entry}: "${error.message}" says no ${meant}`);
      }
    });
  }
});

workerTest("every public entry point refuses bad input with a typed error naming it", async (t) => {
  await using pool = new Pool(1, { backend: "inline" });
  for (const [entry, argument, expected, call] of badCases) {
    await t.step(entry, async () => {
      const error = await refusal(() => call(pool));
      assert.ok(error instanceof expected, `${entry}: got ${error}`);
      assert.ok(
        error.message.includes(argument),
        `${entry}: "${error.message}" names no ${argument}`,
      );
    });
  }
});
