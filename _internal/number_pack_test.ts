import assert from "node:assert/strict";
import { packNumbers } from "./number_pack.ts";

Deno.test("packNumbers() packs plain-number arrays exactly and transfers them", () => {
  const values = Array.from({ length: 100 }, (_, i) => i === 0 ? -0 : i === 1 ? NaN : i / 3);
  const transfer: Transferable[] = [];
  const packed = packNumbers(values, transfer);
  assert.ok(packed instanceof Float64Array);
  assert.equal(transfer.length, 1);
  assert.ok(Array.from(packed).every((x, i) => Object.is(x, values[i])));
});

Deno.test("packNumbers() leaves short or mixed arrays alone", () => {
  const transfer: Transferable[] = [];
  const short = [1, 2, 3];
  assert.equal(packNumbers(short, transfer), short);
  const mixed = Array.from({ length: 100 }, (_, i) => i === 50 ? "x" : i);
  assert.equal(packNumbers(mixed, transfer), mixed);
  assert.equal(transfer.length, 0);
});
