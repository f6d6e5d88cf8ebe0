import assert from "node:assert/strict";
import {
  encodeValue,
  fromShared,
  Revival,
  reviveValue,
  type SharedHandle,
  toShared,
  transfer,
} from "./shareable.ts";

/** A minimal shareable class: a counter in a SharedArrayBuffer. */
export class Counter {
  readonly cells: Int32Array;
  constructor(buffer = new SharedArrayBuffer(4)) {
    this.cells = new Int32Array(buffer);
  }
  [toShared](): SharedHandle {
    return { module: import.meta.url, export: "Counter", state: this.cells.buffer };
  }
  static [fromShared](state: unknown): Counter {
    return new Counter(state as SharedArrayBuffer);
  }
}

Deno.test("encodeValue() leaves plain values untouched, without copying", () => {
  const value = { a: [1, 2, { b: "c" }], d: new Uint8Array(2) };
  const encoded = encodeValue(value, []);
  assert.equal(encoded.value, value);
  assert.equal(encoded.shared, false);
});

Deno.test("shared objects are revived as the same class over the same memory", async () => {
  const counter = new Counter();
  const value = { nested: [1, counter, { again: counter }], other: "x" };
  const encoded = encodeValue(value, []);
  assert.equal(encoded.shared, true);
  assert.notEqual(encoded.value, value);
  assert.equal(value.nested[1], counter, "the input is not modified");
  const revived = await reviveValue(structuredClone(encoded.value)) as typeof value;
  const copy = revived.nested[1] as Counter;
  assert.ok(copy instanceof Counter);
  Atomics.add(copy.cells, 0, 5);
  assert.equal(Atomics.load(counter.cells, 0), 5);
  assert.equal(revived.other, "x");
});

Deno.test("encodeValue() and reviveValue() survive cycles", async () => {
  const cyclic: Record<string, unknown> = { counter: new Counter() };
  cyclic.self = cyclic;
  const encoded = encodeValue(cyclic, []);
  const revived = await reviveValue(structuredClone(encoded.value)) as Record<string, unknown>;
  assert.equal(revived.self, revived);
  assert.ok(revived.counter instanceof Counter);
});

Deno.test("transfer() marks buffers, collected once by encodeValue()", () => {
  const data = new Uint8Array(8);
  const list: Transferable[] = [];
  encodeValue([transfer(data, [data.buffer])], list);
  assert.deepEqual(list, [data.buffer]);
  const again: Transferable[] = [];
  encodeValue([data], again);
  assert.deepEqual(again, [], "a mark is used up by one send");
});

Deno.test("reviveValue() names a module without the shareable export", async () => {
  const handle = { module: import.meta.url, export: "Nope", state: null };
  const encoded = { ["\u0000@workers/multiprocessing:shared"]: handle };
  await assert.rejects(reviveValue(encoded), { name: "TypeError", message: /"Nope"/ });
});

Deno.test("Revival hands the state to the one constructor call it makes, once", () => {
  const revival = new Revival<string>();
  const seen: (string | undefined)[] = [];
  class Thing {
    inner: Thing | undefined;
    constructor(nested: boolean) {
      seen.push(revival.take());
      if (nested) this.inner = new Thing(false);
    }
  }
  new Thing(false);
  const revived = revival.revive("state", () => new Thing(true));
  assert.ok(revived instanceof Thing);
  new Thing(false);
  // Constructed anew, revived (its inner instance not handed the state), constructed anew.
  assert.deepEqual(seen, [undefined, "state", undefined, undefined]);
});
