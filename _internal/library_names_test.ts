import assert from "node:assert/strict";
import { libraryNames, usesLibrary } from "./library_names.ts";

Deno.test("libraryNames lists exactly what mod.ts exports", async () => {
  const library = await import("../mod.ts");
  assert.deepEqual([...libraryNames].sort(), Object.keys(library).sort());
});

Deno.test("usesLibrary() spots library names in a function's source", () => {
  assert.equal(usesLibrary("() => currentProcess().name"), true);
  assert.equal(usesLibrary("(x) => x ** 10"), false);
  assert.equal(usesLibrary("(pool) => poolSize"), false);
});
