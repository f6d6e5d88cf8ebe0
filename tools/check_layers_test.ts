import assert from "node:assert/strict";
import { checkLayers, circles, type Layers, moduleGraph, readLayers } from "./check_layers.ts";

/** A small tree of modules in a temporary folder, with its floors. */
function tree(files: Record<string, string>, layers: Layers): string {
  const dir = Deno.makeTempDirSync({ prefix: "layers_" });
  for (
    const [path, text] of Object.entries({
      ...files,
      "tools/layers.json": JSON.stringify(layers),
    })
  ) {
    Deno.mkdirSync(`${dir}/${path.split("/").slice(0, -1).join("/")}`, { recursive: true });
    Deno.writeTextFileSync(`${dir}/${path}`, text);
  }
  return dir;
}

const floors = [["errors.ts"], ["_internal"], ["pool"], ["mod.ts"]];

async function faultsOf(files: Record<string, string>): Promise<string[]> {
  const dir = tree(files, { floors, roots: ["mod.ts"] });
  try {
    const layers = readLayers(dir);
    return checkLayers(layers, await moduleGraph(dir, layers.roots));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("check_layers passes a tree that keeps its floors", async () => {
  const faults = await faultsOf({
    "mod.ts": `export * from "./pool/mod.ts"; export * from "./errors.ts";`,
    "errors.ts": `export class E extends Error {}`,
    "pool/mod.ts": `export { P } from "./pool.ts";`,
    "pool/pool.ts": `import { x } from "./_helper.ts"; import { h } from "../_internal/h.ts";
      import { E } from "../errors.ts"; export const P = [x, h, E];`,
    "pool/_helper.ts": `export const x = 1;`,
    "_internal/h.ts": `export const h = 2;`,
  });
  assert.deepEqual(faults, []);
});

Deno.test("check_layers finds an import upward, even a dynamic one, and names both floors", async () => {
  const faults = await faultsOf({
    "mod.ts": `export * from "./pool/mod.ts";`,
    "pool/mod.ts": `import "../_internal/h.ts"; export const p = 1;`,
    "_internal/h.ts": `export const later = () => import("../pool/mod.ts");`,
  });
  assert.ok(
    faults.some((f) =>
      f.startsWith("_internal/h.ts (floor 2) imports (dynamically) pool/mod.ts (floor 3)")
    ),
    faults.join("\n"),
  );
  assert.ok(
    faults.some((f) => f.startsWith("import circle of 2 modules (_internal/h.ts, pool/mod.ts)")),
    faults.join("\n"),
  );
});

Deno.test("check_layers finds a private file used from another folder", async () => {
  const faults = await faultsOf({
    "mod.ts": `export * from "./pool/mod.ts";`,
    "pool/mod.ts": `export { x } from "../_internal/_private.ts";`,
    "_internal/_private.ts": `export const x = 1;`,
  });
  assert.deepEqual(faults, [
    "pool/mod.ts imports _internal/_private.ts, which is private to _internal/: move what is " +
    "shared to _internal/",
  ]);
});

Deno.test("check_layers lets top-level files of one floor import each other, not a higher one", async () => {
  const dir = tree({
    "mod.ts": `export * from "./pool/mod.ts";`,
    "worker.ts": `import { scope } from "./scope.ts"; export const w = scope;`,
    "scope.ts": `export const scope = () => import("./pool/mod.ts");`,
    "errors.ts": `import "./mod.ts"; export class E extends Error {}`,
    "pool/mod.ts": `import "../errors.ts"; export const p = 1;`,
  }, {
    floors: [["errors.ts"], ["pool"], ["mod.ts", "worker.ts", "scope.ts"]],
    roots: ["mod.ts", "worker.ts"],
  });
  try {
    const layers = readLayers(dir);
    const faults = checkLayers(layers, await moduleGraph(dir, layers.roots));
    assert.deepEqual(faults.filter((f) => !f.startsWith("import circle")), [
      "errors.ts (floor 1) imports mod.ts (floor 3): a module imports only its own folder and " +
      "lower floors",
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("check_layers fails on the circle the worker's scope table once made", async () => {
  // The shape of the tree before the worker's entry moved up: a table of every export on the
  // bottom floor, imported by the function resolver that the pool itself imports.
  const faults = await faultsOf({
    "mod.ts": `export * from "./pool/mod.ts";`,
    "pool/mod.ts": `export { Pool } from "./pool.ts";`,
    "pool/pool.ts": `import { resolve } from "../_internal/function_transport.ts";
      export class Pool { r = resolve; }`,
    "_internal/function_transport.ts": `import { load } from "./library_names.ts";
      export const resolve = load;`,
    "_internal/library_names.ts": `export const load = () => import("../pool/pool.ts");`,
  });
  assert.ok(
    faults.includes(
      "_internal/library_names.ts (floor 2) imports (dynamically) pool/pool.ts (floor 3): a " +
        "module imports only its own folder and lower floors",
    ),
    faults.join("\n"),
  );
  assert.ok(
    faults.some((f) =>
      f.startsWith(
        "import circle of 3 modules (_internal/function_transport.ts, " +
          "_internal/library_names.ts, pool/pool.ts)",
      )
    ),
    faults.join("\n"),
  );
});

Deno.test("check_layers finds a module on no floor", async () => {
  const faults = await faultsOf({
    "mod.ts": `export * from "./extra/x.ts";`,
    "extra/x.ts": `export const x = 1;`,
  });
  assert.ok(faults.some((f) => f.includes(`add "extra" to a floor`)), faults.join("\n"));
});

Deno.test("circles() finds every strongly connected set, with a loop through it", () => {
  const edge = (from: string, to: string) => ({ from, to, dynamic: false });
  const found = circles([
    edge("a", "b"),
    edge("b", "c"),
    edge("c", "a"),
    edge("c", "d"),
    edge("d", "d"),
    edge("e", "a"),
  ]);
  assert.deepEqual(found, [
    { members: ["d"], loop: ["d"] },
    { members: ["a", "b", "c"], loop: ["a", "b", "c"] },
  ]);
});
