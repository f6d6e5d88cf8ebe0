/**
 * The manager across real workers: one shared copy, the tutorial's example, errors as Python
 * raises them, and no call waiting for ever once the manager is gone.
 */

import assert from "node:assert/strict";
import {
  ClosedError,
  type DictProxy,
  type ListProxy,
  Manager,
  type NamespaceProxy,
  Pool,
  type ValueProxy,
} from "../mod.ts";
import { workerTest } from "./_helpers.ts";

workerTest("Manager: the tutorial's dict and reversed list, changed in a worker", async () => {
  await using manager = await Manager.start();
  const d = manager.dict<number | string, string | number | null>();
  const l = manager.list(Array.from({ length: 10 }, (_, i) => i));
  await using pool = new Pool(1);
  await pool.apply(async (d: DictProxy<number | string, unknown>, l: ListProxy<number>) => {
    await d.set(1, "1");
    await d.set("2", 2);
    await d.set(0.25, null);
    await l.reverse();
  }, [d, l]);
  const copy = await d.copy();
  assert.deepEqual([...copy], [[1, "1"], ["2", 2], [0.25, null]]);
  assert.equal(copy.has("1"), false, "1 and '1' are distinct keys, as in Python");
  assert.deepEqual(await l.copy(), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
});

workerTest("Manager: many workers update one copy; every change is seen", async () => {
  await using manager = await Manager.start();
  const counts = manager.dict<string, number>();
  const log = manager.list<number>();
  const ns = manager.Namespace({ done: 0 });
  const total = manager.Value("i", 0);
  await using pool = new Pool(2);
  await pool.starmap(
    async (
      i: number,
      counts: DictProxy<string, number>,
      log: ListProxy<number>,
      ns: NamespaceProxy,
      total: ValueProxy<number>,
    ) => {
      await counts.set(`w${i}`, i * 10);
      await log.append(i);
      await ns.set(`task${i}`, true);
      await total.set(i); // last writer wins, as in Python without a lock
    },
    Array.from({ length: 8 }, (_, i) => [i, counts, log, ns, total]),
  );
  assert.equal(await counts.len(), 8);
  assert.equal(await counts.get("w7"), 70);
  assert.deepEqual((await log.copy()).sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(Object.keys(await ns.copy()).length, 9);
  assert.ok((await total.get()) >= 0);
});

workerTest("Manager: proxies raise what Python raises, as the same error classes", async () => {
  await using manager = await Manager.start();
  const l = manager.list([1, 2]);
  await assert.rejects(l.get(5), { name: "RangeError", message: /out of range/ });
  await assert.rejects(l.remove(9), { name: "RangeError", message: /not in the list/ });
  await assert.rejects(manager.list([]).pop(), { name: "RangeError", message: /empty/ });
  await assert.rejects(manager.list([1, "a"]).sort(), TypeError);
  const d = manager.dict<string, number>();
  assert.equal(await d.get("missing"), undefined);
  assert.equal(await d.get("missing", 0), 0);
  await assert.rejects(d.pop("missing"), RangeError);
  assert.equal(await d.pop("missing", 5), 5);
  await assert.rejects(manager.Namespace().get("nope"), /AttributeError/);
  await assert.rejects(d.set("f", (() => 1) as never), TypeError);
  assert.throws(() => manager.list([() => 1]), TypeError);
});

workerTest("Manager: the list and dict methods, from the main program", async () => {
  await using manager = await Manager.start();
  const l = manager.list([3, 1, 2]);
  await l.sort();
  assert.deepEqual(await l.copy(), [1, 2, 3]);
  await l.sort({ reverse: true });
  await l.insert(0, 9);
  await l.set(-1, 0);
  assert.deepEqual(await l.copy(), [9, 3, 2, 0]);
  assert.equal(await l.index(2), 2);
  await l.extend([2, 2]);
  assert.equal(await l.count(2), 3);
  await l.remove(2);
  assert.equal(await l.pop(0), 9);
  assert.equal(await l.get(-1), 2);
  await l.clear();
  assert.equal(await l.len(), 0);
  const d = manager.dict(new Map([["a", 1]]));
  await d.update({ b: 2 });
  assert.equal(await d.setdefault("c", 3), 3);
  assert.equal(await d.setdefault("a", 7), 1);
  assert.deepEqual(await d.keys(), ["a", "b", "c"]);
  assert.deepEqual(await d.values(), [1, 2, 3]);
  assert.deepEqual(await d.entries(), [["a", 1], ["b", 2], ["c", 3]]);
  assert.equal(await d.has("b"), true);
  assert.equal(await d.delete("b"), true);
  await d.clear();
  assert.equal(await d.len(), 0);
  const nested = manager.list([{ x: [1] }]);
  await nested.remove({ x: [1] }); // compared by value, as Python's ==
  assert.equal(await nested.len(), 0);
});

workerTest("Manager: after shutdown, proxy calls reject with ClosedError", async () => {
  const manager = await Manager.start();
  const d = manager.dict();
  await d.set("a", 1);
  await manager.shutdown();
  await manager.shutdown();
  await assert.rejects(d.get("a"), ClosedError);
  assert.throws(() => manager.dict(), ClosedError);
});

workerTest("Manager: the lock and queue it gives are shared-memory objects", async () => {
  await using manager = await Manager.start();
  const lock = manager.Lock();
  const queue = manager.Queue<string>();
  await using pool = new Pool(1);
  await pool.apply((l: typeof lock, q: typeof queue) => {
    using _held = l.holdSync();
    q.putSync("locked and queued");
  }, [lock, queue]);
  assert.equal(await queue.get(), "locked and queued");
  assert.equal(lock.locked(), false);
});

workerTest("Manager: list and dict proxies iterate with for await, in a worker too", async () => {
  await using manager = await Manager.start();
  const l = manager.list([3, 1, 2]);
  const d = manager.dict<string, number>();
  await d.update({ x: 1, y: 2 });
  await using pool = new Pool(1);
  const seen = await pool.apply(
    async (l: ListProxy<number>, d: DictProxy<string, number>) => {
      const items: number[] = [];
      for await (const x of l) items.push(x);
      const keys: string[] = [];
      for await (const k of d) keys.push(k);
      return { items, keys };
    },
    [l, d],
  );
  assert.deepEqual(seen, { items: [3, 1, 2], keys: ["x", "y"] });
});
