import assert from "node:assert/strict";
import { ClaimCells } from "./claims.ts";

Deno.test("ClaimCells: a chunk is claimed or taken back, never both", () => {
  const main = new ClaimCells(2);
  const worker = new ClaimCells(main.buffer);
  main.offer(0, 7);
  main.offer(1, 8);
  assert.ok(main.offered(0, 7));
  assert.ok(worker.claim(0, 7));
  assert.ok(!main.offered(0, 7));
  assert.ok(!main.takeBack(0, 7), "a claimed chunk cannot be taken back");
  assert.ok(main.takeBack(1, 8));
  assert.ok(!worker.claim(1, 8), "a chunk taken back cannot be claimed");
});

Deno.test("ClaimCells: a cell offered anew fails the old chunk's late claim", () => {
  const main = new ClaimCells(1);
  const worker = new ClaimCells(main.buffer);
  main.offer(0, 1);
  assert.ok(main.takeBack(0, 1));
  main.offer(0, 2); // the worker has yet to skip chunk 1
  assert.ok(!worker.claim(0, 1));
  assert.ok(worker.claim(0, 2));
});

Deno.test("ClaimCells: separate calls start only up to the limit; a cut stops the rest", () => {
  const main = new ClaimCells(2);
  const worker = new ClaimCells(main.buffer);
  main.offer(1, 5, 3);
  assert.ok(worker.claim(1, 5));
  assert.ok(worker.begin(1));
  assert.ok(worker.begin(1));
  assert.equal(main.cut(1), 2, "two calls started");
  assert.ok(!worker.begin(1), "no call starts after a cut");
  assert.equal(worker.cut(1), 2);
  // A cell offered anew starts from nothing.
  main.offer(1, 6, 1);
  assert.ok(worker.begin(1));
  assert.ok(!worker.begin(1), "the limit is the number of calls");
});

Deno.test("ClaimCells: split keeps the first half of the calls not started, at least one", () => {
  const main = new ClaimCells(1);
  const worker = new ClaimCells(main.buffer);
  main.offer(0, 1, 10);
  assert.equal(main.split(0), 5);
  assert.ok(worker.begin(0));
  assert.equal(main.split(0), 3, "1 started, 4 left: 2 kept, 2 taken");
  assert.ok(worker.begin(0));
  assert.ok(worker.begin(0));
  assert.ok(!worker.begin(0));
  assert.equal(main.split(0), undefined, "none left");
  main.offer(0, 2, 1);
  assert.equal(main.split(0), undefined, "the one call stays");
  main.offer(0, 3, 2);
  assert.equal(main.split(0), 1);
  assert.equal(main.cut(0), 0);
});
