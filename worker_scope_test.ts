import assert from "node:assert/strict";
import { importLibrary, libraryNames, usesLibrary } from "./worker_scope.ts";

Deno.test("libraryNames lists exactly what mod.ts exports", async () => {
  const library = await import("./mod.ts");
  assert.deepEqual([...libraryNames].sort(), Object.keys(library).sort());
});

Deno.test("importLibrary() finds each export in the module the table names", async () => {
  const library = await import("./mod.ts") as Record<string, unknown>;
  const found = await importLibrary([...libraryNames].filter((n) => n !== "Array"));
  for (const [name, value] of Object.entries(found)) assert.equal(value, library[name], name);
  assert.equal(Object.keys(found).length, libraryNames.size - 1);
});

Deno.test("usesLibrary() spots library names in a function's source", () => {
  assert.equal(usesLibrary("() => currentProcess().name"), true);
  assert.equal(usesLibrary("(x) => x ** 10"), false);
  assert.equal(usesLibrary("(pool) => poolSize"), false);
  assert.equal(
    usesLibrary("(v) => { using _ = v.getLock().holdSync(); return new Lock(); }"),
    true,
  );
});

Deno.test("usesLibrary() leaves names of globals (Array, Event) to the globals", () => {
  assert.equal(usesLibrary("(n) => Array.from({ length: n })"), false);
  assert.equal(usesLibrary("() => new Event('x')"), false);
  assert.equal(usesLibrary("(n) => SharedArray('i', n)"), true);
});
