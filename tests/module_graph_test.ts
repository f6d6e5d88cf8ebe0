/**
 * What Deno loads, read from `deno info --json`: every module a worker or a program loads
 * costs start-up time (Deno loads the targets of literal `import("…")`s with the module that
 * has them, and evaluates a static import's whole graph), so the graphs are kept small.
 */

import assert from "node:assert/strict";

interface Dependency {
  specifier: string;
  isDynamic?: boolean;
  code?: { specifier: string };
}
interface ModuleInfo {
  specifier: string;
  dependencies?: Dependency[];
}

async function graph(entry: string): Promise<Map<string, ModuleInfo>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL(entry, import.meta.url).href],
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const { modules } = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: ModuleInfo[];
  };
  return new Map(modules.map((m) => [m.specifier, m]));
}

/** The modules reached from `entry`, following static imports only (or dynamic ones too). */
function reach(
  modules: Map<string, ModuleInfo>,
  entry: string,
  dynamic: boolean,
): Set<string> {
  const seen = new Set<string>();
  const stack = [new URL(entry, import.meta.url).href];
  while (stack.length > 0) {
    const specifier = stack.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dep of modules.get(specifier)?.dependencies ?? []) {
      // Type-only imports have no code: nothing of them loads.
      if ((dep.isDynamic && !dynamic) || dep.code === undefined) continue;
      stack.push(dep.code.specifier);
    }
  }
  return seen;
}

const library = new URL("../", import.meta.url).href;
const relative = (specifiers: Iterable<string>) =>
  [...specifiers].map((s) => s.startsWith(library) ? s.slice(library.length) : s).sort();

Deno.test("a worker loads its host alone: no module of the library's API, no node:v8", async () => {
  const modules = await graph("../worker.ts");
  // Every module Deno loads for it, the targets of literal dynamic imports included.
  const loaded = relative(reach(modules, "../worker.ts", true));
  const api = loaded.filter((s) =>
    /^(pool|process|sync|shared|ipc|manager|parallel|mpi)\//.test(s)
  );
  assert.deepEqual(api, [], `a worker's host loads ${api.join(", ")}`);
  assert.ok(!loaded.includes("node:v8"), "a worker's host loads node:v8");
  assert.ok(loaded.length <= 18, `a worker's host loads ${loaded.length} modules: ${loaded}`);
});

Deno.test("importing the library evaluates no node:v8 (milliseconds at every start)", async () => {
  const modules = await graph("../mod.ts");
  const evaluated = relative(reach(modules, "../mod.ts", false));
  assert.ok(!evaluated.includes("node:v8"), "mod.ts imports node:v8 statically");
});
