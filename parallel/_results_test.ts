import assert from "node:assert/strict";
import { BatchResults } from "./_results.ts";

Deno.test("BatchResults: a list joins every batch in dispatch order, whatever order they finished in", () => {
  const results = new BatchResults("list");
  results.add(2, [5]);
  results.add(0, [1, 2]);
  results.add(1, [3, 4]);
  assert.deepEqual(results.all(5), [1, 2, 3, 4, 5]);
});

Deno.test("BatchResults: ordered hands a batch over only once those before it have finished", () => {
  const results = new BatchResults("ordered");
  results.add(1, ["b"]);
  assert.equal(results.take(), undefined);
  results.add(0, ["a"]);
  assert.deepEqual(results.take(), ["a"]);
  assert.deepEqual(results.take(), ["b"]);
  assert.equal(results.take(), undefined);
});

Deno.test("BatchResults: unordered hands batches over as they finished", () => {
  const results = new BatchResults("unordered");
  results.add(1, ["b"]);
  assert.deepEqual(results.take(), ["b"]);
  results.add(2, ["c"]);
  results.add(0, ["a"]);
  assert.deepEqual(results.take(), ["c"]);
  assert.deepEqual(results.take(), ["a"]);
  assert.equal(results.take(), undefined);
});
