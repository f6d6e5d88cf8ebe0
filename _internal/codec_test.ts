import assert from "node:assert/strict";
import { ByteWriter, decode, encode } from "./codec.ts";

function roundTrip(value: unknown): unknown {
  const out = new ByteWriter();
  encode(value, out, "value");
  return decode(out.bytes.slice(0, out.length));
}

Deno.test("codec: plain data survives the round trip exactly", () => {
  const values: unknown[] = [
    0,
    -0,
    1,
    -1,
    2 ** 31,
    -(2 ** 31),
    1.5,
    NaN,
    Infinity,
    -Infinity,
    "",
    "hello",
    "héllo wörld ✓ 😀",
    true,
    false,
    null,
    undefined,
    10n,
    -(2n ** 100n),
    [],
    [1, "a", null, [2, [3]]],
    { a: 1, b: { c: [1, 2, 3], d: undefined }, "k e y": "v" },
    Object.assign(Object.create(null), { x: 1 }),
    new Float64Array([1.5, 2.5]),
    new Uint8Array([1, 2, 3]).subarray(1),
    new BigInt64Array([1n, -2n]),
    new ArrayBuffer(8),
  ];
  for (const value of values) assert.deepEqual(roundTrip(value), structuredClone(value));
  assert.ok(Object.is(roundTrip(-0), -0));
});

Deno.test("codec: other cloneable values go through the structured clone", () => {
  const shared = { n: 1 };
  const cyclic: Record<string, unknown> = { name: "loop" };
  cyclic.self = cyclic;
  const values: unknown[] = [
    new Map([[1, "x"]]),
    new Set([1, 2]),
    new Date(0),
    /re/g,
    [shared, shared],
    new (class Point {
      x = 1;
    })(),
    [1, , 3],
    new Error("boom", { cause: { code: 7 } }),
    new TypeError("typed"),
    Object(5),
    Object("text"),
    new Set([new Set([1])]),
    { when: new Date(86_400_000), re: /a+b/i },
  ];
  for (const value of values) {
    assert.deepEqual(roundTrip(value), structuredClone(value));
  }
  const [a, b] = roundTrip([shared, shared]) as object[];
  assert.equal(a, b, "identity within the message is kept");
  const back = roundTrip(cyclic) as Record<string, unknown>;
  assert.equal(back.self, back);
  const error = roundTrip(new RangeError("far", { cause: "why" })) as RangeError;
  assert.ok(error instanceof RangeError);
  assert.equal(error.cause, "why");
  assert.match(error.stack ?? "", /far/);
  class Custom extends Error {
    override name = "Custom";
  }
  assert.equal((roundTrip(new Custom("c")) as Error).name, "Error", "as the structured clone");
  const map = new Map<string, unknown>();
  map.set("me", map);
  const mapBack = roundTrip(map) as Map<string, unknown>;
  assert.equal(mapBack.get("me"), mapBack);
});

Deno.test("codec: what cannot be cloned is a TypeError naming the argument and type", () => {
  assert.throws(() => roundTrip({ f: () => 1 }), {
    name: "TypeError",
    message: /function \(f\) as "value": a function cannot be cloned/,
  });
  assert.throws(() => roundTrip(Symbol("s")), TypeError);
  assert.throws(() => roundTrip(new WeakMap()), { name: "TypeError", message: /WeakMap/ });
  assert.throws(() => roundTrip(new Int32Array(new SharedArrayBuffer(8))), /task argument/);
  assert.throws(() => roundTrip(new SharedArrayBuffer(8)), /SharedArrayBuffer/);
  const shareable = { [Symbol.for("@workers/multiprocessing/toShared")]: () => ({}) };
  assert.throws(() => roundTrip([shareable]), { name: "TypeError", message: /task arguments/ });
});

Deno.test("codec: a large typed array round-trips", () => {
  const big = new Float64Array(1_000_000).map((_, i) => i);
  const back = roundTrip(big) as Float64Array;
  assert.equal(back.length, big.length);
  assert.equal(back[999_999], 999_999);
});

Deno.test("codec: decoded in place from shared memory, nothing decoded shares it", () => {
  const out = new ByteWriter();
  const value = { bytes: new Uint8Array([1, 2, 3]), buffer: new ArrayBuffer(4), text: "héllo ✓" };
  encode(value, out, "value");
  const shared = new Uint8Array(new SharedArrayBuffer(out.length + 8), 8, out.length);
  shared.set(out.bytes.subarray(0, out.length));
  const got = decode(shared) as typeof value;
  assert.deepEqual(got, value);
  assert.ok(!(got.bytes.buffer instanceof SharedArrayBuffer));
  assert.ok(!(got.buffer instanceof SharedArrayBuffer));
  // The shared bytes change afterwards: what was decoded does not.
  shared.fill(0);
  assert.deepEqual([...got.bytes], [1, 2, 3]);
});

Deno.test("codec: keys whose bytes hash alike stay apart (the key cache checks them)", () => {
  // "Aa" and "BB" have the same 31-based hash.
  assert.deepEqual(roundTrip({ Aa: 1 }), { Aa: 1 });
  assert.deepEqual(roundTrip({ BB: 2 }), { BB: 2 });
  assert.deepEqual(roundTrip({ Aa: 3, BB: 4, é: 5 }), { Aa: 3, BB: 4, é: 5 });
  assert.deepEqual(
    Object.keys(roundTrip({ kind: "run", batch: 1, kind2: "x" }) as object),
    ["kind", "batch", "kind2"],
  );
});
