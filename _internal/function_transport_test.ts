import assert from "node:assert/strict";
import { FunctionTransportError } from "../errors.ts";
import { describeFunction } from "./describe_function.ts";
import { encodeContext } from "./encode_context.ts";
import { FunctionResolver } from "./function_transport.ts";

const tasks = new URL("../tests/fixtures/tasks.ts", import.meta.url).href;
const noContext = { values: {}, functions: {}, shared: false };

Deno.test("describeFunction() gives one stable descriptor per function", () => {
  const f = (x: number) => x;
  const a = describeFunction(f, "f");
  assert.equal(describeFunction(f, "f"), a);
  assert.equal(a.name, "f");
  assert.equal(a.source, f.toString());
  assert.notEqual(describeFunction((x: number) => x, "f").id, a.id);
  assert.throws(() => describeFunction(3, "mapper"), { name: "TypeError", message: /"mapper"/ });
  assert.throws(() => describeFunction(Math.max, "f"), FunctionTransportError);
});

Deno.test("FunctionResolver finds an export by reference, by its source", async () => {
  const { addOffset } = await import(tasks);
  const descriptor = describeFunction(addOffset, "f");
  const resolver = new FunctionResolver([tasks], noContext);
  resolver.define(descriptor);
  const resolved = await resolver.resolve(descriptor.id);
  assert.equal(resolved.byValue, false);
  assert.equal(resolved.fn, addOffset);
  assert.equal(resolver.cached(descriptor.id), resolved);
});

Deno.test("FunctionResolver compiles by value, with context values and functions", async () => {
  const context = encodeContext({ k: 10, twice: (x: number) => x * 2 }, []);
  const resolver = new FunctionResolver([], context);
  // deno-lint-ignore no-explicit-any
  const uses = (x: number) => (globalThis as any).twice(x) + (globalThis as any).k;
  const source = { id: 9_001, name: "g", source: "(x) => twice(x) + k" };
  resolver.define(source);
  const resolved = await resolver.resolve(source.id);
  assert.equal(resolved.byValue, true);
  assert.equal(resolved.fn(1), 12);
  assert.equal(typeof uses, "function");
});

Deno.test("FunctionResolver explains a missing free variable, and only that", async () => {
  const resolver = new FunctionResolver([], noContext);
  const descriptor = { id: 9_002, name: "h", source: "(x) => x * missingScale" };
  resolver.define(descriptor);
  const resolved = await resolver.resolve(descriptor.id);
  let thrown: unknown;
  try {
    resolved.fn(1);
  } catch (error) {
    thrown = error;
  }
  const explained = await resolver.explain(resolved, thrown);
  assert.ok(explained instanceof FunctionTransportError);
  assert.match(explained.message, /uses "missingScale"/);
  assert.equal(
    await resolver.explain(resolved, new ReferenceError("other is not defined")),
    undefined,
  );
  assert.equal(await resolver.explain(resolved, new TypeError("x")), undefined);
});

Deno.test("encodeContext() validates names and values", () => {
  assert.throws(() => encodeContext({ "not valid": 1 }, []), RangeError);
  // deno-lint-ignore no-explicit-any
  assert.throws(() => encodeContext([] as any, []), TypeError);
  assert.deepEqual(encodeContext(undefined, []), { values: {}, functions: {}, shared: false });
});
