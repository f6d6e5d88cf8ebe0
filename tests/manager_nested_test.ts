/**
 * Manager proxies as references, as Python nests them: stored in a manager's list or dict, put
 * in a queue, sent over a pipe, passed to and returned from tasks, and revived as a proxy of
 * the same object wherever they arrive, even in a thread that never imported `manager/`.
 */

import assert from "node:assert/strict";
import { ClosedError, type DictProxy, ListProxy, Manager, Pipe, Queue } from "../mod.ts";
import { workerTest } from "./_helpers.ts";
import {
  appendFromPipe,
  appendFromQueue,
  appendNested,
  copyOf,
  managerFreePool,
  managerFreeProcess,
  nestedOf,
  useFromQueue,
} from "./fixtures/nested_proxy_tasks.ts";

workerTest("Manager: a list stored in a dict or a list reads back as a proxy of it", async () => {
  await using manager = await Manager.start();
  const inner = manager.list([1]);
  const outer = manager.dict<string, ListProxy<number>>();
  await outer.set("inner", inner);
  const back = await outer.get("inner");
  assert.ok(back instanceof ListProxy);
  await back.append(2);
  await inner.append(3);
  assert.deepEqual(await back.copy(), [1, 2, 3], "one list, changed through both proxies");

  const list = manager.list<unknown>([inner, "x"]); // nested from the start
  const [first] = await list.copy();
  assert.ok(first instanceof ListProxy);
  assert.equal(await first.len(), 3);
  await list.append(outer);
  const d = (await list.get(2)) as DictProxy<string, ListProxy<number>>;
  assert.equal(await (await d.get("inner"))!.pop(), 3);
  assert.deepEqual(await inner.copy(), [1, 2]);
  // A proxy equals another proxy of the same object, as Python compares them.
  assert.equal(await list.index(inner), 0);
  await list.remove(inner);
  assert.equal(await list.len(), 2);
  assert.ok((await outer.values())[0] instanceof ListProxy);
});

workerTest("Manager: a nested list is read and changed in a worker and a Process", async () => {
  await using manager = await Manager.start();
  const inner = manager.list([1]);
  const outer = manager.dict<string, ListProxy<number>>();
  await outer.set("inner", inner);
  {
    await using pool = managerFreePool();
    await pool.apply(appendNested, [outer, "inner", 2]);
  }
  const p = managerFreeProcess(appendNested, [outer, "inner", 3]);
  p.start();
  await p.join();
  assert.equal(p.exitCode, 0);
  assert.deepEqual(await inner.copy(), [1, 2, 3]);
  const again = await outer.get("inner-again");
  assert.ok(again instanceof ListProxy);
  assert.deepEqual(await again.copy(), [1, 2, 3], "stored from a worker, the same list");
});

workerTest(
  "Manager: a proxy travels through a Queue and a Pipe, into a thread without manager/",
  async () => {
    await using manager = await Manager.start();
    const l = manager.list<number>();
    const q = new Queue<ListProxy<number>>();
    const [parent, child] = Pipe();
    await using pool = managerFreePool();
    await q.put(l);
    assert.deepEqual(await pool.apply(appendFromQueue, [q, 1]), ["UnloadedReference", "ListProxy"]);
    const fromQueue = await q.get();
    assert.ok(fromQueue instanceof ListProxy);
    parent.send(fromQueue);
    const [before] = await pool.apply(appendFromPipe, [child, 2]);
    // The worker loaded manager/ for the queue's proxy: this one is rebuilt at once.
    assert.equal(before, "ListProxy");
    const [fromPipe, items] = await parent.recv() as [ListProxy<number>, number[]];
    assert.ok(fromPipe instanceof ListProxy);
    assert.deepEqual(items, [1, 2]);
    await fromPipe.append(3);
    assert.deepEqual(await l.copy(), [1, 2, 3]);
  },
);

workerTest("Manager: a proxy read over a pipe first is a working proxy there too", async () => {
  await using manager = await Manager.start();
  const l = manager.list([0]);
  const [parent, child] = Pipe();
  await using pool = managerFreePool();
  parent.send(l);
  assert.deepEqual(await pool.apply(appendFromPipe, [child, 1]), [
    "UnloadedReference",
    "ListProxy",
  ]);
  const [back, items] = await parent.recv() as [ListProxy<number>, number[]];
  assert.deepEqual(items, [0, 1]);
  assert.deepEqual(await back.copy(), [0, 1]);
});

workerTest("Manager: a proxy returned from a task is a proxy of the same object", async () => {
  await using manager = await Manager.start();
  const inner = manager.list([7]);
  const outer = manager.dict<string, ListProxy<number>>();
  await outer.set("inner", inner);
  await using pool = managerFreePool();
  const back = await pool.apply(nestedOf, [outer, "inner"]);
  assert.ok(back instanceof ListProxy);
  await back.append(8);
  assert.deepEqual(await inner.copy(), [7, 8]);
  const copy = await pool.apply(copyOf, [outer]); // proxies inside a Map
  const again = copy.get("inner");
  assert.ok(again instanceof ListProxy);
  assert.equal(await again.pop(), 8);
  assert.deepEqual(await inner.copy(), [7]);
});

workerTest(
  "Manager: a proxy used after its manager shut down is a ClosedError with the fix",
  async () => {
    const manager = await Manager.start();
    const l = manager.list([1]);
    const q = new Queue<ListProxy<number>>();
    q.putSync(l);
    q.putSync(l);
    await manager.shutdown();
    const back = await q.get();
    await assert.rejects(back.len(), {
      name: "ClosedError",
      message: /shut down.*Keep the manager running until every thread is done/,
    });
    await assert.rejects(back.len(), ClosedError);
    await using pool = managerFreePool();
    const [name, message] = await pool.apply(useFromQueue, [q]);
    assert.equal(name, "ClosedError");
    assert.match(message!, /Keep the manager running/);
  },
);
