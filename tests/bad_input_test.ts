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
  Event,
  JoinableQueue,
  Lock,
  Parallel,
  Pipe,
  Pool,
  Process,
  ProgressBar,
  Queue,
  RLock,
  Semaphore,
  SharedArray,
  SharedMemory,
  SimpleQueue,
  wait,
} from "../mod.ts";
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

workerTest("a number passed as a string is a TypeError that says it is a string", async (t) => {
  await using pool = new Pool(1, { backend: "inline" });
  for (const [entry, argument, call] of stringCases) {
    await t.step(entry, async () => {
      let error: unknown;
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        // A refused argument fails at once: a call that waits instead fails the test.
        await Promise.race([
          call(pool),
          new Promise((resolve) => timer = setTimeout(resolve, 1_000)),
        ]);
      } catch (e) {
        error = e;
      } finally {
        clearTimeout(timer);
      }
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
