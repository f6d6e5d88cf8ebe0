import assert from "node:assert/strict";
import { Fifo } from "./fifo.ts";

function drain<T>(fifo: Fifo<T>): T[] {
  const out: T[] = [];
  for (let item = fifo.shift(); item !== undefined; item = fifo.shift()) out.push(item);
  return out;
}

Deno.test("Fifo: items come out in the order they went in, across compactions", () => {
  const fifo = new Fifo<number>();
  const out: number[] = [];
  // Interleaved, with the queue long enough that the head passes the compaction threshold.
  for (let i = 0; i < 5000; i++) {
    fifo.push(i);
    if (i % 3 === 2) out.push(fifo.shift()!);
  }
  assert.equal(fifo.length, 5000 - out.length);
  out.push(...drain(fifo));
  assert.deepEqual(out, Array.from({ length: 5000 }, (_, i) => i));
  assert.equal(fifo.length, 0);
  assert.equal(fifo.shift(), undefined);
});

Deno.test("Fifo.pushFront() puts items back before the others, first of them first", () => {
  const fifo = new Fifo<string>();
  fifo.push("a");
  fifo.push("b");
  fifo.push("c");
  assert.equal(fifo.shift(), "a");
  fifo.pushFront(["x", "y"]);
  assert.deepEqual(drain(fifo), ["x", "y", "b", "c"]);
});

Deno.test("Fifo.remove() drops the matching items and keeps the rest in order", () => {
  const fifo = new Fifo<number>();
  for (let i = 0; i < 10; i++) fifo.push(i);
  fifo.shift();
  fifo.remove((n) => n % 2 === 0);
  assert.equal(fifo.length, 5);
  assert.deepEqual(drain(fifo), [1, 3, 5, 7, 9]);
});

Deno.test("Fifo.clear() returns what was queued, front first, and empties it", () => {
  const fifo = new Fifo<number>();
  for (let i = 0; i < 4; i++) fifo.push(i);
  fifo.shift();
  assert.deepEqual(fifo.clear(), [1, 2, 3]);
  assert.equal(fifo.length, 0);
  fifo.push(7);
  assert.deepEqual(drain(fifo), [7]);
});

Deno.test("Fifo: first() shows the front item without taking it", () => {
  const fifo = new Fifo<number>();
  assert.equal(fifo.first(), undefined);
  fifo.push(1);
  fifo.push(2);
  assert.equal(fifo.first(), 1);
  assert.equal(fifo.shift(), 1);
  assert.equal(fifo.first(), 2);
  fifo.pushFront([0]);
  assert.equal(fifo.first(), 0);
  assert.deepEqual(drain(fifo), [0, 2]);
  assert.equal(fifo.first(), undefined);
});
