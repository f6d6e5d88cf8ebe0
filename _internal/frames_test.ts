import assert from "node:assert/strict";
import { encodeFrame, FrameReader } from "./frames.ts";

Deno.test("FrameReader decodes frames however the bytes are cut", () => {
  const values = [{ kind: "run", calls: new Float64Array([1, 2.5]) }, "x", [null, 3], 7];
  const bytes = new Uint8Array(values.flatMap((v) => [...encodeFrame(v)]));
  for (const cut of [1, 3, 7, bytes.length]) {
    const reader = new FrameReader();
    const got: unknown[] = [];
    for (let i = 0; i < bytes.length; i += cut) got.push(...reader.push(bytes.slice(i, i + cut)));
    assert.deepEqual(got, values, `cut every ${cut} bytes`);
  }
});

Deno.test("encodeFrame refuses what cannot be cloned", () => {
  assert.throws(() => encodeFrame({ f: () => 1 }));
});

Deno.test("FrameReader joins a large frame from many small reads", () => {
  const big = new Float64Array(200_000).map((_, i) => i);
  const bytes = new Uint8Array([...encodeFrame("a"), ...encodeFrame(big), ...encodeFrame(3)]);
  const reader = new FrameReader();
  const got: unknown[] = [];
  for (let i = 0; i < bytes.length; i += 4096) got.push(...reader.push(bytes.slice(i, i + 4096)));
  assert.deepEqual(got, ["a", big, 3]);
});
