import assert from "node:assert/strict";
import { Pool } from "../mod.ts";
import { until, within, workerTest } from "./_helpers.ts";

/**
 * A task that runs until the gate opens: cell 1 says it started, cell 0 opens it. Blocking in
 * `Atomics.wait` keeps its worker busy as a long computation would.
 */
function blockUntilOpen(gate: Int32Array): string {
  Atomics.store(gate, 1, 1);
  while (Atomics.load(gate, 0) === 0) Atomics.wait(gate, 0, 0, 100);
  return "released";
}

/** A gate, and a long task running behind it on one worker of `pool`. */
async function busyWorker(pool: Pool): Promise<{ open(): void; long: Promise<string> }> {
  const gate = new Int32Array(new SharedArrayBuffer(8));
  const long = pool.apply(blockUntilOpen, [gate]);
  long.catch(() => {}); // awaited by the test once it passes
  await until(() => Atomics.load(gate, 1) === 1, "the long task to start");
  return {
    open() {
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
    },
    long,
  };
}

workerTest(
  "Pool.map() runs on the idle worker while another is busy with a long task",
  async () => {
    await using pool = new Pool(2);
    const busy = await busyWorker(pool);
    try {
      const xs = [0, 1, 2, 3, 4, 5, 6, 7];
      assert.deepEqual(
        await within(pool.map((x: number) => x * x, xs), 5_000),
        xs.map((x) => x * x),
      );
    } finally {
      busy.open();
    }
    assert.equal(await busy.long, "released");
  },
);

workerTest("Pool.imap() yields every result while another worker is busy", async () => {
  await using pool = new Pool(2);
  const busy = await busyWorker(pool);
  const collect = async () => {
    const out: number[] = [];
    for await (const y of pool.imap((x: number) => x + 1, [0, 1, 2, 3, 4, 5])) out.push(y);
    return out;
  };
  try {
    assert.deepEqual(await within(collect(), 5_000), [1, 2, 3, 4, 5, 6]);
  } finally {
    busy.open();
  }
  await busy.long;
});

workerTest("Pool.apply() calls queued behind a long task run on the idle worker", async () => {
  await using pool = new Pool(2);
  const busy = await busyWorker(pool);
  try {
    const calls = Array.from({ length: 6 }, (_, i) => pool.apply((x: number) => -x, [i]));
    assert.deepEqual(await within(Promise.all(calls), 5_000), [-0, -1, -2, -3, -4, -5]);
  } finally {
    busy.open();
  }
  await busy.long;
});

workerTest("a chunk taken back from a busy worker runs once, on the idle one", async () => {
  const runs = new Int32Array(new SharedArrayBuffer(4 * 16));
  await using pool = new Pool(2, { context: { runs } });
  const busy = await busyWorker(pool);
  try {
    await within(
      pool.map(
        (i: number) => {
          Atomics.add(runs, i, 1);
          return i;
        },
        Array.from({ length: 16 }, (_, i) => i),
        1,
      ),
      5_000,
    );
  } finally {
    busy.open();
  }
  await busy.long;
  // The busy worker skips the chunk it was sent and that was taken back.
  await pool.map((x: number) => x, [1, 2, 3, 4], 1);
  assert.deepEqual([...runs], new Array(16).fill(1));
});

workerTest("Pool.map() runs on the ready worker while another is still initialising", async () => {
  const gate = new Int32Array(new SharedArrayBuffer(12));
  // The second worker to start stays in its initializer until the gate opens.
  await using pool = new Pool(2, {
    initializer: (gate: Int32Array) => {
      if (Atomics.add(gate, 2, 1) === 1) {
        Atomics.store(gate, 1, 1);
        while (Atomics.load(gate, 0) === 0) Atomics.wait(gate, 0, 0, 100);
      }
    },
    initargs: [gate],
  });
  try {
    await until(() => Atomics.load(gate, 1) === 1, "the second worker to enter its initializer");
    const xs = [0, 1, 2, 3, 4, 5, 6, 7];
    assert.deepEqual(
      await within(pool.map((x: number) => x * 3, xs, 1), 5_000),
      xs.map((x) => x * 3),
    );
  } finally {
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
  }
});

/** Counts itself in, then waits (up to 10 s) until `n` tasks run at once; its worker's name. */
function meetAll(cells: Int32Array, n: number): [boolean, string] {
  Atomics.add(cells, 0, 1);
  Atomics.notify(cells, 0);
  const until = Date.now() + 10_000;
  for (let seen = Atomics.load(cells, 0); seen < n; seen = Atomics.load(cells, 0)) {
    if (Date.now() > until) return [false, ""];
    Atomics.wait(cells, 0, seen, 50);
  }
  // deno-lint-ignore no-explicit-any
  return [true, (globalThis as any).name as string];
}

workerTest(
  "new Pool(3) starts one worker at once and the others on later turns: a map given at once " +
    "still runs on all three together",
  async () => {
    await using pool = new Pool(3, { name: "Born" });
    const cells = new Int32Array(new SharedArrayBuffer(4));
    const results = await within(
      pool.starmap(meetAll, [[cells, 3], [cells, 3], [cells, 3]], { chunksize: 1 }),
      15_000,
    );
    assert.deepEqual(results.map(([all]) => all), [true, true, true]);
    const names = results.map(([, name]) => name).sort();
    assert.equal(new Set(names).size, 3, names.join(", "));
    assert.match(names.join(" "), /^Born-\d+ Born-\d+ Born-\d+$/);
  },
);

workerTest("a pool terminated at once leaves no worker and no timer behind", async () => {
  const pool = new Pool(4);
  pool.terminate();
  await pool.join();
});
