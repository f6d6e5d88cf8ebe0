import assert from "node:assert/strict";
import { Lock } from "../sync/lock.ts";
import { RLock } from "../sync/rlock.ts";
import type { ElementType, Typecode, TypedArrayConstructor } from "./mod.ts";
import { RawValue, SharedValue, SynchronizedValue, Value } from "./value.ts";

/** Every typecode with its typed array and its range (`NaN` for the floats). */
interface Case {
  code: Typecode;
  ctor: TypedArrayConstructor;
  min: number | bigint;
  max: number | bigint;
}

const integerCases: Case[] = [
  { code: "b", ctor: Int8Array, min: -128, max: 127 },
  { code: "B", ctor: Uint8Array, min: 0, max: 255 },
  { code: "h", ctor: Int16Array, min: -32768, max: 32767 },
  { code: "H", ctor: Uint16Array, min: 0, max: 65535 },
  { code: "i", ctor: Int32Array, min: -(2 ** 31), max: 2 ** 31 - 1 },
  { code: "I", ctor: Uint32Array, min: 0, max: 2 ** 32 - 1 },
  // `l`/`L` are 4 bytes: the library's documented choice (C's `long` at its minimum).
  { code: "l", ctor: Int32Array, min: -(2 ** 31), max: 2 ** 31 - 1 },
  { code: "L", ctor: Uint32Array, min: 0, max: 2 ** 32 - 1 },
  { code: "q", ctor: BigInt64Array, min: -(2n ** 63n), max: 2n ** 63n - 1n },
  { code: "Q", ctor: BigUint64Array, min: 0n, max: 2n ** 64n - 1n },
];
const floatCases: Case[] = [
  { code: "f", ctor: Float32Array, min: NaN, max: NaN },
  { code: "d", ctor: Float64Array, min: NaN, max: NaN },
];
const allCases = [...integerCases, ...floatCases];

// The cases loop over typecodes, so the calls are typed loosely here.
type LooseValue = SharedValue<ElementType> & { value: number | bigint };
const makeValue = Value as unknown as (
  type: unknown,
  initial?: unknown,
  options?: unknown,
) => LooseValue;
const makeRawValue = RawValue as unknown as (type: unknown, initial?: unknown) => LooseValue;

function isBig(c: Case): boolean {
  return typeof c.max === "bigint";
}

function below(c: Case): number | bigint {
  return typeof c.min === "bigint" ? c.min - 1n : c.min - 1;
}

function above(c: Case): number | bigint {
  return typeof c.max === "bigint" ? c.max + 1n : c.max + 1;
}

Deno.test("Value() and RawValue() start at zero for every typecode and constructor", async (t) => {
  for (const c of allCases) {
    await t.step(`"${c.code}" and ${c.ctor.name}`, () => {
      const zero = isBig(c) ? 0n : 0;
      for (const type of [c.code, c.ctor]) {
        assert.equal(makeValue(type).value, zero);
        assert.equal(makeRawValue(type).value, zero);
        assert.equal(makeValue(type, undefined).value, zero);
      }
    });
  }
});

Deno.test("Value() reads back what is written, for every typecode", async (t) => {
  for (const c of allCases) {
    await t.step(`"${c.code}"`, () => {
      const samples: (number | bigint)[] = isBig(c)
        ? [1n, 42n, c.max as bigint, c.min as bigint]
        : typeof c.max === "number" && !Number.isNaN(c.max)
        ? [1, 42, c.max, c.min as number]
        : [1, 42, 0.5, -2.25, 2 ** 100]; // exact in float32 too
      for (const type of [c.code, c.ctor]) {
        const v = makeValue(type, samples[0]);
        assert.equal(v.value, samples[0]);
        for (const x of samples) {
          v.value = x;
          assert.equal(v.value, x);
        }
        const raw = makeRawValue(type);
        raw.value = samples[1]!;
        assert.equal(raw.value, samples[1]);
      }
    });
  }
});

Deno.test("Value() accepts both ends of each integer range and refuses one past", async (t) => {
  for (const c of integerCases) {
    await t.step(`"${c.code}": ${c.min} to ${c.max}`, () => {
      for (const type of [c.code, c.ctor]) {
        for (const make of [makeValue, makeRawValue]) {
          assert.equal(make(type, c.min).value, c.min);
          assert.equal(make(type, c.max).value, c.max);
          assert.throws(() => make(type, below(c)), RangeError);
          assert.throws(() => make(type, above(c)), RangeError);
        }
        const v = makeValue(type, c.max);
        assert.throws(() => (v.value = above(c)), {
          name: "RangeError",
          message: new RegExp(`${String(above(c))} is out of range`),
        });
        assert.equal(v.value, c.max, "a refused write leaves the value alone");
        v.value = c.min;
        assert.throws(() => (v.value = below(c)), RangeError);
        assert.equal(v.value, c.min);
      }
    });
  }
});

Deno.test("Value() refuses a float for an integer typecode", async (t) => {
  for (const c of integerCases.filter((c) => !isBig(c))) {
    await t.step(`"${c.code}"`, () => {
      for (const bad of [1.5, -0.25, NaN, Infinity, -Infinity]) {
        assert.throws(() => makeValue(c.code, bad), TypeError, `${bad}`);
        assert.throws(() => makeRawValue(c.ctor, bad), TypeError, `${bad}`);
        const v = makeValue(c.code, 3);
        assert.throws(() => (v.value = bad), TypeError, `${bad}`);
        assert.equal(v.value, 3);
      }
      // An integral float is an integer.
      assert.equal(makeValue(c.code, 2.0).value, 2);
    });
  }
});

Deno.test("Value() refuses a number for q and Q, and a bigint for the others", async (t) => {
  for (const c of allCases) {
    await t.step(`"${c.code}"`, () => {
      const wrong = isBig(c) ? 1 : 1n;
      const right = isBig(c) ? 1n : 1;
      assert.throws(() => makeValue(c.code, wrong), {
        name: "TypeError",
        message: isBig(c) ? /holds bigints/ : /holds numbers/,
      });
      assert.throws(() => makeRawValue(c.ctor, wrong), TypeError);
      const v = makeValue(c.code, right);
      assert.throws(() => (v.value = wrong), TypeError);
      assert.equal(v.value, right);
    });
  }
});

Deno.test("Value() refuses values that are not numbers at all", () => {
  for (const code of ["i", "d", "q"]) {
    for (const bad of ["1", null, true, {}, [1]]) {
      assert.throws(() => makeValue(code, bad), TypeError, `${code} ${String(bad)}`);
      const v = makeValue(code);
      assert.throws(() => (v.value = bad as number), TypeError);
    }
  }
});

Deno.test('Value("f") rounds to float32, Value("d") keeps float64', () => {
  const f = Value("f", 0.1);
  assert.equal(f.value, Math.fround(0.1));
  assert.notEqual(f.value, 0.1);
  f.value = 3.1415927;
  assert.equal(f.value, Math.fround(3.1415927));
  f.value = 16_777_217; // 2 ** 24 + 1 has no float32
  assert.equal(f.value, 16_777_216);
  assert.equal(RawValue(Float32Array, 0.1).value, Math.fround(0.1));
  const d = Value("d", 0.1);
  assert.equal(d.value, 0.1);
  d.value = 3.1415927;
  assert.equal(d.value, 3.1415927);
  d.value = 16_777_217;
  assert.equal(d.value, 16_777_217);
  // Floats hold the IEEE specials, as Python's c_double does.
  d.value = NaN;
  assert.ok(Number.isNaN(d.value));
  d.value = -Infinity;
  assert.equal(d.value, -Infinity);
  d.value = -0;
  assert.ok(Object.is(d.value, -0));
});

Deno.test('Value("l") and Value("L") are 4 bytes, the documented choice', () => {
  assert.equal(Value("l", 2 ** 31 - 1).value, 2 ** 31 - 1);
  assert.throws(() => Value("l", 2 ** 31), RangeError);
  assert.throws(() => Value("l", -(2 ** 31) - 1), RangeError);
  assert.equal(Value("L", 2 ** 32 - 1).value, 2 ** 32 - 1);
  assert.throws(() => Value("L", 2 ** 32), RangeError);
  assert.throws(() => Value("L", -1), RangeError);
  // Numbers, never bigints (as 8-byte `q`/`Q` are).
  assert.equal(typeof Value("l", 1).value, "number");
  assert.throws(() => Value("l", 1n as unknown as number), TypeError);
});

Deno.test("Value() refuses an unknown typecode, listing the valid ones", () => {
  const bad: unknown[] = [
    "x",
    "c", // ctypes' char: not a number typecode
    "u",
    "D",
    "",
    "int",
    "double",
    "Int32Array",
    "ii",
    5,
    null,
    undefined,
    {},
    globalThis.Array,
    DataView,
    Number,
  ];
  for (const type of bad) {
    for (const make of [makeValue, makeRawValue]) {
      assert.throws(() => make(type, 0), (error: unknown) => {
        assert.ok(error instanceof TypeError, `${String(type)}: got ${error}`);
        assert.match(error.message, /unknown typecode/);
        assert.match(error.message, /b B h H i I l L q Q f d/);
        return true;
      });
    }
  }
});

Deno.test("Value() refuses a constructor's name given as a typecode string", () => {
  // Only Python's typecodes and the constructors themselves are typecodes (api.md); the
  // string "Int32Array" is refused, and so must be "Uint8ClampedArray".
  assert.throws(() => makeValue("Int32Array", 0), TypeError);
  assert.throws(() => makeValue("Uint8ClampedArray", 0), TypeError);
  assert.throws(() => makeRawValue("Uint8ClampedArray", 0), TypeError);
});

Deno.test("Value(Uint8ClampedArray) checks its range instead of clamping", () => {
  const v = Value(Uint8ClampedArray, 255);
  assert.equal(v.value, 255);
  assert.throws(() => (v.value = 256), RangeError);
  assert.throws(() => (v.value = -1), RangeError);
  assert.throws(() => (v.value = 1.5), TypeError);
  assert.equal(v.value, 255);
});

Deno.test("Value().typecode is the typecode it was made with", () => {
  for (const c of allCases) {
    assert.equal(makeValue(c.code).typecode, c.code);
    assert.equal(makeRawValue(c.code).typecode, c.code);
  }
});

Deno.test("Value() guards itself with a new RLock by default", () => {
  const v = Value("i", 1);
  assert.ok(v instanceof SynchronizedValue);
  assert.ok(v instanceof SharedValue);
  assert.ok(v.getLock() instanceof RLock);
  assert.equal(v.getLock(), v.getLock(), "the same lock every time");
  assert.notEqual(Value("i", 1).getLock(), v.getLock(), "each value has its own");
  const explicit = Value("d", 0, { lock: true });
  assert.ok(explicit instanceof SynchronizedValue);
  assert.ok(explicit.getLock() instanceof RLock);
  const undefinedLock = Value("d", 0, {});
  assert.ok(undefinedLock instanceof SynchronizedValue);
  assert.ok(undefinedLock.getLock() instanceof RLock);
});

Deno.test("Value() with { lock: false } gives a SharedValue without getLock", () => {
  const v = Value("i", 5, { lock: false });
  assert.ok(v instanceof SharedValue);
  assert.ok(!(v instanceof SynchronizedValue));
  assert.equal("getLock" in v, false);
  assert.equal(v.value, 5);
  v.value = 6;
  assert.equal(v.value, 6);
});

Deno.test("Value() with { lock } uses that very Lock or RLock", () => {
  const lock = new Lock();
  const v = Value("d", 0, { lock });
  assert.equal(v.getLock(), lock);
  const rlock = new RLock();
  assert.equal(Value("q", 0n, { lock: rlock }).getLock(), rlock);
  // Two values may share one lock.
  const w = Value("i", 0, { lock });
  assert.equal(w.getLock(), v.getLock());
});

Deno.test("Value() refuses a bad lock option with a TypeError naming it", () => {
  for (const lock of [1, 0, "yes", null, {}, { acquire() {} }, new Int32Array(2)]) {
    assert.throws(() => makeValue("i", 0, { lock }), {
      name: "TypeError",
      message: /"lock"/,
    }, String(lock));
  }
});

Deno.test("Value()'s lock guards a read-modify-write in the main program", async () => {
  const v = Value("i", 0);
  for (let i = 0; i < 10; i++) {
    using _held = await v.getLock().hold();
    assert.equal(v.getLock().locked(), true);
    v.value += 1;
  }
  assert.equal(v.getLock().locked(), false);
  assert.equal(v.value, 10);
});

Deno.test("RawValue() gives a SharedValue without a lock", () => {
  const v = RawValue("d", 1.5);
  assert.ok(v instanceof SharedValue);
  assert.ok(!(v instanceof SynchronizedValue));
  assert.equal("getLock" in v, false);
  v.value *= 2;
  assert.equal(v.value, 3);
});

Deno.test('Value() inspects as Value("d", 3.14)', () => {
  assert.equal(Deno.inspect(Value("d", 3.14)), 'Value("d", 3.14)');
  assert.equal(Deno.inspect(Value("i", -7)), 'Value("i", -7)');
  assert.equal(Deno.inspect(Value("q", -5n)), 'Value("q", -5n)');
  assert.equal(Deno.inspect(RawValue("B", 7)), 'RawValue("B", 7)');
  assert.equal(Deno.inspect(Value("d", 1, { lock: false })), 'RawValue("d", 1)');
  // It shows the live value, and inside other values too.
  const v = Value("h", 1);
  v.value = 2;
  assert.equal(Deno.inspect({ v }), '{ v: Value("h", 2) }');
});
