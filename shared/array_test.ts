import assert from "node:assert/strict";
import { Lock } from "../sync/lock.ts";
import { RLock } from "../sync/rlock.ts";
import {
  Array as MpArray,
  type ElementType,
  RawArray,
  SharedArray,
  SharedTypedArray,
  SynchronizedArray,
  type Typecode,
  type TypedArrayConstructor,
} from "./mod.ts";

/** Every typecode with its typed array, its size and its range (`NaN` for the floats). */
interface Case {
  code: Typecode;
  ctor: TypedArrayConstructor;
  bytes: number;
  min: number | bigint;
  max: number | bigint;
}

const integerCases: Case[] = [
  { code: "b", ctor: Int8Array, bytes: 1, min: -128, max: 127 },
  { code: "B", ctor: Uint8Array, bytes: 1, min: 0, max: 255 },
  { code: "h", ctor: Int16Array, bytes: 2, min: -32768, max: 32767 },
  { code: "H", ctor: Uint16Array, bytes: 2, min: 0, max: 65535 },
  { code: "i", ctor: Int32Array, bytes: 4, min: -(2 ** 31), max: 2 ** 31 - 1 },
  { code: "I", ctor: Uint32Array, bytes: 4, min: 0, max: 2 ** 32 - 1 },
  // `l`/`L` are 4 bytes: the library's documented choice (C's `long` at its minimum).
  { code: "l", ctor: Int32Array, bytes: 4, min: -(2 ** 31), max: 2 ** 31 - 1 },
  { code: "L", ctor: Uint32Array, bytes: 4, min: 0, max: 2 ** 32 - 1 },
  { code: "q", ctor: BigInt64Array, bytes: 8, min: -(2n ** 63n), max: 2n ** 63n - 1n },
  { code: "Q", ctor: BigUint64Array, bytes: 8, min: 0n, max: 2n ** 64n - 1n },
];
const floatCases: Case[] = [
  { code: "f", ctor: Float32Array, bytes: 4, min: NaN, max: NaN },
  { code: "d", ctor: Float64Array, bytes: 8, min: NaN, max: NaN },
];
const allCases = [...integerCases, ...floatCases];

// The cases loop over typecodes, so the calls are typed loosely here.
type Loose = SharedTypedArray<ElementType> & {
  [index: number]: number | bigint;
  slice(start?: number, end?: number): ArrayLike<number | bigint>;
};
const makeArray = SharedArray as unknown as (
  type: unknown,
  sizeOrValues: unknown,
  options?: unknown,
) => Loose;
const makeRawArray = RawArray as unknown as (type: unknown, sizeOrValues: unknown) => Loose;

function isBig(c: Case): boolean {
  return typeof c.max === "bigint";
}

function below(c: Case): number | bigint {
  return typeof c.min === "bigint" ? c.min - 1n : c.min - 1;
}

function above(c: Case): number | bigint {
  return typeof c.max === "bigint" ? c.max + 1n : c.max + 1;
}

/** The elements of `c`'s type for `xs`. */
function of(c: Case, xs: number[]): (number | bigint)[] {
  return isBig(c) ? xs.map(BigInt) : xs;
}

Deno.test("Array is SharedArray, exported under both names", () => {
  assert.equal(MpArray, SharedArray);
  assert.deepEqual([...MpArray("i", [1, 2])], [1, 2]);
});

Deno.test("Array() from a size is zero-filled, for every typecode and constructor", async (t) => {
  for (const c of allCases) {
    await t.step(`"${c.code}" and ${c.ctor.name}`, () => {
      for (const type of [c.code, c.ctor]) {
        for (const a of [makeArray(type, 5), makeRawArray(type, 5)]) {
          assert.equal(a.length, 5);
          assert.deepEqual([...a], of(c, [0, 0, 0, 0, 0]));
          assert.ok(a.typedArray instanceof c.ctor, `${a.typedArray.constructor.name}`);
          assert.equal(a.typedArray.BYTES_PER_ELEMENT, c.bytes);
          assert.ok(a.typedArray.buffer instanceof SharedArrayBuffer);
          assert.equal(a.typedArray.buffer.byteLength, 5 * c.bytes);
        }
      }
    });
  }
});

Deno.test("Array() from values holds them, and reads back what is written", async (t) => {
  for (const c of allCases) {
    await t.step(`"${c.code}"`, () => {
      const values = of(c, [3, 1, 4, 1, 5]);
      for (const type of [c.code, c.ctor]) {
        for (const a of [makeArray(type, values), makeRawArray(type, values)]) {
          assert.equal(a.length, 5);
          assert.deepEqual([...a], values);
          a[2] = of(c, [9])[0]!;
          assert.equal(a[2], of(c, [9])[0]);
          assert.deepEqual([...a], of(c, [3, 1, 9, 1, 5]));
        }
      }
    });
  }
});

Deno.test('Array("l") and Array("L") are 4 bytes, the documented choice', () => {
  const l = SharedArray("l", 2);
  assert.ok(l.typedArray instanceof Int32Array);
  assert.equal(l.typedArray.buffer.byteLength, 8);
  const u = RawArray("L", [2 ** 32 - 1]);
  assert.ok(u.typedArray instanceof Uint32Array);
  assert.equal(u[0], 2 ** 32 - 1);
  assert.throws(() => SharedArray("L", [2 ** 32]), RangeError);
  assert.throws(() => (l[0] = 2 ** 31), RangeError);
});

Deno.test("Array() accepts both ends of each integer range and refuses one past", async (t) => {
  for (const c of integerCases) {
    await t.step(`"${c.code}": ${c.min} to ${c.max}`, () => {
      for (const type of [c.code, c.ctor]) {
        for (const make of [makeArray, makeRawArray]) {
          assert.deepEqual([...make(type, [c.min, c.max])], [c.min, c.max]);
          assert.throws(() => make(type, [c.min, below(c)]), {
            name: "RangeError",
            message: /\[1\]/, // names the offending index
          });
          assert.throws(() => make(type, [above(c)]), RangeError);
        }
        const a = makeArray(type, [c.min, c.max]);
        assert.throws(() => (a[0] = below(c)), RangeError);
        assert.throws(() => (a[1] = above(c)), RangeError);
        assert.throws(() => (a[-1] = above(c)), RangeError);
        assert.deepEqual([...a], [c.min, c.max], "refused writes leave the memory alone");
      }
    });
  }
});

Deno.test("Array() refuses a float for an integer typecode", async (t) => {
  for (const c of integerCases.filter((c) => !isBig(c))) {
    await t.step(`"${c.code}"`, () => {
      for (const bad of [1.5, -0.25, NaN, Infinity]) {
        assert.throws(() => makeArray(c.code, [1, bad]), TypeError, `${bad}`);
        assert.throws(() => makeRawArray(c.ctor, [bad]), TypeError, `${bad}`);
        const a = makeArray(c.code, [7, 8]);
        assert.throws(() => (a[0] = bad), TypeError, `${bad}`);
        assert.deepEqual([...a], [7, 8]);
      }
    });
  }
});

Deno.test("Array() refuses a number for q and Q, and a bigint for the others", async (t) => {
  for (const c of allCases) {
    await t.step(`"${c.code}"`, () => {
      const wrong = isBig(c) ? 1 : 1n;
      const right = isBig(c) ? 1n : 1;
      assert.throws(() => makeArray(c.code, [right, wrong]), TypeError);
      assert.throws(() => makeRawArray(c.ctor, [wrong]), TypeError);
      const a = makeArray(c.code, [right]);
      assert.throws(() => (a[0] = wrong), TypeError);
      assert.throws(() => (a[0] = "1" as never), TypeError);
      assert.equal(a[0], right);
    });
  }
});

Deno.test('Array("f") rounds to float32, Array("d") keeps float64', () => {
  const f = SharedArray("f", [0.1, 3.1415927]);
  assert.deepEqual([...f], [Math.fround(0.1), Math.fround(3.1415927)]);
  f[0] = 16_777_217;
  assert.equal(f[0], 16_777_216);
  const d = SharedArray("d", [0.1, 3.1415927]);
  assert.deepEqual([...d], [0.1, 3.1415927]);
});

Deno.test("Array() refuses an unknown typecode, listing the valid ones", () => {
  for (const type of ["x", "c", "u", "", "int", "Float64Array", 4, null, undefined, DataView]) {
    for (const make of [makeArray, makeRawArray]) {
      assert.throws(() => make(type, 1), (error: unknown) => {
        assert.ok(error instanceof TypeError, `${String(type)}: got ${error}`);
        assert.match(error.message, /unknown typecode/);
        assert.match(error.message, /b B h H i I l L q Q f d/);
        return true;
      });
    }
  }
});

Deno.test("Array() refuses a bad size or a non-iterable", () => {
  for (const size of [-1, 1.5, NaN, Infinity]) {
    assert.throws(() => makeArray("i", size), RangeError, String(size));
    assert.throws(() => makeRawArray("i", size), RangeError, String(size));
  }
  for (const bad of [undefined, null, "123", { length: 3 }, 3n, true]) {
    assert.throws(() => makeArray("i", bad), {
      name: "TypeError",
      message: /"sizeOrValues"/,
    }, String(bad));
  }
});

Deno.test("Array() takes any iterable of values, a generator too", () => {
  function* squares(n: number) {
    for (let i = 0; i < n; i++) yield i * i;
  }
  assert.deepEqual([...SharedArray("i", squares(4))], [0, 1, 4, 9]);
  assert.deepEqual([...RawArray("h", squares(3))], [0, 1, 4]);
  assert.deepEqual([...SharedArray("d", new Set([0.5, 1.5]))], [0.5, 1.5]);
  assert.deepEqual([...SharedArray("i", new Map([[1, 2], [3, 4]]).keys())], [1, 3]);
  assert.deepEqual([...SharedArray("B", Uint8Array.of(1, 2))], [1, 2]);
  assert.deepEqual([...SharedArray("q", [1n, -2n])], [1n, -2n]);
  // A shared array is itself iterable.
  const a = SharedArray("i", [5, 6]);
  assert.deepEqual([...SharedArray("i", a)], [5, 6]);
  const empty = SharedArray("i", []);
  assert.equal(empty.length, 0);
  assert.deepEqual([...empty], []);
  assert.equal(SharedArray("d", 0).length, 0);
});

Deno.test("Array() indexes from the end with negative indices, as Python", () => {
  const a = SharedArray("i", [10, 20, 30]);
  assert.equal(a[-1], 30);
  assert.equal(a[-3], 10);
  a[-1] = 33;
  a[-3] = 11;
  assert.deepEqual([...a], [11, 20, 33]);
  assert.deepEqual([...a.typedArray], [11, 20, 33]);
});

Deno.test("Array() out of bounds reads and writes throw a RangeError and change nothing", () => {
  for (const make of [makeArray, makeRawArray]) {
    const a = make("i", [1, 2, 3]);
    const n = a.length;
    for (const index of [n, n + 1, -n - 1, -n - 10, 1_000_000]) {
      assert.throws(() => a[index], {
        name: "RangeError",
        message: new RegExp(`Index ${index} is out of bounds`),
      });
      assert.throws(() => (a[index] = 9), RangeError, String(index));
    }
    assert.deepEqual([...a.typedArray], [1, 2, 3]);
    assert.throws(() => make("d", 0)[0], RangeError);
    assert.throws(() => (make("d", 0)[-1] = 1), RangeError);
  }
});

Deno.test("Array() supports the in operator for its indices", () => {
  const a = SharedArray("i", [1, 2, 3]);
  for (const index of [0, 1, 2, -1, -2, -3]) assert.ok(index in a, `${index}`);
  for (const index of [3, 4, -4, 100]) assert.ok(!(index in a), `${index}`);
  assert.ok("length" in a);
  assert.ok("typedArray" in a);
  assert.ok("getLock" in a);
  assert.ok(!("foo" in a));
  assert.ok(!(0 in SharedArray("i", 0)));
});

Deno.test("Array() iterates in order: for-of, spread, Array.from", () => {
  const a = SharedArray("d", [0.5, 1.5, 2.5]);
  const seen: number[] = [];
  for (const x of a) seen.push(x);
  assert.deepEqual(seen, [0.5, 1.5, 2.5]);
  assert.deepEqual([...a], [0.5, 1.5, 2.5]);
  assert.deepEqual(globalThis.Array.from(a), [0.5, 1.5, 2.5]);
  const [first, ...rest] = a;
  assert.equal(first, 0.5);
  assert.deepEqual(rest, [1.5, 2.5]);
});

Deno.test("Array().slice() returns a typed-array copy that is not shared", () => {
  const a = SharedArray("i", [1, 2, 3, 4]);
  const all = a.slice();
  assert.ok(all instanceof Int32Array);
  assert.ok(all.buffer instanceof ArrayBuffer);
  assert.ok(!(all.buffer instanceof SharedArrayBuffer));
  assert.deepEqual(all, Int32Array.of(1, 2, 3, 4));
  assert.deepEqual(a.slice(1, -1), Int32Array.of(2, 3));
  assert.deepEqual(a.slice(-2), Int32Array.of(3, 4));
  assert.deepEqual(a.slice(3, 1), new Int32Array(0));
  all[0] = 100;
  assert.equal(a[0], 1, "writing the copy leaves the shared array alone");
  a[1] = 200;
  assert.equal(all[1], 2, "writing the shared array leaves the copy alone");
  assert.ok(SharedArray("q", [1n]).slice() instanceof BigInt64Array);
  assert.ok(RawArray(Float32Array, [1]).slice() instanceof Float32Array);
});

Deno.test("Array().typedArray is the live view of the shared memory", () => {
  const a = SharedArray("h", [1, 2, 3]);
  const view = a.typedArray;
  assert.ok(view instanceof Int16Array);
  assert.ok(view.buffer instanceof SharedArrayBuffer);
  assert.equal(a.typedArray, view, "the same view every time");
  view[0] = 40;
  assert.equal(a[0], 40);
  a[2] = -5;
  assert.equal(view[2], -5);
  view.fill(7);
  assert.deepEqual([...a], [7, 7, 7]);
});

Deno.test("Array() leaves non-index properties to the object", () => {
  const a = SharedArray("i", [1, 2]);
  const props = a as unknown as Record<string, unknown>;
  props.label = "mine";
  assert.equal(props.label, "mine");
  props["1.5"] = "half";
  assert.equal(props["1.5"], "half");
  props["-x"] = 3;
  assert.equal(props["-x"], 3);
  assert.equal(a.length, 2);
  assert.equal(a.typecode, "i");
  assert.deepEqual([...a.typedArray], [1, 2], "the shared memory is untouched");
  // Methods keep working when taken off the object.
  const { slice } = a;
  assert.deepEqual(slice(), Int32Array.of(1, 2));
});

Deno.test("Array(): the in operator agrees with property access for index-like keys", () => {
  // "05" is not a canonical index: like a typed array, the array treats it as a plain
  // property key for get and set, so `in` must say so too.
  const a = SharedArray("i", [1, 2, 3]) as unknown as Record<string, unknown>;
  assert.equal(a["05"], undefined);
  a["05"] = "five";
  assert.equal(a["05"], "five");
  assert.equal("05" in a, true);
  assert.equal("01" in a, false, '"01" names no index nor property');
  assert.equal("-0" in a, false, '"-0" names no index nor property');
});

Deno.test("Array().typecode is the typecode it was made with", () => {
  for (const c of allCases) {
    assert.equal(makeArray(c.code, 1).typecode, c.code);
    assert.equal(makeRawArray(c.code, 1).typecode, c.code);
  }
});

Deno.test("Array() guards itself with a new RLock by default", () => {
  const a = SharedArray("i", 2);
  assert.ok(a instanceof SynchronizedArray);
  assert.ok(a instanceof SharedTypedArray);
  assert.ok(a.getLock() instanceof RLock);
  assert.equal(a.getLock(), a.getLock(), "the same lock every time");
  assert.notEqual(SharedArray("i", 2).getLock(), a.getLock(), "each array has its own");
  const explicit = SharedArray("d", 1, { lock: true });
  assert.ok(explicit instanceof SynchronizedArray);
  assert.ok(explicit.getLock() instanceof RLock);
});

Deno.test("Array() with { lock: false } gives a SharedTypedArray without getLock", () => {
  const a = SharedArray("i", [5], { lock: false });
  assert.ok(a instanceof SharedTypedArray);
  assert.ok(!(a instanceof SynchronizedArray));
  assert.equal("getLock" in a, false);
  a[0] = 6;
  assert.equal(a[0], 6);
});

Deno.test("Array() with { lock } uses that very Lock or RLock", () => {
  const lock = new Lock();
  const a = SharedArray("d", 2, { lock });
  assert.equal(a.getLock(), lock);
  const rlock = new RLock();
  assert.equal(SharedArray("q", [0n], { lock: rlock }).getLock(), rlock);
  assert.equal(SharedArray("i", 1, { lock }).getLock(), a.getLock());
});

Deno.test("Array() refuses a bad lock option with a TypeError naming it", () => {
  for (const lock of [1, "yes", null, {}, new Int32Array(2)]) {
    assert.throws(() => makeArray("i", 1, { lock }), {
      name: "TypeError",
      message: /"lock"/,
    }, String(lock));
  }
});

Deno.test("Array()'s lock guards a read-modify-write in the main program", async () => {
  const a = SharedArray("i", 2);
  for (let i = 0; i < 5; i++) {
    using _held = await a.getLock().hold();
    assert.equal(a.getLock().locked(), true);
    a[0] = a[0]! + 1;
    a[-1] = a[-1]! + 2;
  }
  assert.equal(a.getLock().locked(), false);
  assert.deepEqual([...a], [5, 10]);
});

Deno.test("RawArray() gives a SharedTypedArray without a lock", () => {
  const a = RawArray("d", [1.5]);
  assert.ok(a instanceof SharedTypedArray);
  assert.ok(!(a instanceof SynchronizedArray));
  assert.equal("getLock" in a, false);
});

Deno.test('Array() inspects as Array("i", [...]) and RawArray(...)', () => {
  const a = SharedArray("i", [0, -1, -2]);
  assert.equal(Deno.inspect(a), 'Array("i", [0, -1, -2])');
  a[0] = 5;
  assert.equal(Deno.inspect(a), 'Array("i", [5, -1, -2])', "the live contents");
  assert.equal(Deno.inspect(RawArray("d", [1.5, 2])), 'RawArray("d", [1.5, 2])');
  assert.equal(Deno.inspect(SharedArray("q", [1n, -2n])), 'Array("q", [1n, -2n])');
  assert.equal(Deno.inspect(SharedArray("i", [1], { lock: false })), 'RawArray("i", [1])');
  assert.equal(Deno.inspect(SharedArray("B", 0)), 'Array("B", [])');
  assert.equal(Deno.inspect({ a: RawArray("h", [1]) }), '{ a: RawArray("h", [1]) }');
});
