import assert from "node:assert/strict";
import { BufferTooShortError, ClosedError, EOFError } from "../errors.ts";
import { Connection } from "./connection.ts";
import { Pipe } from "./pipe.ts";

Deno.test("Pipe: both ends send and receive, in order", async () => {
  const [a, b] = Pipe();
  a.send(1);
  a.send({ two: 2 });
  b.send("back");
  assert.equal(await b.recv(), 1);
  assert.deepEqual(b.recvSync(), { two: 2 });
  assert.equal(await a.recv(), "back");
  assert.equal(a.readable && a.writable, true);
});

Deno.test("Pipe(false): the first end receives, the second sends", async () => {
  const [receiver, sender] = Pipe(false);
  assert.equal(receiver.writable, false);
  assert.equal(sender.readable, false);
  assert.throws(() => receiver.send(1), { name: "TypeError", message: /one-way/ });
  await assert.rejects(sender.recv(), { name: "TypeError", message: /one-way/ });
  sender.send(1);
  assert.equal(await receiver.recv(), 1);
  assert.throws(() => Pipe("yes" as never), TypeError);
});

Deno.test("Connection.recv(): EOFError after the other end closes and all is read", async () => {
  const [a, b] = Pipe();
  a.send("x");
  a.close();
  assert.equal(a.closed, true);
  assert.equal(b.closed, false);
  assert.equal(await b.poll(), true);
  assert.equal(await b.recv(), "x");
  assert.equal(await b.poll(), true, "the end of the stream is ready to read too");
  await assert.rejects(b.recv(), EOFError);
  assert.throws(() => b.recvSync(), EOFError);
  assert.throws(() => b.send("y"), (e) => e instanceof ClosedError && e.value === "y");
  assert.throws(() => a.send("z"), ClosedError);
  await assert.rejects(a.recv(), ClosedError);
});

Deno.test("Connection: a waiting recv ends with EOFError when the other end closes", async () => {
  const [a, b] = Pipe();
  const waiting = b.recv();
  setTimeout(() => a.close(), 5);
  await assert.rejects(waiting, EOFError);
});

Deno.test("Connection: a waiting recv ends with ClosedError when its own end closes", async () => {
  const [a] = Pipe();
  const waiting = a.recv();
  setTimeout(() => a.close(), 5);
  await assert.rejects(waiting, ClosedError);
});

Deno.test("Connection.poll() looks by default, waits with a timeout", async () => {
  const [a, b] = Pipe();
  assert.equal(await b.poll(), false);
  assert.equal(b.pollSync(), false);
  assert.equal(await b.poll({ timeout: 10 }), false);
  setTimeout(() => a.send(1), 5);
  assert.equal(await b.poll({ timeout: 5_000 }), true);
  await assert.rejects(b.recv({ timeout: -1 }), RangeError);
});

Deno.test("Connection.poll() takes a negative timeout as 0, as CPython's poll(-1)", async () => {
  const [a, b] = Pipe();
  assert.equal(await b.poll({ timeout: -1 }), false);
  assert.equal(b.pollSync({ timeout: -5 }), false);
  assert.equal(await b.poll({ timeout: -Infinity }), false);
  a.send(1);
  assert.equal(await b.poll({ timeout: -1 }), true);
  assert.equal(b.pollSync({ timeout: -1 }), true);
  await assert.rejects(b.poll({ timeout: NaN }), RangeError);
});

Deno.test("Connection.recv() times out with TimeoutError", async () => {
  const [, b] = Pipe();
  await assert.rejects(b.recv({ timeout: 5 }), { name: "TimeoutError" });
  assert.throws(() => b.recvSync({ timeout: 0 }), { name: "TimeoutError" });
  assert.throws(() => b.recvSync(), { name: "InvalidStateError" });
});

Deno.test("Connection.sendBytes()/recvBytes() with offset, size and maxlength", async () => {
  const [a, b] = Pipe();
  const bytes = Uint8Array.of(0, 1, 2, 3, 4, 5);
  a.sendBytes(bytes, { offset: 2, size: 3 });
  assert.deepEqual(await b.recvBytes(), Uint8Array.of(2, 3, 4));
  a.sendBytes(new Float32Array([1]).buffer);
  assert.equal(b.recvBytesSync().length, 4);
  a.sendBytes(bytes);
  await assert.rejects(b.recvBytes({ maxlength: 3 }), { name: "RangeError", message: /maxlength/ });
  a.send("not bytes");
  await assert.rejects(b.recvBytes(), { name: "TypeError", message: /recv\(\)/ });
  assert.throws(() => a.sendBytes(bytes, { offset: 7 }), { message: /offset/ });
  assert.throws(() => a.sendBytes(bytes, { offset: 2, size: 5 }), { message: /size/ });
  assert.throws(() => a.sendBytes("text" as never), TypeError);
});

Deno.test("Connection is made by Pipe() only, and closes with `using`", () => {
  assert.throws(() => new Connection(), { name: "TypeError", message: /Pipe/ });
  const [a, b] = Pipe();
  {
    using _end = a;
  }
  assert.equal(a.closed, true);
  b.close();
  b.close();
});

Deno.test("Connection.recvBytesInto() writes at the offset into any buffer kind", async () => {
  const [a, b] = Pipe();
  const shared = new Float64Array(new SharedArrayBuffer(32));
  a.sendBytes(Float64Array.of(1.5, 2.5));
  assert.equal(await b.recvBytesInto(shared, { offset: 8 }), 16);
  assert.deepEqual([...shared], [0, 1.5, 2.5, 0]);
  const view = new DataView(new ArrayBuffer(4));
  a.sendBytes(Uint8Array.of(9));
  assert.equal(b.recvBytesIntoSync(view, { offset: 3 }), 1);
  assert.equal(view.getUint8(3), 9);
  a.sendBytes(new Uint8Array(0));
  assert.equal(await b.recvBytesInto(new ArrayBuffer(2), { offset: 2 }), 0); // offset = length
});

Deno.test("Connection.recvBytesInto(): a too-small buffer throws BufferTooShortError with the message", async () => {
  const [a, b] = Pipe();
  a.sendBytes(Uint8Array.of(1, 2, 3, 4));
  a.sendBytes(Uint8Array.of(5));
  const buffer = new Uint8Array(4);
  const error = await b.recvBytesInto(buffer, { offset: 1 }).catch((e) => e);
  assert.ok(error instanceof BufferTooShortError);
  assert.match(error.message, /4 bytes .* room for 3/);
  assert.deepEqual(error.bytes, Uint8Array.of(1, 2, 3, 4));
  assert.deepEqual(buffer, new Uint8Array(4), "nothing written");
  assert.equal(b.recvBytesIntoSync(buffer), 1); // the pipe stays usable
});

Deno.test("Connection.recvBytesInto() checks buffer and offset before taking anything", async () => {
  const [a, b] = Pipe();
  a.sendBytes(Uint8Array.of(1));
  const buffer = new Uint8Array(2);
  await assert.rejects(b.recvBytesInto(buffer, { offset: -1 }), /negative offset/);
  await assert.rejects(b.recvBytesInto(buffer, { offset: 3 }), /offset too large/);
  await assert.rejects(b.recvBytesInto(buffer, { offset: 0.5 }), RangeError);
  await assert.rejects(b.recvBytesInto(buffer, { offset: NaN }), RangeError);
  // @ts-expect-error: a string
  await assert.rejects(b.recvBytesInto(buffer, { offset: "1" }), TypeError);
  // @ts-expect-error: not a buffer
  await assert.rejects(b.recvBytesInto([0, 0]), /"buffer" must be an ArrayBuffer/);
  assert.equal(await b.recvBytesInto(buffer), 1);
  a.send("not bytes");
  await assert.rejects(b.recvBytesInto(buffer), /sent with send\(\)/);
});
