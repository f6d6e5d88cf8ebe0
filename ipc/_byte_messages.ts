/**
 * The byte messages of a `Connection` (Python's `send_bytes`, `recv_bytes`,
 * `recv_bytes_into`): the checks of their buffers and options, made before anything is sent
 * or taken, and what a received message becomes.
 *
 * @module
 */

import { BufferTooShortError } from "../errors.ts";
import { assertNumber, describeValue } from "../_internal/checks.ts";
import { checkOptionKeys } from "../_internal/option_keys.ts";
import type { SendBytesOptions } from "./connection_options.ts";

/**
 * The bytes `Connection.sendBytes` sends: a copy of the part of `buffer` that `options` name,
 * checked (the offset and size within the buffer) before anything is sent.
 */
export function bytesToSend(
  buffer: ArrayBuffer | ArrayBufferView,
  options: SendBytesOptions,
): Uint8Array {
  let bytes: Uint8Array;
  if (buffer instanceof ArrayBuffer) bytes = new Uint8Array(buffer);
  else if (ArrayBuffer.isView(buffer)) {
    bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } else {
    throw new TypeError(`Connection.sendBytes: "buffer" must be an ArrayBuffer or a typed array`);
  }
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Connection.sendBytes: "options" must be an object such as { offset: 0, size: 4 }, got ${
        describeValue(options)
      }`,
    );
  }
  checkOptionKeys(options, ["offset", "size"], "Connection.sendBytes()");
  const { offset = 0 } = options;
  const offsets = `an integer from 0 to ${bytes.length}`;
  assertNumber(offset, `Connection.sendBytes: "offset"`, offsets);
  if (!Number.isInteger(offset) || offset < 0 || offset > bytes.length) {
    throw new RangeError(
      `Connection.sendBytes: "offset" must be ${offsets}, got ${describeValue(offset)}`,
    );
  }
  const { size = bytes.length - offset } = options;
  const sizes = `an integer from 0 to ${bytes.length - offset}`;
  assertNumber(size, `Connection.sendBytes: "size"`, sizes);
  if (!Number.isInteger(size) || size < 0 || offset + size > bytes.length) {
    throw new RangeError(
      `Connection.sendBytes: "size" must be ${sizes}, got ${describeValue(size)}`,
    );
  }
  return bytes.slice(offset, offset + size);
}

/** Checks `maxlength` before anything is taken: a whole number of bytes ≥ 0 (or `Infinity`). */
export function checkMaxlength(maxlength: unknown, method: string): number | undefined {
  if (maxlength === undefined) return undefined;
  const expected = "a whole number of bytes ≥ 0 (or Infinity)";
  assertNumber(maxlength, `${method}: "maxlength"`, expected);
  if (!(Number.isInteger(maxlength) || maxlength === Infinity) || maxlength < 0) {
    throw new RangeError(
      `${method}: "maxlength" must be ${expected}, got ${describeValue(maxlength)}` +
        (maxlength < 0 ? ` (Python: "negative maxlength")` : ""),
    );
  }
  return maxlength;
}

export function asBytes(value: unknown, maxlength: number | undefined): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(
      "recvBytes() received a message sent with send(): receive it with recv() instead",
    );
  }
  if (maxlength !== undefined && value.length > maxlength) {
    throw new RangeError(
      `recvBytes(): the message has ${value.length} bytes, more than maxlength ${maxlength}`,
    );
  }
  return value;
}

/** The bytes of `buffer` from `offset` on, checked before anything is taken. */
export function intoTarget(buffer: unknown, offset: unknown, method: string): Uint8Array {
  let bytes: Uint8Array;
  if (buffer instanceof ArrayBuffer || buffer instanceof SharedArrayBuffer) {
    bytes = new Uint8Array(buffer);
  } else if (ArrayBuffer.isView(buffer)) {
    bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } else {
    throw new TypeError(
      `${method}: "buffer" must be an ArrayBuffer, a SharedArrayBuffer or a typed array, got ` +
        describeValue(buffer),
    );
  }
  if (offset === undefined) return bytes;
  const expected = `a whole number of bytes from 0 to ${bytes.length}`;
  assertNumber(offset, `${method}: "offset"`, expected);
  if (!Number.isInteger(offset) || offset < 0 || offset > bytes.length) {
    const python = offset < 0 ? "negative offset" : offset > bytes.length ? "offset too large" : "";
    throw new RangeError(
      `${method}: "offset" must be ${expected}, got ${describeValue(offset)}` +
        (python === "" ? "" : ` (Python: "${python}")`),
    );
  }
  return bytes.subarray(offset);
}

/** Copies a received message into the room it was given; too long, it is carried by the error. */
export function copyInto(message: Uint8Array, room: Uint8Array): number {
  if (message.length > room.length) {
    throw new BufferTooShortError(
      `recvBytesInto(): the message has ${message.length} bytes and the buffer has room for ` +
        `${room.length}: the message is in this error's "bytes"`,
      message,
    );
  }
  room.set(message);
  return message.length;
}
