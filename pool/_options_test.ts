import assert from "node:assert/strict";
import { checkMemorySize } from "./_options.ts";

Deno.test("checkMemorySize() reads bytes and sizes with SI and IEC units", () => {
  const cases: [unknown, number][] = [
    [1, 1],
    [Infinity, Infinity],
    [512 * 2 ** 20, 512 * 2 ** 20],
    ["512MB", 512e6],
    ["512 mb", 512e6],
    ["1.5GiB", 1.5 * 2 ** 30],
    ["64 KiB", 65_536],
    [" 2kB ", 2_000],
    ["100B", 100],
    [".5kB", 500],
    ["1TB", 1e12],
  ];
  for (const [value, bytes] of cases) assert.equal(checkMemorySize(value, "m"), bytes, `${value}`);
});
