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
