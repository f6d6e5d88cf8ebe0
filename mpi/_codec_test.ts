import assert from "node:assert/strict";
import { decodeValue, encodeValue } from "./_codec.ts";

const shared = { s: 1 };
const cyclic: Record<string, unknown> = { name: "loop" };
cyclic.self = cyclic;
const values: [string, unknown][] = [
  ["a number", 42],
  ["a fraction", 0.1 + 0.2],
  ["a string with every plane", "héllo, 世界 🌍"],
  ["null", null],
  ["booleans", [true, false]],
  ["nested plain data", { a: [1, { b: "c" }], d: { e: [[]] }, "": 0 }],
  ["a packet", [0, null, "hello"]],
  ["-0", -0],
  ["NaN and Infinity", [NaN, Infinity, -Infinity]],
  ["undefined", undefined],
  ["undefined in an object", { a: undefined }],
  ["a sparse array", [1, , 3]],
  ["a bigint", 10n ** 20n],
  ["a Map and a Set", { m: new Map([["x", [1, 2.5]]]), s: new Set([1, "a"]) }],
  ["a Date", new Date(0)],
  ["a typed array", { xs: Float64Array.of(1.5, -2) }],
  ["a shared reference", [shared, shared]],
  ["a cycle", cyclic],
  ["a null-prototype object", Object.assign(Object.create(null), { a: 1 })],
];

for (const [name, value] of values) {
  Deno.test(`mpi codec: ${name} comes back as structuredClone gives it`, () => {
    const back = decodeValue(encodeValue(value));
    assert.deepStrictEqual(back, structuredClone(value));
    if (name === "-0") assert.ok(Object.is(back, -0));
    if (name === "a shared reference") {
      const [x, y] = back as object[];
      assert.equal(x, y);
    }
  });
}

Deno.test("mpi codec: plain data travels as JSON after a zero byte, the rest as node:v8's", () => {
  assert.equal(encodeValue({ a: [1, "b"] })[0], 0);
  assert.equal(encodeValue(new Map())[0], 0xff);
  assert.equal(encodeValue([1, undefined])[0], 0xff);
});
