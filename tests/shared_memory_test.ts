import assert from "node:assert/strict";
import { RemoteError } from "../errors.ts";
import { Pool } from "../pool/pool.ts";
import { SharedMemory } from "../shared/shared_memory.ts";
import {
  createBlock,
  nestedRoundTrip,
  nestedSleep,
  rememberBlock,
  returnBlock,
  sizeOf,
  tryCreate,
  unlinkByName,
  writeBytes,
  writeNested,
  writeRemembered,
  writeThrough,
} from "./fixtures/shm_tasks.ts";
import { until, workerTest } from "./_helpers.ts";

const tasks = new URL("./fixtures/shm_tasks.ts", import.meta.url);

workerTest("SharedMemory: a worker attaches by name and writes; main sees it", async () => {
  using shm = new SharedMemory({ create: true, size: 6 });
  await using pool = new Pool(2, { imports: [tasks] });
  const writers = await pool.starmap(writeBytes, [
    [shm.name, 0, [1, 2]],
    [shm.name, 2, [3, 4]],
    [shm.name, 4, [5, 6]],
  ]);
  assert.deepEqual([...shm.buf], [1, 2, 3, 4, 5, 6]);
  assert.ok(writers.every((name) => /^PoolWorker-\d+$/.test(name)));
  shm.unlink();
});

workerTest("SharedMemory: a worker creates a block; main and other workers attach", async () => {
  await using pool = new Pool(2, { imports: [tasks] });
  const name = await pool.apply(createBlock, [4, 9]);
  assert.match(name, /^wnsm_[0-9a-f]{8}$/);
  using shm = new SharedMemory({ name });
  assert.deepEqual([...shm.buf], [9, 9, 9, 9]);
  assert.deepEqual(await pool.map(sizeOf, [name, name, name, name], 1), [4, 4, 4, 4]);
  const named = await pool.apply(createBlock, [2, 1, "test_worker_named"]);
  assert.equal(named, "test_worker_named");
  using other = new SharedMemory({ name: named });
  assert.deepEqual([...other.buf], [1, 1]);
  shm.unlink();
  other.unlink();
});

workerTest("SharedMemory: a worker of a worker's pool attaches and creates by name", async () => {
  using shm = new SharedMemory({ create: true, size: 2 });
  await using pool = new Pool(1, { imports: [tasks] });
  const out = await pool.apply(nestedRoundTrip, [shm.name]);
  assert.deepEqual([...shm.buf], [11, 22]);
  assert.match(out.parent, /^PoolWorker-\d+$/);
  assert.match(out.writer, /^PoolWorker-\d+$/);
  assert.notEqual(out.writer, out.parent);
  assert.equal(out.createdSize, 5);
  using created = new SharedMemory({ name: out.created });
  assert.deepEqual([...created.buf], [33, 33, 33, 33, 33]);
  // The nested pool has ended: the parent worker still reaches the registry.
  assert.equal(await pool.apply(sizeOf, [out.created]), 5);
  created.unlink();
  shm.unlink();
});

workerTest("SharedMemory: the object itself crosses, alone, nested, and in initargs", async () => {
  using shm = new SharedMemory({ create: true, size: 4 });
  using spare = new SharedMemory({ create: true, size: 1 });
  await using pool = new Pool(2, {
    imports: [tasks],
    initializer: rememberBlock,
    initargs: [shm],
  });
  assert.equal(await pool.apply(writeThrough, [shm, 0, 5]), "SharedMemory");
  assert.equal(await pool.apply(writeNested, [{ blocks: [spare], more: { block: shm } }, 7]), 2);
  assert.equal(spare.buf[0], 7);
  assert.equal(shm.buf[0], 7);
  assert.deepEqual(await pool.starmap(writeRemembered, [[2, 8], [3, 9]], 1), [true, true]);
  assert.deepEqual([...shm.buf], [7, 0, 8, 9]);
  // Unlinked, it still crosses: the memory goes with it, not the name.
  spare.unlink();
  assert.equal(await pool.apply(writeThrough, [spare, 0, 1]), "SharedMemory");
  assert.equal(spare.buf[0], 1);
  // And it comes back as a result.
  const returned = await pool.apply(returnBlock, [3]);
  assert.ok(returned instanceof SharedMemory);
  assert.equal(returned.buf[0], 3);
  using attached = new SharedMemory({ name: returned.name });
  assert.equal(attached.buf[0], 3);
  returned.unlink();
  shm.unlink();
});

workerTest("SharedMemory: a closed handle cannot be sent", async () => {
  const shm = new SharedMemory({ create: true, size: 1 });
  shm.close();
  await using pool = new Pool(1, { imports: [tasks] });
  await assert.rejects(pool.apply(writeThrough, [shm, 0, 1]), Deno.errors.BadResource);
  shm.unlink();
});

workerTest("SharedMemory: NotFound and AlreadyExists in a worker become RemoteErrors", async () => {
  using shm = new SharedMemory({ name: "test_remote_taken", create: true, size: 1 });
  await using pool = new Pool(1, { imports: [tasks] });
  const missing = await pool.apply(sizeOf, ["test_remote_missing"]).catch((e) => e);
  assert.ok(missing instanceof RemoteError);
  assert.equal(missing.remoteName, "NotFound");
  assert.match(missing.message, /No shared memory block is named "test_remote_missing"/);
  // The worker threw its own error, with its own stack.
  assert.match(missing.remoteStack, /sizeOf/);
  const taken = await pool.apply(createBlock, [1, 0, "test_remote_taken"]).catch((e) => e);
  assert.ok(taken instanceof RemoteError);
  assert.equal(taken.remoteName, "AlreadyExists");
  assert.match(taken.message, /"test_remote_taken" already exists/);
  // The worker carries on.
  assert.equal(await pool.apply(sizeOf, ["test_remote_taken"]), 1);
  shm.unlink();
});

workerTest("SharedMemory: two workers creating one name at once: exactly one wins", async () => {
  await using pool = new Pool(4, { imports: [tasks] });
  for (let round = 0; round < 5; round++) {
    const name = `test_race_${round}`;
    const won = await pool.map(tryCreate, [name, name, name, name, name, name, name, name], 1);
    assert.equal(won.filter((w) => w).length, 1);
    using shm = new SharedMemory({ name });
    shm.unlink();
  }
});

workerTest("SharedMemory: a worker unlinks; the name is gone, the memory stays", async () => {
  using shm = new SharedMemory({ create: true, size: 2 });
  await using pool = new Pool(1, { imports: [tasks] });
  await pool.apply(unlinkByName, [shm.name]);
  assert.throws(() => new SharedMemory({ name: shm.name }), Deno.errors.NotFound);
  const again = await pool.apply(unlinkByName, [shm.name]).catch((e) => e);
  assert.ok(again instanceof RemoteError);
  assert.equal(again.remoteName, "NotFound");
  await pool.apply(writeThrough, [shm, 1, 4]);
  assert.equal(shm.buf[1], 4);
  assert.throws(() => shm.unlink(), Deno.errors.NotFound);
});

workerTest("SharedMemory: registry lines end with their workers, in every way", async () => {
  using shm = new SharedMemory({ create: true, size: 1 });
  // maxTasksPerChild retires and replaces workers; terminate() stops them mid-flight; the
  // sanitizers fail this test if a line's port outlives its worker.
  await using retiring = new Pool(2, { imports: [tasks], maxTasksPerChild: 1 });
  assert.deepEqual(await retiring.map(sizeOf, [shm.name, shm.name, shm.name], 1), [1, 1, 1]);
  const stopped = new Pool(1, { imports: [tasks] });
  const pending = stopped.apply(nestedRoundTrip, [shm.name]).catch((e) => e);
  stopped.terminate();
  assert.equal((await pending).name, "PoolClosedError");
  const closed = new Pool(1, { imports: [tasks] });
  assert.equal(await closed.apply(sizeOf, [shm.name]), 1);
  closed.close();
  await closed.join();
  shm.unlink();
});

workerTest("SharedMemory: the lines of a stopped worker's own workers end with it", async () => {
  using shm = new SharedMemory({ create: true, size: 8 });
  const gate = new Int32Array(shm.buf.buffer);
  const pool = new Pool(1, { imports: [tasks] });
  const pending = pool.apply(nestedSleep, [shm]).catch((e) => e);
  // Once the inner worker runs, its line has been handed up to this thread; stopping the outer
  // worker must close it here too (the sanitizers check).
  try {
    await until(() => shm.buf[0] === 1, "the nested worker to start sleeping");
    pool.terminate();
    assert.equal((await pending).name, "PoolClosedError");
  } finally {
    pool.terminate(); // idempotent; stops the pool when the wait above timed out
    Atomics.store(gate, 1, 1);
    Atomics.notify(gate, 1);
    shm.unlink();
  }
});
