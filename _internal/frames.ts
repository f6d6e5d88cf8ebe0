/**
 * Messages over a byte stream (a child process's stdin and stdout): each value serialized with
 * `node:v8` (what `structuredClone` takes, as `postMessage` does), after its length as a
 * little-endian `u32`.
 *
 * @module
 */

import { deserialize, serialize } from "node:v8";

/** One value as a frame. Throws (a `DataCloneError`-like error) for what cannot be cloned. */
export function encodeFrame(value: unknown): Uint8Array {
  const body = serialize(value);
  const frame = new Uint8Array(4 + body.length);
  new DataView(frame.buffer).setUint32(0, body.length, true);
  frame.set(body, 4);
  return frame;
}

/** Cuts a byte stream into frames and decodes them, however the bytes arrive. */
export class FrameReader {
  #buffer = new Uint8Array(0);

  /** Adds bytes; returns the values of the frames they complete, in order. */
  push(bytes: Uint8Array): unknown[] {
    let buffer = this.#buffer.length === 0 ? bytes : concat(this.#buffer, bytes);
    const values: unknown[] = [];
    while (buffer.length >= 4) {
      const length = new DataView(buffer.buffer, buffer.byteOffset, 4).getUint32(0, true);
      if (buffer.length < 4 + length) break;
      values.push(deserialize(buffer.subarray(4, 4 + length)));
      buffer = buffer.subarray(4 + length);
    }
    this.#buffer = buffer.slice();
    return values;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Reads `stream` to its end, calling `each` with every value in order. */
export async function readFrames(
  stream: ReadableStream<Uint8Array>,
  each: (value: unknown) => void,
): Promise<void> {
  const frames = new FrameReader();
  for await (const bytes of stream) for (const value of frames.push(bytes)) each(value);
}
