/**
 * Queues and pipes across real workers and the main program: exactly-once delivery in order
 * per producer, bounded queues, values of any size, end of stream, joinable queues, revival.
 */

import assert from "node:assert/strict";
import {
  type BufferTooShortError,
  ClosedError,
  type Connection,
  EmptyError,
  EOFError,
  FullError,
  JoinableQueue,
  Pipe,
  Pool,
  Process,
  Queue,
  RemoteError,
  ShutDownError,
  SimpleQueue,
  wait,
} from "../mod.ts";
import { delay, until, workerTest } from "./_helpers.ts";
import * as tasks from "./fixtures/ipc_tasks.ts";

const imports = [new URL("./fixtures/ipc_tasks.ts", import.meta.url).href];

workerTest(
  "Queue: 3 producers and 3 consumers, every message exactly once, in order per producer",
  async () => {
    await using pool = new Pool(4, { imports });
    const queue = new Queue<[string, number] | null>();
    const count = 3_000;
    const consumers = pool.starmap(tasks.consume, [[queue], [queue]], 1);
    const producers = pool.starmap(tasks.produce, [[queue, "w1", count], [queue, "w2", count]], 1);
    for (let i = 0; i < count; i++) await queue.put(["main", i]);
    // The main program consumes too, while the others produce (the workers may well take every
    // message first: then it gets none).
    const mine: [string, number][] = [];
    let producing = true;
    producers.finally(() => producing = false).catch(() => {});
    while (producing) {
      try {
        mine.push((await queue.get({ timeout: 5 }))!);
      } catch (error) {
        if (!(error instanceof EmptyError)) throw error;
      }
    }
    await producers;
    for (let i = 0; i < 2; i++) await queue.put(null);
    const all = [...(await consumers).flat(), ...mine];
    assert.equal(all.length, 3 * count);
    const seen = new Set(all.map(([p, i]) => `${p}:${i}`));
    assert.equal(seen.size, 3 * count, "no message twice");
    for (const got of [...await consumers, mine]) {
      const last = new Map<string, number>();
      for (const [producer, i] of got) {
        assert.ok(i > (last.get(producer) ?? -1), `${producer} out of order`);
        last.set(producer, i);
      }
    }
    assert.equal(queue.empty(), true);
  },
);

workerTest("Queue(maxsize): a worker's put waits for room; timeouts are FullError", async () => {
  await using pool = new Pool(1, { imports });
  const queue = new Queue<number>(2);
  const putting = pool.apply(tasks.putTimed, [queue, 4]);
  // Full once the worker is up (however long that takes on a busy machine); then its third put
  // waits for as long as nothing is taken.
  await until(() => queue.full(), "the worker's first two puts to fill the queue");
  await delay(100);
  assert.equal(queue.full(), true);
  assert.equal(queue.qsize(), 2);
  assert.equal(await queue.get(), 0);
  assert.equal(await queue.get(), 1);
  assert.equal(await queue.get(), 2);
  assert.equal(await queue.get(), 3);
  const waited = await putting;
  assert.ok(waited[2]! >= 50, `the third put waited ${waited[2]} ms for room`);
  await queue.put(1);
  await queue.put(2);
  await assert.rejects(queue.put(3, { timeout: 10 }), FullError);
  assert.throws(() => queue.putNowait(3), FullError);
  await assert.rejects(queue.put(3, { block: false }), FullError);
});

workerTest("Queue and Pipe carry a 100 MB Float64Array from a worker", async () => {
  await using pool = new Pool(1, { imports });
  const length = 100e6 / 8;
  const queue = new Queue<Float64Array>();
  await pool.apply(tasks.putBig, [queue, length]);
  const big = await queue.get();
  assert.equal(big.length, length);
  assert.equal(big[length - 1], length - 1);
  const [mine, theirs] = Pipe<Float64Array>();
  await pool.apply(tasks.sendBig, [theirs, length]);
  const piped = await mine.recv();
  assert.equal(piped[12_345], 12_345);
  await assert.rejects(mine.recv(), EOFError);
});

workerTest("Pipe: the tutorial's child sends a list, then the end of the stream", async () => {
  await using pool = new Pool(1, { imports });
  const [parentConn, childConn] = Pipe();
  await pool.apply(tasks.tutorialChild, [childConn]);
  assert.deepEqual(await parentConn.recv(), [42, null, "hello"]);
  await assert.rejects(parentConn.recv(), EOFError);
  assert.throws(() => parentConn.send("anyone?"), ClosedError);
});

workerTest("Pipe: a worker echoes 1,000 messages of every kind back, then sees EOF", async () => {
  await using pool = new Pool(1, { imports });
  const [mine, theirs] = Pipe();
  const echoed = pool.apply(tasks.echo, [theirs]);
  const samples: unknown[] = [1, "two", [3], { four: 4 }, new Map([[5, 5]]), null, 7n];
  for (let i = 0; i < 1_000; i++) {
    const value = samples[i % samples.length];
    mine.send(value);
    assert.deepEqual(await mine.recv({ timeout: 20_000 }), value);
  }
  mine.close();
  assert.equal(await echoed, 1_000);
});

workerTest("JoinableQueue: join() waits until workers mark every job done", async () => {
  await using pool = new Pool(2, { imports });
  const queue = new JoinableQueue<number>();
  for (let i = 1; i <= 100; i++) queue.putNowait(i);
  const sums = pool.starmap(tasks.work, [[queue, 50], [queue, 50]], 1);
  assert.equal(await queue.join({ timeout: 20_000 }), true);
  assert.equal((await sums).reduce((a, b) => a + b), 5050);
  assert.throws(() => queue.taskDone(), { name: "InvalidStateError" });
});

workerTest("Queues and pipes nested in objects and initargs arrive as themselves", async () => {
  const queue = new Queue<string>();
  const simple = new SimpleQueue<string>();
  const [a, b] = Pipe<string>();
  await using pool = new Pool(1, {
    initializer: (q: Queue<string>) => q.putSync("from the initializer"),
    initargs: [queue],
  });
  await pool.apply((parts: { q: SimpleQueue<string>; ends: Connection<string>[] }) => {
    parts.q.put("simple");
    parts.ends[1]!.send("piped");
  }, [{ q: simple, ends: [a, b] }]);
  assert.equal(await queue.get(), "from the initializer");
  assert.equal(await simple.get(), "simple");
  assert.equal(await a.recv(), "piped");
});

workerTest("Sending what cannot be cloned names the type and the argument", async () => {
  await using pool = new Pool(1);
  const queue = new Queue();
  assert.throws(() => queue.putNowait(() => 1), {
    name: "TypeError",
    message: /function.*"value"/,
  });
  await assert.rejects(
    pool.apply((q: Queue) => q.putSync({ f: Symbol("s") }), [queue]),
    (error: unknown) => error instanceof RemoteError && error.remoteName === "TypeError",
  );
  const [a] = Pipe();
  assert.throws(() => a.send(new WeakMap()), /WeakMap/);
  assert.equal(queue.empty(), true);
});

// A killed process takes no message after it was killed, however fast its loop: the messages
// left stay for the other consumers.
for (const how of ["getSync", "get", "recvSync", "recvBytesSync"] as const) {
  workerTest(`a killed process's ${how}() loop takes no more messages`, async () => {
    const piped = how.startsWith("recv");
    // getSync() on a Queue, get() on a SimpleQueue: both classes.
    const queue = how === "getSync" ? new Queue<number>() : new SimpleQueue<number>();
    const [reader, writer] = Pipe<number>(false);
    const count = 200_000;
    for (let i = 0; i < count; i++) {
      if (queue instanceof Queue) queue.putSync(i);
      else if (!piped) queue.put(i);
      else if (how === "recvSync") writer.send(i);
      else writer.sendBytes(Uint8Array.of(i & 255));
    }
    const taken = new Int32Array(new SharedArrayBuffer(4));
    const p = new Process({
      target: tasks.takeForever,
      args: [piped ? reader : queue, how, taken],
      imports,
    });
    p.start();
    await until(() => Atomics.load(taken, 0) >= 1_000, "the consumer to take 1,000 messages");
    p.kill();
    await p.join();
    const atJoin = Atomics.load(taken, 0);
    await delay(250);
    const later = Atomics.load(taken, 0);
    // The take under way when it was killed may still end (and count): no other.
    assert.ok(later - atJoin <= 1, `took ${later - atJoin} more messages after join()`);
    assert.ok(atJoin < count, "the consumer took every message before it was killed");
    if (!piped) assert.equal(queue.empty(), false);
  });
}

workerTest(
  "Queue.shutdown(): workers take what is queued, then every get and put throws ShutDownError",
  async () => {
    await using pool = new Pool(3, { imports });
    const queue = new Queue<number>();
    const full = new Queue<number>(2);
    const takers = pool.starmap(tasks.takeUntilShutDown, [[queue], [queue]], 1);
    const putter = pool.apply(tasks.putUntilShutDown, [full]);
    for (let i = 0; i < 100; i++) queue.putNowait(i);
    // The putter fills the bounded queue and waits for room.
    await until(() => full.full(), "the putter to fill its queue");
    queue.shutdown();
    full.shutdown();
    const taken = await takers;
    assert.deepEqual(taken.map(([, error]) => error), ["ShutDownError", "ShutDownError"]);
    assert.deepEqual(taken.flatMap(([got]) => got).sort((a, b) => a - b), [...Array(100).keys()]);
    assert.deepEqual(await putter, [2, "ShutDownError"]);
    assert.equal(queue.isShutdown, true);
    await assert.rejects(queue.put(1), (e) => e instanceof ShutDownError && e.value === 1);
    await assert.rejects(queue.get(), ShutDownError);
    // Not immediate: what was in the bounded queue is still there to take.
    assert.deepEqual([full.getNowait(), full.getNowait()], [0, 1]);
    assert.throws(() => full.getNowait(), ShutDownError);
  },
);

workerTest("Queue.shutdown() in a worker wakes the main program's get", async () => {
  await using pool = new Pool(1);
  const queue = new Queue<number>();
  const getting = assert.rejects(queue.get(), ShutDownError);
  await pool.apply((q: Queue<number>) => q.shutdown(), [queue]);
  await getting;
});

workerTest(
  "JoinableQueue.shutdown({ immediate: true }) drops the queue and releases join() once taken tasks are done",
  async () => {
    await using pool = new Pool(1, { imports });
    const jobs = new JoinableQueue<number>();
    const took = new Queue<number>();
    const finish = new Queue<null>();
    for (let i = 0; i < 5; i++) jobs.putNowait(i);
    const worker = pool.apply(tasks.takeOneSlowly, [jobs, took, finish]);
    assert.equal(await took.get(), 0);
    const joined = jobs.join();
    jobs.shutdown({ immediate: true });
    assert.equal(jobs.qsize(), 0);
    assert.throws(() => jobs.getNowait(), ShutDownError);
    // One job was taken and is not done yet: join() waits for it, as Python's does.
    assert.equal(await jobs.join({ timeout: 20 }), false);
    finish.putNowait(null);
    await worker;
    assert.equal(await joined, true);
    assert.throws(() => jobs.taskDone(), { name: "InvalidStateError" });
  },
);

Deno.test("Queue.shutdown() checks its options", () => {
  const queue = new Queue();
  // @ts-expect-error: a string
  assert.throws(() => queue.shutdown({ immediate: "yes" }), /"immediate" must be true or false/);
  // @ts-expect-error: not an object
  assert.throws(() => queue.shutdown(true), /"options" must be an object/);
  assert.equal(queue.isShutdown, false);
});

workerTest(
  "Connection.recvBytesInto(): a worker receives into a shared buffer the main program reads",
  async () => {
    await using pool = new Pool(1);
    const [mine, theirs] = Pipe();
    const shared = new Int32Array(new SharedArrayBuffer(16));
    const worker = pool.apply((conn: Connection, into: Int32Array) => {
      const n = conn.recvBytesIntoSync(into, { offset: 4, timeout: 30_000 });
      let tooShort = "";
      try {
        conn.recvBytesIntoSync(into, { timeout: 30_000 });
      } catch (error) {
        tooShort = `${(error as Error).name} ${(error as BufferTooShortError).bytes.length}`;
      }
      return [n, tooShort];
    }, [theirs, shared]);
    mine.sendBytes(Int32Array.of(7, 8));
    mine.sendBytes(new Uint8Array(17));
    assert.deepEqual(await worker, [8, "BufferTooShortError 17"]);
    assert.deepEqual([...shared], [0, 7, 8, 0]);
  },
);

workerTest(
  "wait(): resolves with the pipe a worker sent on, without blocking the main program",
  async () => {
    await using pool = new Pool(2, { imports });
    const pipes = [Pipe<string>(false), Pipe<string>(false), Pipe<string>(false)];
    const readers = pipes.map(([reader]) => reader);
    const go = new Queue<null>();
    const shutting = new Queue<number>();
    const senders = pool.starmap(tasks.sendWhenTold, [
      [go, pipes[1]![1], "from one"],
      [go, pipes[2]![1], "from two", true],
    ], 1);
    // The main program's timers run while it waits: the thread is not blocked.
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    const waiting = wait([...readers, shutting]);
    await until(() => ticks >= 5, "timers to run while wait() is pending");
    go.putNowait(null);
    const first = await waiting;
    clearInterval(ticker);
    assert.ok(first.length >= 1 && first.every((c) => c === readers[1] || c === readers[2]));
    go.putNowait(null);
    await senders;
    assert.deepEqual(await wait([...readers, shutting]), [readers[1], readers[2]]);
    assert.equal(await readers[1]!.recv(), "from one");
    assert.equal(await readers[2]!.recv(), "from two");
    // readers[2]'s writer closed: it stays ready (recv throws EOFError).
    assert.deepEqual(await wait(readers, { timeout: 0 }), [readers[2]]);
    await assert.rejects(readers[2]!.recv(), EOFError);
    // A queue shut down in a worker is ready.
    await pool.apply((q: Queue<number>) => q.shutdown(), [shutting]);
    assert.deepEqual(await wait([readers[0]!, shutting], { timeout: 30_000 }), [shutting]);
  },
);

workerTest("wait() in a worker watches a queue and a pipe the main program feeds", async () => {
  await using pool = new Pool(1);
  const queue = new Queue<number>();
  const [mine, theirs] = Pipe<string>();
  const watcher = pool.apply(async (q: Queue<number>, conn: Connection<string>) => {
    const got: unknown[] = [];
    while (got.length < 2) {
      for (const ready of await wait<Queue<number> | Connection<string>>([q, conn])) {
        got.push(ready === q ? q.getNowait() : conn.recvSync());
      }
    }
    return got.sort();
  }, [queue, theirs]);
  queue.putNowait(7);
  mine.send("seven");
  assert.deepEqual(await watcher, [7, "seven"]);
});

Deno.test("wait() checks what it is given", async () => {
  const [receiver, sender] = Pipe(false);
  // @ts-expect-error: not a connection
  await assert.rejects(wait([receiver, {}]), /"objects"\[1\] is not a Connection or a queue/);
  await assert.rejects(wait([sender]), /one-way/);
  // @ts-expect-error: not iterable
  await assert.rejects(wait(receiver), /must be an array/);
  await assert.rejects(wait([]), /nothing would ever end the wait/);
  assert.deepEqual(await wait([], { timeout: 1 }), []);
  assert.deepEqual(await wait([receiver], { timeout: -1 }), []);
  await assert.rejects(wait([receiver], { timeout: NaN }), RangeError);
  const closed = new Queue();
  closed.close();
  await assert.rejects(wait([closed]), ClosedError);
  receiver.close();
  await assert.rejects(wait([receiver]), ClosedError);
});

workerTest(
  "Pipe: the parent closes the child's end after start(); the child's copy works, EOF when it ends",
  async () => {
    const [parentConn, childConn] = Pipe<number>();
    const go = new Queue<null>();
    const p = new Process({ target: tasks.sendCopy, args: [childConn, go, 3, false], imports });
    p.start();
    childConn.close(); // the parent's copy only, as in Python
    assert.equal(childConn.closed, true);
    go.putNowait(null);
    assert.deepEqual([await parentConn.recv(), await parentConn.recv(), await parentConn.recv()], [
      0,
      1,
      2,
    ]);
    // The child returned without closing its copy: its end closes with it.
    await assert.rejects(parentConn.recv({ timeout: 30_000 }), EOFError);
    await p.join();
    assert.equal(p.exitCode, 0);
  },
);

workerTest(
  "Pipe: a child closing its copy gives EOF while it still runs; the parent's copy kept open holds it",
  async () => {
    const [parentConn, childConn] = Pipe<number>();
    const go = new Queue<null>();
    const done = new Queue<null>();
    const p = new Process({
      target: tasks.sendCopy,
      args: [childConn, go, 1, true, done],
      imports,
    });
    p.start();
    childConn.close();
    go.putNowait(null);
    assert.equal(await parentConn.recv(), 0);
    await assert.rejects(parentConn.recv({ timeout: 30_000 }), EOFError);
    assert.equal(p.isAlive(), true);
    done.putNowait(null);
    await p.join();

    // Not closing the parent's copy keeps the end open after the child is gone, as in Python.
    const [mine, theirs] = Pipe<number>();
    const q = new Process({ target: tasks.sendCopy, args: [theirs, go, 1, true], imports });
    q.start();
    go.putNowait(null);
    await q.join();
    assert.equal(await mine.recv(), 0);
    assert.equal(await mine.poll({ timeout: 20 }), false); // no end of the stream yet
    theirs.close();
    await assert.rejects(mine.recv(), EOFError);
  },
);

workerTest(
  "Pipe: a child reading its copy of the end; the parent's send fails once no reader copy is left",
  async () => {
    const [receiver, sender] = Pipe<number>(false);
    const go = new Queue<null>();
    const out = new Queue<[number[], string]>();
    const p = new Process({ target: tasks.receiveCopy, args: [receiver, go, out], imports });
    p.start();
    receiver.close(); // the parent's copy of the reading end
    sender.send(1);
    sender.send(2);
    go.putNowait(null);
    sender.close();
    await p.join();
    assert.equal(p.exitCode, 0);
    assert.deepEqual(await out.get(), [[1, 2], "EOFError"]);
    // A child that ends while it holds the last reading copy: sends fail.
    const [r2, s2] = Pipe<number>(false);
    const q = new Process({ target: tasks.receiveCopy, args: [r2, go], imports });
    q.start();
    r2.close();
    go.putNowait(null);
    q.terminate(); // its reading copy ends with it
    assert.throws(() => s2.send(3), ClosedError);
  },
);

Deno.test("Pipe: a waiting recv of a handle closed in its own thread ends with ClosedError", async () => {
  const [a] = Pipe();
  const waiting = assert.rejects(a.recv(), ClosedError);
  a.close();
  await waiting;
});
