import assert from "node:assert/strict";
import { Channel, EMPTY, END, READER_CLOSED, WRITER_CLOSED } from "./channel.ts";
import { encodeMessage } from "./codec.ts";

function put(channel: Channel, value: unknown): boolean | typeof READER_CLOSED {
  return channel.tryPut(encodeMessage(value, "value"));
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
