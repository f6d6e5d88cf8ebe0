/**
 * Worker side of how a function reaches a worker: {@linkcode FunctionResolver} finds a named
 * function by reference first — an export of the same name (or any export) whose source is
 * the very same text, in the module one of the pool's modules imports the function's name
 * from (that module alone is imported then), else in the pool's modules themselves — as
 * Python unpickles a top-level function by importing its module. Failing that, or for a function without a name (which no module exports by name, so
 * nothing is imported for it), it compiles the source by value, as cloudpickle does, with the
 * pool's `context` as its free variables. Each function is resolved once per worker and
 * cached. The main side is `describe_function.ts` ({@linkcode describeFunction}) and
 * `encode_context.ts`.
 *
 * @module
 */

import { FunctionTransportError } from "../errors.ts";
import type { EncodedContext, FunctionDescriptor } from "./protocol.ts";
import { reviveValue } from "./shareable.ts";
import { isUnguardedStart, whileBootstrapping } from "./identity.ts";
import type { AnyFunction } from "./describe_function.ts";

// The main side, re-exported for the modules that still import it from here (pool/pool.ts).
export { type AnyFunction, describeFunction } from "./describe_function.ts";

/**
 * Turns a function's source into an expression. Arrows, function and class expressions are
 * already expressions; method shorthand (`foo(x) {…}`, `async foo() {…}`, `*gen() {…}`) is
 * rewritten as a function expression.
 */
function toExpression(source: string): string {
  try {
    new Function(`return (${source});`);
    return source;
  } catch {
    const method = /^(async\s+)?(\*\s*)?(?:[\w$]+|\[[^\]]*\])\s*\(/.exec(source);
    if (method === null) return source;
    return `${method[1] ?? ""}function${method[2] === undefined ? "" : "*"} (` +
      source.slice(method[0].length);
  }
}

interface ModuleEntry {
  url: string;
  namespace: Record<string, unknown> | null;
  error: unknown;
}

/**
 * The names by-value functions find in scope besides their context: the library's exports, as
 * in a Python worker that imported `multiprocessing`. The worker's entry supplies it (the
 * table of exports lives beside `mod.ts`, above every module it names).
 */
export interface FunctionScope {
  /** The names of the scope that `source` mentions. */
  namesIn(source: string): Set<string>;
  /** The values of `names`, imported on demand. */
  load(names: Iterable<string>): Promise<Record<string, unknown>>;
}

/** A scope with no names: by-value functions see their context only. */
export const emptyScope: FunctionScope = {
  namesIn: () => new Set(),
  load: () => Promise.resolve({}),
};

/** A resolved function, and whether it was compiled from source (by value). */
export interface ResolvedFunction {
  fn: AnyFunction;
  byValue: boolean;
  descriptor: FunctionDescriptor;
}

/** Worker side: finds or compiles functions, once each. */
export class FunctionResolver {
  readonly #imports: string[];
  readonly #context: EncodedContext;
  /** The library names the context's functions use (every scope includes them). */
  readonly #contextNames: Set<string>;
  #modules: Promise<ModuleEntry[]> | undefined;
  readonly #scopes = new Map<string, Promise<{ keys: string[]; values: unknown[] }>>();
  readonly #cache = new Map<number, ResolvedFunction>();
  readonly #pending = new Map<number, FunctionDescriptor>();
  /** Functions found, by name and source (see `resolve`). */
  readonly #bySource = new Map<string, Promise<ResolvedFunction>>();

  readonly #scope: FunctionScope;

  constructor(imports: string[], context: EncodedContext, scope: FunctionScope = emptyScope) {
    this.#imports = imports;
    this.#context = context;
    this.#scope = scope;
    this.#contextNames = scope.namesIn(Object.values(context.functions).join("\n"));
  }

  /** Registers a descriptor sent with a function's first use. */
  define(descriptor: FunctionDescriptor): void {
    if (!this.#cache.has(descriptor.id)) this.#pending.set(descriptor.id, descriptor);
  }

  /** The cached function, if it was resolved before (the fast path). */
  cached(id: number): ResolvedFunction | undefined {
    return this.#cache.get(id);
  }

  /** Resolves a function by id: by reference first, by value second. */
  async resolve(id: number): Promise<ResolvedFunction> {
    const hit = this.#cache.get(id);
    if (hit !== undefined) return hit;
    const descriptor = this.#pending.get(id);
    if (descriptor === undefined) {
      throw new Error(`Internal error: function #${id} was used before it was defined`);
    }
    // The same source under the same name resolves to the same function (an arrow written in
    // a loop is a new function object, with a new id, at each turn): found once.
    const key = `${descriptor.name}\u0000${descriptor.source}`;
    let resolving = this.#bySource.get(key);
    if (resolving === undefined) {
      resolving = this.#resolveNew(descriptor);
      this.#bySource.set(key, resolving);
      resolving.catch(() => this.#bySource.delete(key)); // its error is each caller's
    }
    const found = await resolving;
    const resolved: ResolvedFunction = { ...found, descriptor };
    this.#pending.delete(id);
    this.#cache.set(id, resolved);
    return resolved;
  }

  async #resolveNew(descriptor: FunctionDescriptor): Promise<ResolvedFunction> {
    // A function without a name (an arrow or a function expression written in the call) is
    // exported by no module under a name: it goes by value at once, and the worker does not
    // import the pool's modules for it (they may be the whole program: milliseconds at start).
    const fn = descriptor.name === "" ? undefined : await this.#byReference(descriptor);
    return fn === undefined
      ? { fn: await this.#byValue(descriptor), byValue: true, descriptor }
      : { fn, byValue: false, descriptor };
  }

  #loadModules(): Promise<ModuleEntry[]> {
    this.#modules ??= whileBootstrapping(() =>
      Promise.all(this.#imports.map(async (url) => {
        try {
          const namespace = await import(url) as Record<string, unknown>;
          return { url, namespace, error: undefined };
        } catch (error) {
          return { url, namespace: null, error };
        }
      }))
    );
    return this.#modules;
  }

  async #byReference(descriptor: FunctionDescriptor): Promise<AnyFunction | undefined> {
    if (this.#imports.length === 0) return undefined;
    const matches = (value: unknown): value is AnyFunction =>
      typeof value === "function" && Function.prototype.toString.call(value) === descriptor.source;
    const find = (namespace: Record<string, unknown>) => {
      const named = descriptor.name === "" ? undefined : namespace[descriptor.name];
      if (matches(named)) return named;
      for (const value of Object.values(namespace)) if (matches(value)) return value;
      return undefined;
    };
    // Python pickles a function by the name of the module that defines it, so a task the main
    // module imports from another one (`from tasks import f`) is found there: follow the
    // import first, and the worker imports that module alone. The pool's own modules may be
    // the whole program with the whole library (~100 modules, ~15 ms in each new worker).
    const defining = await this.#followImport(descriptor);
    const followed = defining === undefined ? undefined : find(defining);
    if (followed !== undefined) return followed;
    const modules = await this.#loadModules();
    const unguarded = modules.find((m) => isUnguardedStart(m.error));
    if (unguarded !== undefined) throw unguardedError(unguarded.url, descriptor, unguarded.error);
    for (const { namespace } of modules) {
      const found = namespace === null ? undefined : find(namespace);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /**
   * The namespace of the module that one of the imported modules imports the function's name
   * from (`import { f } from "./tasks.ts"`), imported in this worker; `undefined` when none
   * imports it, or that module cannot be imported here.
   */
  async #followImport(
    descriptor: FunctionDescriptor,
  ): Promise<Record<string, unknown> | undefined> {
    if (descriptor.name === "") return undefined;
    const importer = await importerOf(this.#imports, descriptor.name);
    if (importer === undefined) return undefined;
    // Relative and absolute paths are relative to the importing module; URLs and bare
    // specifiers (resolved by the program's import map) are taken as they are.
    const specifier = /^\.{0,2}\//.test(importer.from)
      ? new URL(importer.from, importer.url).href
      : importer.from;
    try {
      return await whileBootstrapping(() => import(specifier)) as Record<string, unknown>;
    } catch (error) {
      if (isUnguardedStart(error)) throw unguardedError(specifier, descriptor, error);
      return undefined; // then by value, whose errors explain what is missing
    }
  }

  /** The scope of by-value functions: context, and the library's exports `source` uses. */
  #loadScope(source: string): Promise<{ keys: string[]; values: unknown[] }> {
    const names = this.#scope.namesIn(source);
    for (const name of this.#contextNames) names.add(name);
    const key = [...names].sort().join(",");
    let scope = this.#scopes.get(key);
    if (scope === undefined) {
      scope = this.#buildScope(names);
      this.#scopes.set(key, scope);
    }
    return scope;
  }

  async #buildScope(names: Set<string>): Promise<{ keys: string[]; values: unknown[] }> {
    const context = this.#context;
    const own = context.shared
      ? await reviveValue(context.values) as Record<string, unknown>
      : context.values;
    // The library's own exports (currentProcess, Lock, Value…) are in scope too, as in a
    // Python worker that imported multiprocessing; context entries take precedence. Only the
    // modules of the names the source uses are imported (the whole library costs milliseconds).
    const library = await this.#scope.load(names);
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(library)) {
      if (!(key in own) && !(key in context.functions)) values[key] = value;
    }
    Object.assign(values, own);
    const valueKeys = Object.keys(values);
    const fnKeys = Object.keys(context.functions);
    const keys = [...valueKeys, ...fnKeys];
    const scopeValues: unknown[] = valueKeys.map((k) => values[k]);
    if (fnKeys.length > 0) {
      // One scope for all context functions, so they may call each other.
      const body = fnKeys.map((k) => `const ${k} = (${toExpression(context.functions[k]!)});`)
        .join("\n");
      let compiled: unknown[];
      try {
        compiled = new Function(...valueKeys, `"use strict";\n${body}\nreturn [${fnKeys}];`)(
          ...scopeValues,
        ) as unknown[];
      } catch (error) {
        throw new FunctionTransportError(
          `The functions in "context" (${fnKeys.join(", ")}) could not be compiled in the ` +
            `worker: ${String(error)}`,
          { cause: error },
        );
      }
      scopeValues.push(...compiled);
    }
    return { keys, values: scopeValues };
  }

  async #byValue(descriptor: FunctionDescriptor): Promise<AnyFunction> {
    const label = descriptor.name || "(anonymous)";
    if (/\bimport\.meta\b/.test(descriptor.source)) {
      throw new FunctionTransportError(
        `Function "${label}" cannot be sent by value: it uses import.meta, which only exists ` +
          `in its module. ${await this.#referenceHint(descriptor)}`,
      );
    }
    const scope = await this.#loadScope(descriptor.source);
    try {
      const fn = new Function(
        ...scope.keys,
        `"use strict";\nreturn (${toExpression(descriptor.source)});`,
      )(...scope.values);
      if (typeof fn !== "function") throw new TypeError("the source is not a function");
      return fn as AnyFunction;
    } catch (error) {
      throw new FunctionTransportError(
        `Function "${label}" cannot be compiled from its source in the worker ` +
          `(${String(error)}). ${await this.#referenceHint(descriptor)}`,
        { cause: error },
      );
    }
  }

  async #referenceHint(descriptor: FunctionDescriptor): Promise<string> {
    const name = descriptor.name || "it";
    if (this.#imports.length === 0) {
      return `Export ${name} from a module and name that module in the pool's "imports" ` +
        `option, so the worker imports it by reference.`;
    }
    const failures = (await this.#loadModules())
      .filter((m) => m.namespace === null)
      .map((m) => `${m.url} failed to import: ${String(m.error)}`);
    return `The worker looked for it among the exports of ${this.#imports.join(", ")} and did ` +
      `not find it: export ${name} from its module (the module that creates the pool is ` +
      `imported by default; name others in the "imports" option).` +
      (failures.length > 0 ? ` Note: ${failures.join("; ")}.` : "");
  }

  /**
   * Explains an error thrown by a by-value function when it is a missing free variable:
   * returns a {@linkcode FunctionTransportError} naming it and the fixes, or `undefined` when
   * the error is the task's own. The variable may be missing from the task function or from a
   * function it was given in `context` (sent by value too); a variable that one of the
   * imported modules imports is advised the by-reference way, since a function sent by value
   * cannot take its module's imports along (and passing an imported function in `context`
   * sends its source without the module around it).
   */
  async explain(resolved: ResolvedFunction, error: unknown): Promise<Error | undefined> {
    if (!resolved.byValue || !(error instanceof ReferenceError)) return undefined;
    const missing = /^(\S+) is not defined$/.exec(error.message)?.[1];
    if (missing === undefined) return undefined;
    const escaped = missing.replace(/[$]/g, "\\$");
    const uses = (source: string) => new RegExp(`(^|[^\\w$.])${escaped}($|[^\\w$])`).test(source);
    const task = resolved.descriptor.name || "(anonymous)";
    let holder: string;
    let importer: Importer | undefined;
    if (uses(resolved.descriptor.source)) {
      holder = `Function "${task}"`;
      importer = await importerOf(this.#imports, missing);
    } else {
      const inContext = Object.entries(this.#context.functions).find(([, source]) => uses(source));
      if (inContext === undefined) return undefined;
      holder = `Function "${inContext[0]}", passed in "context" for "${task}",`;
      importer = await importerOf(this.#imports, missing) ??
        await importerOf(this.#imports, inContext[0]);
    }
    const reference = await this.#referenceHint(resolved.descriptor);
    const fixes = importer !== undefined
      ? `"${importer.name}" is imported by ${importer.url} (from "${importer.from}"), and a ` +
        `function sent by value cannot take its module's imports along, nor can "context" ` +
        `carry an imported function (its source would go without its module). Send "${task}" ` +
        `by reference instead, so that the worker imports its module with every import: ` +
        reference
      : `Fix it either way: pass the variable in the "context" option, e.g. { context: { ` +
        `${missing} } } (if it is imported from a module, import it inside the function ` +
        `instead, e.g. const { ${missing} } = await import("…")), or send the function by ` +
        `reference. ${reference}`;
    return new FunctionTransportError(
      `${holder} cannot run in a worker: it uses "${missing}", which is not defined there. ` +
        `It was sent by value (its source alone, without the variables around it). ${fixes}`,
      { cause: error },
    );
  }
}

/**
 * The error for a task module whose top-level code starts workers. Python's spawn fails there
 * too ("An attempt has been made to start a new process before the current process has finished
 * its bootstrapping phase"): never run the task as if nothing happened, even by value, while the
 * module's main code ran in the worker.
 */
function unguardedError(
  url: string,
  descriptor: FunctionDescriptor,
  cause: unknown,
): FunctionTransportError {
  return new FunctionTransportError(
    `Put the main program's code in ${url} under if (import.meta.main) { … } ` +
      `(Python's if __name__ == "__main__":). The workers import that module to find ` +
      `their task functions, and its top-level code starts workers, so every worker would ` +
      `start more: each worker ran the module's top-level code up to there, and ` +
      `"${descriptor.name || "(anonymous)"}" was not run.`,
    { cause },
  );
}

/** A module of the pool's imports that imports a name, and where from. */
export interface Importer {
  name: string;
  url: string;
  from: string;
}

/**
 * The module of `imports` (a pool's or a process's) whose import statements bind `name`,
 * and the specifier it is imported from; `undefined` when none does, or the sources cannot
 * be read.
 */
export async function importerOf(
  imports: readonly string[],
  name: string,
): Promise<Importer | undefined> {
  for (const url of imports) {
    const source = await sourceOf(url);
    if (source === undefined) continue; // not readable here: no advice from it
    const statements = /\bimport\s+(?:type\s+)?([\w$\s{},*]+?)\s+from\s+["']([^"']+)["']/g;
    for (const [, clause, from] of source.matchAll(statements)) {
      if (importedNames(clause!).has(name)) return { name, url, from: from! };
    }
  }
  return undefined;
}

/**
 * The sources of the pool's modules read so far in this thread, by URL: read once each, as
 * this thread imports each URL once (an edited file is not imported again either).
 */
const sources = new Map<string, Promise<string | undefined>>();

/** The source of a `file:` module, or `undefined` when it is not one or cannot be read here. */
function sourceOf(url: string): Promise<string | undefined> {
  let source = sources.get(url);
  if (source === undefined) {
    source = (async () => {
      if (!url.startsWith("file:")) return undefined;
      try {
        // Asked first, so that a program without read access is never prompted for it.
        const path = new URL(url);
        if ((await Deno.permissions.query({ name: "read", path })).state !== "granted") {
          return undefined;
        }
        return await Deno.readTextFile(path);
      } catch {
        return undefined;
      }
    })();
    sources.set(url, source);
  }
  return source;
}

/**
 * The names an import clause binds: `{ a, b as c }` binds a and c, `* as ns` binds ns, `d`
 * binds d (type-only names included: they bind nothing at run time, but no task uses them).
 */
function importedNames(clause: string): Set<string> {
  const tokens = clause.replace(/\btype\s+/g, "").split(/[\s{},]+/).filter(Boolean);
  const bound = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === "as" || token === "*" || tokens[i + 1] === "as") continue;
    bound.add(token);
  }
  return bound;
}
