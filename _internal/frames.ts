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

/**
 * Cuts a byte stream into frames and decodes them, however the bytes arrive. The pieces of an
 * incomplete frame are kept as they came and joined once it is whole, so a large frame that
 * arrives in many small reads is copied once, not once per read.
 */
export class FrameReader {
  #pieces: Uint8Array[] = [];
  #buffered = 0;
  /** The length of the frame being read, once its header is in. */
  #need = -1;

  /** Adds bytes; returns the values of the frames they complete, in order. */
  push(bytes: Uint8Array): unknown[] {
    this.#pieces.push(bytes);
    this.#buffered += bytes.length;
    const values: unknown[] = [];
    for (;;) {
      if (this.#need < 0) {
        if (this.#buffered < 4) break;
        const header = this.#take(4);
        this.#need = new DataView(header.buffer, header.byteOffset, 4).getUint32(0, true);
      }
      if (this.#buffered < this.#need) break;
      values.push(deserialize(this.#take(this.#need)));
      this.#need = -1;
    }
    return values;
  }

  /** The next `n` buffered bytes (`n` ≤ what is buffered), removed. */
  #take(n: number): Uint8Array {
    const first = this.#pieces[0]!;
    let out: Uint8Array;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.#pieces.shift();
      else this.#pieces[0] = first.subarray(n);
    } else {
      out = new Uint8Array(n);
      let at = 0;
      while (at < n) {
        const piece = this.#pieces[0]!;
        const used = Math.min(piece.length, n - at);
        out.set(piece.subarray(0, used), at);
        at += used;
        if (used === piece.length) this.#pieces.shift();
        else this.#pieces[0] = piece.subarray(used);
      }
    }
    this.#buffered -= n;
    return out;
  }
}

/** Reads `stream` to its end, calling `each` with every value in order. */
export async function readFrames(
  stream: ReadableStream<Uint8Array>,
  each: (value: unknown) => void,
): Promise<void> {
  const frames = new FrameReader();
  for await (const bytes of stream) for (const value of frames.push(bytes)) each(value);
}
