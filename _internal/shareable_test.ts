import assert from "node:assert/strict";
import { decode, encodeMessage } from "./codec.ts";
import {
  encodeValue,
  fromShared,
  Revival,
  reviveValue,
  type SharedHandle,
  toReference,
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

/** A minimal reference: plain state and async methods, as a manager's proxy has. */
export class Note {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  read(): Promise<string> {
    return Promise.resolve(this.text);
  }
  async *[Symbol.asyncIterator](): AsyncGenerator<string> {
    yield* this.text;
  }
  [toShared](): SharedHandle {
    return this[toReference]();
  }
  [toReference](): SharedHandle {
    return { module: import.meta.url, export: "Note", state: this.text };
  }
  static [fromShared](state: unknown): Note {
    return new Note(state as string);
  }
}

function throughCodec(value: unknown): unknown {
  return decode(encodeMessage(value, "value").slice());
}

Deno.test("a reference whose class is not loaded here arrives as a stand-in that loads it", async () => {
  const note = throughCodec([new Note("hi")]) as [Note];
  const standIn = note[0];
  assert.equal(standIn instanceof Note, false, "not registered in this thread: a stand-in");
  assert.equal(await standIn, standIn, "a stand-in is not a thenable");
  const again = throughCodec(standIn) as Note;
  const other = throughCodec(new Note("y")) as unknown as { nope(): Promise<void> };
  assert.equal(await standIn.read(), "hi", "the first call imports the class and forwards");
  assert.ok(standIn instanceof Note, "loaded: it reports the real prototype");
  assert.equal(standIn.text, "hi");
  const letters: string[] = [];
  for await (const letter of again) letters.push(letter);
  assert.deepEqual(letters, ["h", "i"], "a stand-in passed on travels as the same reference");
  assert.ok(throughCodec(new Note("x")) instanceof Note, "once loaded, revived at once");
  await assert.rejects(other.nope(), { name: "TypeError", message: /no method "nope"/ });
});

Deno.test("shared objects inside a Map or a Set are revived too", async () => {
  const counter = new Counter();
  const value = new Map<unknown, unknown>([["c", counter], [counter, new Set([counter, 1])]]);
  const encoded = encodeValue(value, []);
  assert.equal(encoded.shared, true);
  const revived = await reviveValue(structuredClone(encoded.value)) as Map<unknown, unknown>;
  assert.ok(revived.get("c") instanceof Counter);
  const [key, set] = [...revived][1] as [Counter, Set<unknown>];
  assert.ok(key instanceof Counter);
  assert.ok([...set][0] instanceof Counter);
  assert.equal([...set][1], 1);
});

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
