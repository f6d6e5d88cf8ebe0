import assert from "node:assert/strict";
import { Channel } from "./channel.ts";
import {
  EMPTY,
  END,
  PUTS,
  READER_CLOSED,
  READERS,
  type Refused,
  SHUTDOWN,
  UNFINISHED,
  WRITER_CLOSED,
  WRITERS,
} from "./channel_header.ts";
import { waitAny } from "./wait_any.ts";

function put(channel: Channel, value: unknown): boolean | Refused {
  return channel.tryPut(value);
}

Deno.test("Channel keeps order across wrap-around and growth", () => {
  const channel = new Channel();
  let next = 0;
  let expected = 0;
  // Fill and drain unevenly so that the ring wraps, then grow it while wrapped.
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 700; i++) put(channel, { n: next++, pad: "x".repeat(40) });
    for (let i = 0; i < 650; i++) {
      assert.equal((channel.tryTake() as { n: number }).n, expected++);
    }
  }
  put(channel, new Float64Array(200_000)); // bigger than the ring: grows it while wrapped
  while (channel.count > 1) assert.equal((channel.tryTake() as { n: number }).n, expected++);
  assert.equal((channel.tryTake() as Float64Array).length, 200_000);
  assert.equal(channel.tryTake(), EMPTY);
  assert.equal(expected, next);
});

Deno.test("Channel: a closed writer gives END once drained; a closed reader refuses puts", () => {
  const channel = new Channel();
  put(channel, "last");
  channel.close(WRITER_CLOSED);
  assert.equal(channel.tryTake(), "last");
  assert.equal(channel.tryTake(), END);
  const other = new Channel();
  other.close(READER_CLOSED);
  assert.equal(put(other, 1), READER_CLOSED);
});

Deno.test("Channel(maxsize) refuses a put when full", () => {
  const channel = new Channel(2);
  assert.equal(put(channel, 1), true);
  assert.equal(put(channel, 2), true);
  assert.equal(put(channel, 3), false);
  channel.tryTake();
  assert.equal(put(channel, 3), true);
});

Deno.test("Channel over the same buffer is the same channel", () => {
  const channel = new Channel();
  const twin = new Channel(0, channel.buffer);
  put(channel, "hi");
  put(twin, new Uint8Array(100_000)); // grows through the twin
  assert.equal(channel.tryTake(), "hi");
  assert.equal((channel.tryTake() as Uint8Array).length, 100_000);
});

Deno.test("Channel.take() waits for a message, and gives EMPTY when the timeout passes", async () => {
  const channel = new Channel();
  assert.equal(await channel.take(5), EMPTY);
  const taking = channel.take(Infinity);
  setTimeout(() => put(channel, "late"), 5);
  assert.equal(await taking, "late");
  channel.close(WRITER_CLOSED);
  assert.equal(await channel.take(Infinity), END);
});

Deno.test("Channel.take() and poll() stop at an aborted signal", async () => {
  const channel = new Channel();
  const controller = new AbortController();
  const taking = channel.take(Infinity, controller.signal);
  const polling = channel.poll(Infinity, controller.signal);
  controller.abort(new Error("no more"));
  await assert.rejects(taking, { message: "no more" });
  await assert.rejects(polling, { message: "no more" });
});

Deno.test("Channel.poll() says whether a message is there without taking it", async () => {
  const channel = new Channel();
  assert.equal(await channel.poll(0), false);
  assert.equal(channel.pollSync(0, "Test.pollSync", "test.poll"), false);
  put(channel, 1);
  assert.equal(await channel.poll(Infinity), true);
  assert.equal(channel.pollSync(Infinity, "Test.pollSync", "test.poll"), true);
  assert.equal(channel.tryTake(), 1);
});

Deno.test("Channel.put() waits for room in a bounded channel", async () => {
  const channel = new Channel(1);
  assert.equal(await channel.put("a", Infinity, false), true);
  assert.equal(await channel.put("b", 5, false), false);
  const putting = channel.put("c", Infinity, false);
  setTimeout(() => channel.tryTake(), 5);
  assert.equal(await putting, true);
  assert.equal(channel.tryTake(), "c");
});

Deno.test("Channel's sync calls take and put at once, and refuse to block the main thread", () => {
  const channel = new Channel(1);
  assert.equal(
    channel.putSync(1, Infinity, false, "T.putSync", "q.put"),
    true,
  );
  assert.throws(
    () => channel.putSync(2, Infinity, false, "T.putSync", "q.put"),
    { name: "InvalidStateError", message: /T\.putSync/ },
  );
  assert.equal(channel.takeSync(Infinity, "T.getSync", "q.get"), 1);
  assert.equal(channel.takeSync(0, "T.getSync", "q.get"), EMPTY);
  assert.throws(() => channel.takeSync(Infinity, "T.getSync", "q.get"), {
    name: "InvalidStateError",
    message: /T\.getSync/,
  });
});

Deno.test("Channel encodes what it puts: a value that cannot be sent throws, naming it, and puts nothing", () => {
  const channel = new Channel();
  assert.throws(() => channel.tryPut(() => 1, false, "the reply"), /the reply/);
  assert.throws(
    () => channel.putSync(Symbol("s"), Infinity, false, "T.putSync", "q.put"),
    TypeError,
  );
  assert.equal(channel.tryTake(), EMPTY);
  assert.equal(channel.tryPut([1, "a"]), true);
  assert.deepEqual(channel.tryTake(), [1, "a"]);
});

Deno.test("Channel.shutdown() refuses puts, and takes once the ring is empty", () => {
  const channel = new Channel(1);
  put(channel, "queued");
  const twin = new Channel(0, channel.buffer);
  channel.shutdown(false);
  assert.equal(twin.isShutDown, true);
  assert.equal(put(twin, "late"), SHUTDOWN); // refused before "full"
  assert.equal(twin.tryTake(), "queued");
  assert.equal(twin.tryTake(), SHUTDOWN);
  assert.equal(channel.peek(), true); // poll says a take would not wait
});

Deno.test("Channel.shutdown(true) drops what is queued and counts it as done", () => {
  const channel = new Channel();
  for (let i = 0; i < 3; i++) channel.tryPut(i, true);
  assert.equal(channel.tryTake(), 0); // taken, not yet done: stays unfinished
  channel.shutdown(true);
  assert.equal(channel.count, 0);
  assert.equal(Atomics.load(channel.cells, UNFINISHED), 1);
  assert.equal(channel.tryTake(), SHUTDOWN);
});

Deno.test("Channel.shutdown() wakes a waiting take and a waiting put", async () => {
  const empty = new Channel();
  const full = new Channel(1);
  put(full, 1);
  const taking = empty.take(Infinity);
  const putting = full.put(2, Infinity, false);
  setTimeout(() => {
    empty.shutdown(false);
    full.shutdown(false);
  }, 5);
  assert.equal(await taking, SHUTDOWN);
  assert.equal(await putting, SHUTDOWN);
});

Deno.test("waitAny() resolves with the channels ready, or none at the timeout", async () => {
  const [a, b, c] = [new Channel(), new Channel(), new Channel()];
  assert.deepEqual(await waitAny([a, b, c], 0), []);
  assert.deepEqual(await waitAny([a, b, c], 5), []);
  const waiting = waitAny([a, b, c], Infinity);
  setTimeout(() => put(new Channel(0, b.buffer), "x"), 5); // through another handle
  assert.deepEqual(await waiting, [1]);
  put(c, 1);
  c.shutdown(false);
  a.close(WRITER_CLOSED);
  assert.deepEqual(await waitAny([a, b, c], Infinity), [0, 1, 2]); // the end counts as ready
});

Deno.test("waitAny() stops at an aborted signal", async () => {
  const controller = new AbortController();
  const waiting = waitAny([new Channel()], Infinity, controller.signal);
  setTimeout(() => controller.abort(new Error("enough")), 5);
  await assert.rejects(waiting, { message: "enough" });
});

Deno.test("waitAny() leaves no stale wait behind to take a put's single wake from a sleeper", async () => {
  const [a, b] = [new Channel(), new Channel()];
  const waiting = waitAny([a, b], Infinity);
  setTimeout(() => put(a, 1), 5);
  assert.deepEqual(await waiting, [0]);
  // A put with one sleeper notifies one waiter only: were waitAny's wait on b still queued
  // (first in line), it would take that wake from the next sleeper. Nothing is left to wake.
  assert.equal(Atomics.notify(b.cells, PUTS), 0);
  assert.equal(Atomics.notify(a.cells, PUTS), 0);
});

Deno.test("Channel copies: an end closes when its last copy is dropped", () => {
  const channel = new Channel();
  channel.addCopy(WRITERS, 7);
  channel.addCopy(WRITERS, 7);
  channel.addCopy(WRITERS, 8);
  channel.dropCopy(WRITERS, 7);
  channel.dropCopy(WRITERS, 8);
  channel.dropCopy(WRITERS, 9); // holds none: nothing
  assert.equal(channel.closed & WRITER_CLOSED, 0);
  channel.dropCopy(WRITERS, 7);
  assert.equal(channel.closed & WRITER_CLOSED, WRITER_CLOSED);
  assert.equal(channel.closed & READER_CLOSED, 0); // the other end is apart
  channel.dropCopy(WRITERS, 7); // never below zero
  assert.equal(channel.tryTake(), END);
});

Deno.test("Channel copies: at most 64 owners per end, a RangeError past that", () => {
  const channel = new Channel();
  for (let ident = 1; ident <= 64; ident++) channel.addCopy(READERS, ident);
  channel.addCopy(READERS, 64); // an owner already there: counted, no slot
  assert.throws(() => channel.addCopy(READERS, 65), {
    name: "RangeError",
    message: /64 processes/,
  });
  channel.dropCopy(READERS, 3);
  channel.addCopy(READERS, 65); // a slot freed
  channel.addCopy(WRITERS, 65); // the other end has its own table
});
