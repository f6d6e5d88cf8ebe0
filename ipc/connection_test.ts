import assert from "node:assert/strict";
import { ClosedError, EOFError } from "../errors.ts";
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
