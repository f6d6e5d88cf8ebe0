/**
 * Property-based stress runs (fast-check) of `Queue`, `SimpleQueue`, `Pipe` and `Lock` across
 * real processes, with random producers, consumers, message sizes, timeouts and kills:
 * every message arrives exactly once and in order per producer, nothing deadlocks and no
 * wake-up is lost (a lost one leaves a waiter asleep: the run's deadline fails it). A failing
 * run prints its seed and the shrunk case, to replay with `{ seed, path }`.
 *
 * Part of `deno task stress`, not of `deno task test`.
 *
 * @module
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { EmptyError, EOFError, Lock, Pipe, Process, Queue, SimpleQueue } from "../mod.ts";
import { delay, until, within, workerTest } from "../tests/_helpers.ts";
import {
  consume,
  echo,
  entries,
  intact,
  makeLockState,
  makeLog,
  type Message,
  produce,
  send,
  useLock,
  waitForLock,
} from "./fixtures/property_tasks.ts";

const imports = [new URL("./fixtures/property_tasks.ts", import.meta.url)];
/** No run may take this long: a deadlock or a lost wake-up fails it (generous, not a timing). */
const DEADLINE = Number(Deno.env.get("STRESS_DEADLINE") ?? 60_000);

/** Mostly small messages, some of a few pages, a rare large one. */
const sizes = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 64 }) },
    { weight: 3, arbitrary: fc.integer({ min: 65, max: 9_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: 100_000, max: 400_000 }) },
  ),
  { minLength: 1, maxLength: 5 },
);
/** Waits of a consumer: blocking (-1), not at all (0), or a few ms. */
const timeouts = fc.array(fc.constantFrom(-1, -1, 0, 1, 3, 10), { minLength: 1, maxLength: 4 });

/** The processes of the run under way, so that a failed run leaves none behind. */
const started = new Set<Process>();

function start(target: (...args: never[]) => unknown, args: unknown[]): Process {
  const p = new Process({ target, args, imports });
  p.start();
  started.add(p);
  return p;
}

/** `body`, then every process it started killed and joined, however it ended. */
function guarded<T>(body: (run: T) => Promise<void>): (run: T) => Promise<void> {
  return async (run) => {
    if (Deno.env.get("STRESS_LOG")) console.log(JSON.stringify(run));
    try {
      await body(run);
    } finally {
      for (const p of started) p.kill();
      await Promise.all([...started].map((p) => p.join()));
      started.clear();
    }
  };
}

/**
 * fast-check's settings: a failing run ends the property at once (a hung run would take its
 * deadline again for every shrink); its seed and case are printed to replay it.
 */
function settings(numRuns: number): fc.Parameters<unknown> {
  return { numRuns, endOnFailure: true };
}

/** How many entries the logs hold. */
function sum(logs: Int32Array[]): number {
  return logs.reduce((n, log) => n + Atomics.load(log, 0), 0);
}

/** Checks per-producer order in one taker's entries. */
function assertOrdered(taken: [number, number][], who: string): void {
  const last = new Map<number, number>();
  for (const [producer, seq] of taken) {
    assert.ok(seq > (last.get(producer) ?? -1), `${who}: producer ${producer} out of order`);
    last.set(producer, seq);
  }
}

workerTest(
  "Queue and SimpleQueue: random producers, consumers, sizes, timeouts and kills",
  async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          kind: fc.constantFrom("Queue", "SimpleQueue"),
          maxsize: fc.constantFrom(0, 0, 1, 3, 16),
          counts: fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 1, maxLength: 4 }),
          consumers: fc.array(fc.record({ timeouts, useAsync: fc.boolean() }), {
            minLength: 1,
            maxLength: 4,
          }),
          sizes,
          // Kill a consumer after it took this many (null: none), and a producer likewise.
          killConsumerAfter: fc.option(fc.integer({ min: 0, max: 200 })),
          killProducerAfter: fc.option(fc.integer({ min: 0, max: 200 })),
        }),
        guarded(async (run) => {
          const queue = run.kind === "Queue"
            ? new Queue<Message>(run.maxsize)
            : new SimpleQueue<Message>();
          const total = run.counts.reduce((a, b) => a + b, 0);
          const putLogs = run.counts.map((count) => makeLog(count));
          const takeLogs = run.consumers.map(() => makeLog(total));
          const consumers = run.consumers.map((c, i) =>
            start(consume, [queue, run.sizes, c.timeouts, c.useAsync, takeLogs[i]])
          );
          const producers = run.counts.map((count, i) =>
            start(produce, [queue, i, count, run.sizes, putLogs[i]])
          );
          // Kills come at a point counted in messages, not in time.
          const killed = { consumer: -1, producer: -1 };
          const kills: Promise<void>[] = [];
          if (run.killConsumerAfter !== null && consumers.length > 1) {
            const after = Math.min(run.killConsumerAfter, total);
            kills.push(
              until(
                // (or once all are taken: then it is killed as it waits)
                () =>
                  Atomics.load(takeLogs[0]!, 0) >= after || !consumers[0]!.isAlive() ||
                  (producers.every((p) => !p.isAlive()) &&
                    sum(takeLogs) >= sum(putLogs)),
                "the consumer to kill to take its messages",
                { ms: DEADLINE },
              ).then(() => {
                killed.consumer = 0;
                consumers[0]!.kill();
              }),
            );
          }
          if (run.killProducerAfter !== null) {
            const after = Math.min(run.killProducerAfter, run.counts[0]!);
            kills.push(
              until(
                () => Atomics.load(putLogs[0]!, 0) >= after || !producers[0]!.isAlive(),
                "the producer to kill to put its messages",
                { ms: DEADLINE },
              ).then(() => {
                killed.producer = 0;
                producers[0]!.kill();
              }),
            );
          }
          await within(Promise.all(kills), DEADLINE);
          await within(Promise.all(producers.map((p) => p.join())), DEADLINE);
          for (const p of producers) {
            assert.ok(p.exitCode === 0 || p.exitCode === -9, `a producer ended ${p.exitCode}`);
          }
          // One end-of-stream per consumer; a killed consumer leaves its own in the queue.
          for (let i = 0; i < consumers.length; i++) await queue.put(null);
          await within(Promise.all(consumers.map((p) => p.join())), DEADLINE);
          consumers.forEach((p, i) => {
            if (i !== killed.consumer) assert.equal(p.exitCode, 0, `consumer ${i} ended`);
          });
          // What is left: the killed consumer's end-of-stream, and what it did not take.
          const left: [number, number][] = [];
          for (;;) {
            let message: Message;
            try {
              message = queue instanceof Queue
                ? queue.getNowait()
                : await queue.get({ timeout: 0 });
            } catch (error) {
              if (error instanceof EmptyError) break;
              throw error;
            }
            if (message === null) continue;
            assert.ok(intact(message[0], message[1], run.sizes, message[2]), "damaged message");
            left.push([message[0], message[1]]);
          }
          // Exactly once, in order per producer, undamaged.
          const takes = takeLogs.map((log) => entries(log));
          takeLogs.forEach((log, i) =>
            assert.equal(log[log.length - 1], 0, `consumer ${i} damage`)
          );
          takes.forEach((taken, i) => assertOrdered(taken, `consumer ${i}`));
          assertOrdered(left, "the rest");
          const all = [...takes.flat(), ...left].map(([p, s]) => `${p}:${s}`);
          assert.equal(new Set(all).size, all.length, "a message arrived twice");
          // Every message put is there, but the one a killed consumer may have taken as it
          // was killed; a killed producer's put under way may or may not have been made.
          const put = putLogs.flatMap((log) => entries(log)).map(([p, s]) => `${p}:${s}`);
          const got = new Set(all);
          const lost = put.filter((m) => !got.has(m));
          assert.ok(lost.length <= (killed.consumer >= 0 ? 1 : 0), `lost ${lost.join(" ")}`);
          const extra = all.filter((m) => !put.includes(m));
          assert.ok(extra.length <= (killed.producer >= 0 ? 1 : 0), `unlogged ${extra.join(" ")}`);
          if (killed.producer < 0 && killed.consumer < 0) assert.equal(all.length, total);
          queue.close();
        }),
      ),
      settings(30),
    );
  },
);

workerTest("Pipe: random sizes and timeouts, echoed both ways; a killed sender", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        count: fc.integer({ min: 0, max: 2_000 }),
        sizes,
        timeouts,
        killAfter: fc.option(fc.integer({ min: 0, max: 2_000 })),
      }),
      guarded(async (run) => {
        // One way: a process sends, the main program receives with random timeouts.
        const [mine, theirs] = Pipe<Message>(false);
        const sent = makeLog(run.count);
        const sender = start(send, [theirs, run.count, run.sizes, sent]);
        // As in Python, the parent closes its copy of the child's end: EOF comes once every
        // copy is closed (or its process ended).
        theirs.close();
        if (run.killAfter !== null) {
          const after = Math.min(run.killAfter, run.count);
          await within(
            until(() => Atomics.load(sent, 0) >= after || !sender.isAlive(), "the sender", {
              ms: DEADLINE,
            }),
            DEADLINE,
          );
          sender.kill();
        }
        await within(sender.join(), DEADLINE);
        const got: number[] = [];
        for (let i = 0;; i++) {
          const t = run.timeouts[i % run.timeouts.length]!;
          try {
            // After a kill nothing closes the end: stop when nothing more comes.
            if (run.killAfter !== null && !(await mine.poll({ timeout: 100 }))) break;
            const message = await within(mine.recv(t < 0 ? {} : { timeout: t }), DEADLINE);
            assert.ok(message !== null && intact(0, message[1], run.sizes, message[2]), "damage");
            got.push(message[1]);
          } catch (error) {
            if (error instanceof EOFError) break;
            if ((error as Error).name === "TimeoutError") continue;
            throw error;
          }
        }
        const logged = Atomics.load(sent, 0);
        // In order, each once: every message logged as sent, and maybe the one under way.
        assert.deepEqual(got, Array.from({ length: got.length }, (_, i) => i));
        assert.ok(got.length === logged || got.length === logged + 1, `${got.length}/${logged}`);
        if (run.killAfter === null) assert.equal(got.length, run.count);
        mine.close();

        // Both ways: the main program sends, a process echoes back.
        const [a, b] = Pipe<Message>();
        const echoer = start(echo, [b, run.timeouts]);
        b.close();
        const n = Math.min(run.count, 100);
        for (let seq = 0; seq < n; seq++) {
          a.send([1, seq, new Uint8Array(run.sizes[seq % run.sizes.length]!).fill(seq & 255)]);
        }
        for (let seq = 0; seq < n; seq++) {
          const back = await within(a.recv(), DEADLINE);
          assert.equal(back?.[1], seq);
          assert.equal(back?.[2].length, run.sizes[seq % run.sizes.length]);
        }
        a.close();
        await within(echoer.join(), DEADLINE);
        assert.equal(echoer.exitCode, 0);
      }),
    ),
    settings(30),
  );
});

workerTest("Lock: random holders, timeouts and hold times: mutual exclusion, no hang", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        workers: fc.array(
          fc.record({ attempts: fc.integer({ min: 1, max: 2_000 }), timeouts }),
          { minLength: 1, maxLength: 3 },
        ),
        spin: fc.integer({ min: 0, max: 30 }),
        mainAttempts: fc.integer({ min: 0, max: 50 }),
        mainTimeouts: timeouts,
      }),
      guarded(async (run) => {
        const lock = new Lock();
        const state = makeLockState(run.workers.length + 1);
        const workers = run.workers.map((w, i) =>
          start(useLock, [lock, state, i, w.attempts, w.timeouts, run.spin])
        );
        // The main program competes too, with the promise API.
        const me = run.workers.length;
        for (let i = 0; i < run.mainAttempts; i++) {
          const t = run.mainTimeouts[i % run.mainTimeouts.length]!;
          if (!(await within(lock.acquire(t < 0 ? {} : { timeout: t }), DEADLINE))) continue;
          try {
            if (Atomics.add(state, 0, 1) !== 0) Atomics.add(state, 2, 1);
            Atomics.store(state, 1, Atomics.load(state, 1) + 1);
            Atomics.sub(state, 0, 1);
            Atomics.add(state, 4 + me, 1);
          } finally {
            lock.release();
          }
        }
        await within(Promise.all(workers.map((p) => p.join())), DEADLINE);
        workers.forEach((p, i) => assert.equal(p.exitCode, 0, `worker ${i} ended`));
        assert.equal(state[2], 0, "two holders at once");
        let entered = 0;
        for (let w = 0; w <= me; w++) entered += state[4 + w]!;
        assert.equal(state[1], entered, "an increment was lost: the lock let two in");
        // Those that never gave up entered every time.
        run.workers.forEach((w, i) => {
          if (w.timeouts.every((t) => t < 0)) assert.equal(state[4 + i], w.attempts, `worker ${i}`);
        });
        assert.equal(lock.locked(), false);
      }),
    ),
    settings(30),
  );
});

workerTest("Lock: waiters killed while they wait take no wake-up from the others", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.tuple(
        fc.integer({ min: 2, max: 5 }),
        fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
        fc.integer({ min: 0, max: 20 }),
      ),
      guarded(async ([n, killMask, pause]) => {
        const lock = new Lock();
        const state = makeLockState(n);
        assert.equal(await lock.acquire(), true);
        const waiters = Array.from({ length: n }, (_, w) => start(waitForLock, [lock, state, w]));
        await within(
          until(() => Atomics.load(state, 3) === n, "every waiter to wait", { ms: DEADLINE }),
          DEADLINE,
        );
        await delay(pause); // let them reach their sleep (or not: both must work)
        const killed = waiters.filter((_, w) => killMask[w]);
        for (const p of killed) p.kill();
        await Promise.all(killed.map((p) => p.join()));
        lock.release();
        // Every waiter left alive gets the lock, though killed ones may have been next.
        await within(Promise.all(waiters.map((p) => p.join())), DEADLINE);
        waiters.forEach((_, w) => {
          if (!killMask[w]) assert.equal(state[4 + w], 1, `waiter ${w} never got the lock`);
        });
        // A killed waiter never holds it: the lock is free for the main program.
        assert.equal(await within(lock.acquire({ timeout: 10_000 }), DEADLINE), true);
        lock.release();
      }),
    ),
    settings(30),
  );
});
