/**
 * {@linkcode RingBytes}: the data area of a channel's buffer (see `channel.ts`), a ring of
 * records `[u32 length][bytes]` that starts at the header's `HEAD` and holds `USED` bytes of a
 * `CAPACITY`. A record that does not fit grows the buffer (a growable `SharedArrayBuffer`:
 * every thread sees the new length at once, no message needed). Every method is called under
 * the channel's mutex.
 *
 * @module
 */

import { CAPACITY, DATA, HEAD, MAX_CAPACITY, USED } from "./channel_header.ts";

/**
 * Where this thread copies a message out of the ring to decode it: allocating a typed array
 * costs ~0.6 µs in this V8, more than the rest of a small message's trip.
 */
let readBuffer = new Uint8Array(4096);

/** The records of one channel, as this thread sees its buffer. */
export class RingBytes {
  readonly #buffer: SharedArrayBuffer;
  readonly #cells: Int32Array;
  /** Views of the data area as long as the capacity this thread last saw (fixed-length views
   * are several times faster than length-tracking ones in V8). */
  #bytes!: Uint8Array;
  #view!: DataView;
  #capacity = 0;

  /** The ring in `buffer`, whose header cells are `cells`. */
  constructor(buffer: SharedArrayBuffer, cells: Int32Array) {
    this.#buffer = buffer;
    this.#cells = cells;
  }

  /** Appends the record of `message` at the ring's end, growing the buffer if it must. */
  push(message: Uint8Array): void {
    const cells = this.#cells;
    const length = message.length;
    const need = cells[USED]! + 4 + length;
    if (need > cells[CAPACITY]!) this.#grow(need);
    const capacity = this.#capacityNow();
    let tail = cells[HEAD]! + cells[USED]!;
    if (tail >= capacity) tail -= capacity;
    tail = this.#write32(tail, length, capacity);
    this.#copyIn(message, tail, capacity);
    cells[USED] = need;
  }

  /**
   * Removes the oldest record (the ring is not empty) and returns its bytes, in this thread's
   * scratch buffer when they fit there: decode them before the next `shift`.
   */
  shift(): Uint8Array {
    const cells = this.#cells;
    const capacity = this.#capacityNow();
    const head = cells[HEAD]!;
    const length = this.#read32(head, capacity);
    let at = head + 4;
    if (at >= capacity) at -= capacity;
    const message = this.#copyOut(at, length, capacity);
    at += length;
    if (at >= capacity) at -= capacity;
    cells[HEAD] = at;
    cells[USED] = cells[USED]! - 4 - length;
    return message;
  }

  /** Drops every record. */
  clear(): void {
    this.#cells[HEAD] = 0;
    this.#cells[USED] = 0;
  }

  /** The capacity, with this thread's views of the data brought up to it; under the mutex. */
  #capacityNow(): number {
    const capacity = this.#cells[CAPACITY]!;
    if (capacity !== this.#capacity) {
      // Another thread grew the buffer: this thread's SharedArrayBuffer object is already as
      // long (growth is seen by all at once); only the views are remade.
      this.#bytes = new Uint8Array(this.#buffer, DATA, capacity);
      this.#view = new DataView(this.#buffer, DATA, capacity);
      this.#capacity = capacity;
    }
    return capacity;
  }

  /** Makes room for `need` bytes: grows the buffer, and unwraps the ring into the new space. */
  #grow(need: number): void {
    const cells = this.#cells;
    const capacity = cells[CAPACITY]!;
    if (need > MAX_CAPACITY) {
      throw new RangeError(
        `Cannot send a message of ${need - cells[USED]! - 4} bytes: a queue or pipe holds at ` +
          `most ${MAX_CAPACITY} bytes at once`,
      );
    }
    let next = capacity * 2;
    while (next < need) next *= 2;
    next = Math.min(next, MAX_CAPACITY);
    this.#buffer.grow(DATA + next);
    cells[CAPACITY] = next;
    this.#capacityNow();
    const head = cells[HEAD]!;
    const end = head + cells[USED]!;
    if (end > capacity) {
      // The ring wrapped: move its start (at 0) to follow its end, at the old capacity.
      this.#bytes.copyWithin(capacity, 0, end - capacity);
    }
  }

  #write32(at: number, value: number, capacity: number): number {
    if (at + 4 <= capacity) {
      this.#view.setUint32(at, value);
    } else {
      const four = new Uint8Array(4);
      new DataView(four.buffer).setUint32(0, value);
      this.#copyIn(four, at, capacity);
    }
    at += 4;
    return at >= capacity ? at - capacity : at;
  }

  #read32(at: number, capacity: number): number {
    if (at + 4 <= capacity) return this.#view.getUint32(at);
    const four = this.#copyOut(at, 4, capacity);
    return ((four[0]! << 24) | (four[1]! << 16) | (four[2]! << 8) | four[3]!) >>> 0;
  }

  #copyIn(source: Uint8Array, at: number, capacity: number): void {
    const first = Math.min(source.length, capacity - at);
    this.#bytes.set(first === source.length ? source : source.subarray(0, first), at);
    if (first < source.length) this.#bytes.set(source.subarray(first), 0);
  }

  #copyOut(at: number, length: number, capacity: number): Uint8Array {
    if (length > readBuffer.length && length <= 1 << 20) {
      readBuffer = new Uint8Array(Math.max(length, readBuffer.length * 2));
    }
    // A huge message gets a buffer of its own, not kept afterwards.
    const out = length <= readBuffer.length
      ? readBuffer.subarray(0, length)
      : new Uint8Array(length);
    const first = Math.min(length, capacity - at);
    out.set(this.#bytes.subarray(at, at + first));
    if (first < length) out.set(this.#bytes.subarray(0, length - first), first);
    return out;
  }
}
