import assert from "node:assert/strict";
import { delayed, isDelayed } from "./delayed.ts";

Deno.test("delayed(f)(...args) is plain data: the function and its arguments", () => {
  const add = (a: number, b: number) => a + b;
  const call = delayed(add)(1, 2);
  assert.deepEqual(Object.keys(call).sort(), ["args", "fn"]);
  assert.equal(call.fn, add);
  assert.deepEqual(call.args, [1, 2]);
  assert.equal(Object.getPrototypeOf(call), Object.prototype);
  // Nothing ran: only Parallel makes the call.
  let ran = false;
  delayed(() => ran = true)();
  assert.equal(ran, false);
});

Deno.test("delayed() refuses what is not a function, saying how to write a call", () => {
  assert.throws(() => delayed(42 as unknown as () => void), {
    name: "TypeError",
    message: /delayed\(\) needs a function, got number: write delayed\(f\)\(x\)/,
  });
});

Deno.test("isDelayed() tells delayed calls from other values", () => {
  assert.equal(isDelayed(delayed(Math.max)(1, 2)), true);
  assert.equal(isDelayed({ fn: Math.max, args: [] }), true);
  for (const value of [null, 1, [Math.max, [1]], { fn: 1, args: [] }, { fn: Math.max }]) {
    assert.equal(isDelayed(value), false);
  }
});
