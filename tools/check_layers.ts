/**
 * The layering gate: reads the floors of the house from `tools/layers.json` and checks the
 * library's module graph, as Deno itself resolves it (`deno info --json`, static and dynamic
 * imports alike), for three faults:
 *
 * 1. an import circle (modules that import each other, directly or around a loop);
 * 2. an import from a floor to the same or a higher floor, other than within one folder (the
 *    files at the top of the tree on one floor count as one folder);
 * 3. a private file (its name starts with `_`) imported from outside its own folder.
 *
 * ```sh
 * deno run -A tools/check_layers.ts          # this repository; exit code 1 on any fault
 * deno run -A tools/check_layers.ts DIR      # another tree with its own tools/layers.json
 * ```
 *
 * @module
 */

/** The floors, from the ground up, and the modules the graph is read from. */
export interface Layers {
  /** Each floor: folder names, or file names at the top of the tree. */
  floors: string[][];
  /** Paths of the modules whose graphs make up the library. */
  roots: string[];
}

/** One import between two modules of the tree (paths relative to it). */
export interface Edge {
  from: string;
  to: string;
  dynamic: boolean;
}

/** Reads the floors of the tree at `dir` (its `tools/layers.json`). */
export function readLayers(dir: string): Layers {
  const text = Deno.readTextFileSync(`${dir}/tools/layers.json`);
  const layers = JSON.parse(text) as Partial<Layers>;
  if (!Array.isArray(layers.floors) || !Array.isArray(layers.roots)) {
    throw new TypeError(`${dir}/tools/layers.json needs "floors" and "roots" arrays`);
  }
  return { floors: layers.floors, roots: layers.roots };
}

interface InfoModule {
  specifier: string;
  dependencies?: {
    code?: { specifier?: string };
    type?: { specifier?: string };
    isDynamic?: boolean;
  }[];
}

/** The imports among the tree's own modules, from Deno's module graph of each root. */
export async function moduleGraph(dir: string, roots: readonly string[]): Promise<Edge[]> {
  const base = new URL(`file://${Deno.realPathSync(dir)}/`).href;
  const edges = new Map<string, Edge>();
  for (const root of roots) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", root],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    if (!out.success) {
      throw new Error(
        `deno info --json ${root} failed:\n${new TextDecoder().decode(out.stderr)}`,
      );
    }
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: InfoModule[] };
    for (const module of info.modules) {
      if (!module.specifier.startsWith(base)) continue;
      const from = module.specifier.slice(base.length);
      for (const dependency of module.dependencies ?? []) {
        const target = dependency.code?.specifier ?? dependency.type?.specifier;
        if (target === undefined || !target.startsWith(base)) continue;
        const to = target.slice(base.length);
        if (to.startsWith("node_modules/")) continue;
        const dynamic = dependency.isDynamic === true;
        const key = `${from} ${to}`;
        const seen = edges.get(key);
        // A static import of the same module counts as static.
        if (seen === undefined || (seen.dynamic && !dynamic)) edges.set(key, { from, to, dynamic });
      }
    }
  }
  return [...edges.values()].sort((a, b) =>
    a.from === b.from ? a.to.localeCompare(b.to) : a.from.localeCompare(b.from)
  );
}

/** The folder of a path (`""` at the top of the tree) and its top-level place. */
function place(path: string): { folder: string; top: string; file: string } {
  const parts = path.split("/");
  return {
    folder: parts.slice(0, -1).join("/"),
    top: parts[0]!,
    file: parts.at(-1)!,
  };
}

/** Every fault of the graph against the floors, one sentence each. */
export function checkLayers(layers: Layers, edges: readonly Edge[]): string[] {
  const floorOf = new Map<string, number>();
  layers.floors.forEach((floor, i) => {
    for (const name of floor) floorOf.set(name, i + 1);
  });
  const faults: string[] = [];
  const unplaced = new Set<string>();
  const how = (e: Edge) => e.dynamic ? "imports (dynamically)" : "imports";
  for (const edge of edges) {
    const a = place(edge.from);
    const b = place(edge.to);
    for (const [path, p] of [[edge.from, a], [edge.to, b]] as const) {
      if (!floorOf.has(p.top) && !unplaced.has(p.top)) {
        unplaced.add(p.top);
        faults.push(`${path} is on no floor: add "${p.top}" to a floor in tools/layers.json`);
      }
    }
    const fa = floorOf.get(a.top);
    const fb = floorOf.get(b.top);
    // Files at the top of the tree on one floor are one folder (the worker's entry and mod.ts).
    const oneFolder = a.top === b.top || (a.folder === "" && b.folder === "" && fa === fb);
    if (fa !== undefined && fb !== undefined && !oneFolder && fb >= fa) {
      faults.push(
        `${edge.from} (floor ${fa}) ${how(edge)} ${edge.to} (floor ${fb}): a module imports ` +
          `only its own folder and lower floors`,
      );
    }
    if (b.file.startsWith("_") && a.folder !== b.folder) {
      faults.push(
        `${edge.from} ${how(edge)} ${edge.to}, which is private to ${b.folder || "the top"}/: ` +
          `move what is shared to _internal/`,
      );
    }
  }
  for (const { members, loop } of circles(edges)) {
    faults.push(
      `import circle of ${members.length} modules (${members.join(", ")}), e.g. ` +
        [...loop, loop[0]].join(" → "),
    );
  }
  return faults;
}

/** An import circle: modules that all reach each other, and one loop through some of them. */
export interface Circle {
  /** Every module of the circle, sorted. */
  members: string[];
  /** The shortest loop from the first member back to it. */
  loop: string[];
}

/** The import circles: each strongly connected set of modules. */
export function circles(edges: readonly Edge[]): Circle[] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) {
    if (!next.has(from)) next.set(from, []);
    if (!next.has(to)) next.set(to, []);
    next.get(from)!.push(to);
  }
  // Tarjan's strongly connected components, iteratively (deep graphs must not overflow).
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: Circle[] = [];
  let counter = 0;
  for (const start of next.keys()) {
    if (index.has(start)) continue;
    const work: [string, number][] = [[start, 0]];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const [node, i] = top;
      const targets = next.get(node)!;
      if (i < targets.length) {
        top[1]++;
        const target = targets[i]!;
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push([target, 0]);
        } else if (onStack.has(target)) {
          low.set(node, Math.min(low.get(node)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent[0], Math.min(low.get(parent[0])!, low.get(node)!));
      if (low.get(node) === index.get(node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== node);
        const selfLoop = component.length === 1 && targets.includes(node);
        if (component.length > 1 || selfLoop) {
          found.push({ members: component.sort(), loop: loopThrough(component, next) });
        }
      }
    }
  }
  return found;
}

/** One loop that visits the members of a strongly connected set, from its first in order. */
function loopThrough(component: string[], next: Map<string, string[]>): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0]!;
  // Breadth-first from start back to start, within the set: the shortest loop through it.
  const previous = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!;
    for (const target of next.get(node)!) {
      if (!members.has(target)) continue;
      if (target === start) {
        const loop = [node];
        for (let at = node; at !== start;) {
          at = previous.get(at)!;
          loop.push(at);
        }
        return loop.reverse();
      }
      if (!previous.has(target)) {
        previous.set(target, node);
        queue.push(target);
      }
    }
  }
  return [start];
}

if (import.meta.main) {
  const dir = Deno.args[0] ?? new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const layers = readLayers(dir);
  const roots = layers.roots.filter((root) => {
    try {
      Deno.statSync(`${dir}/${root}`);
      return true;
    } catch {
      console.error(`tools/layers.json names a root that does not exist: ${root}`);
      Deno.exitCode = 1;
      return false;
    }
  });
  const edges = await moduleGraph(dir, roots);
  const faults = checkLayers(layers, edges);
  const files = new Set(edges.flatMap((e) => [e.from, e.to])).size;
  if (faults.length === 0) {
    console.log(`layers: ${files} modules, ${edges.length} imports, no faults`);
  } else {
    for (const fault of faults) console.error(`layers: ${fault}`);
    console.error(`layers: ${faults.length} faults in ${files} modules`);
    Deno.exitCode = 1;
  }
}
