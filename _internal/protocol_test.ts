import assert from "node:assert/strict";
import type { MainToWorker, WorkerToMain } from "./protocol.ts";
import { serializeError } from "./protocol.ts";

const fn = { id: 1, name: "f", source: "(x) => x" };
const messages: (MainToWorker | WorkerToMain)[] = [
  {
    kind: "init",
    identity: { name: "PoolWorker-1", ident: 1 },
    imports: ["file:///a.ts"],
    context: { values: { a: 1 }, functions: { g: "() => 1" }, shared: false },
    initializer: fn,
    initargs: [1, "x"],
    initargsShared: false,
    identCounter: new SharedArrayBuffer(8),
  },
  { kind: "run", batch: 1, fn: 1, def: fn, mode: "one", calls: [1, 2], shared: false },
  {
    kind: "run",
    batch: 2,
    fn: 1,
    def: null,
    mode: "star",
    calls: new Float64Array([1]),
    shared: false,
  },
  { kind: "ready" },
  { kind: "initFailed", error: { name: "Error", message: "no" } },
  { kind: "done", batch: 1, values: new Float64Array([1, 2]), shared: false },
  {
    kind: "failed",
    batch: 1,
    error: { name: "TypeError", message: "x", stack: "s" },
    values: [1],
    shared: false,
  },
  { kind: "crashed", batch: null, how: "called self.close()", error: null },
];

for (const message of messages) {
  Deno.test(`protocol: a "${message.kind}" message survives a structured clone`, () => {
    assert.deepEqual(structuredClone(message), message);
  });
}

Deno.test("serializeError() keeps name, message and stack, and explains non-errors", () => {
  const error = new RangeError("out");
  const out = serializeError(error);
  assert.equal(out.name, "RangeError");
  assert.equal(out.message, "out");
  assert.equal(out.stack, error.stack);
  assert.equal(out.transport, undefined);
  assert.equal(serializeError(error, true).transport, true);
  assert.match(serializeError("oops").message, /non-Error value was thrown: "oops"/);
  assert.match(serializeError(42).message, /42/);
});
