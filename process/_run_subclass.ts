/**
 * How a `Process` subclass that overrides `run()` runs in its worker, as Python's
 * `class P(Process): def run(self): …`. Python pickles the object (its class by module and
 * name, its `__dict__` by value) and calls `run()` on the copy; so do we:
 *
 * ```
 *  parent: start()  ─▶ target runProcessSubclass (by reference, from this module)
 *                      args [the class's name and source, the imports, its own fields]
 *  worker: the class found by reference among the imports ─▶ an instance made by Process's
 *          own constructor (the subclass's is not run), the fields assigned ─▶ await run()
 * ```
 *
 * This module does not import `process.ts` (which imports it): the instance is made by the
 * static method keyed by {@linkcode reviveSubclass} that every subclass inherits from `Process`.
 *
 * @module
 */

import { FunctionTransportError } from "../errors.ts";
import { FunctionResolver } from "../_internal/function_transport.ts";

/** The key of `Process`'s static method that makes a subclass's instance in its worker. */
export const reviveSubclass: unique symbol = Symbol("revive a Process subclass");

/** The class to find in the worker, as the parent saw it. */
export interface SubclassReference {
  name: string;
  source: string;
}

/** What runs in the worker: the instance's `run()`. */
interface Runnable {
  run(): unknown;
}

type Reviver = (fields: Record<string, unknown>) => Runnable;

/**
 * The target of a process whose class overrides `run()` (or that has no target): finds the
 * class among `imports` by reference, makes the instance with `fields`, and awaits its `run()`.
 * `null`: a plain `Process` without a target, which runs nothing (as Python's).
 */
export async function runProcessSubclass(
  subclass: SubclassReference | null,
  imports: string[],
  fields: Record<string, unknown>,
): Promise<void> {
  if (subclass === null) return;
  const resolver = new FunctionResolver(imports, { values: {}, functions: {}, shared: false });
  resolver.define({ id: 1, name: subclass.name, source: subclass.source });
  let found: unknown;
  try {
    const resolved = await resolver.resolve(1);
    found = resolved.byValue ? undefined : resolved.fn;
  } catch (error) {
    throw notFound(subclass.name, imports, error);
  }
  const revive = (found as { [reviveSubclass]?: Reviver } | undefined)?.[reviveSubclass];
  if (typeof revive !== "function") throw notFound(subclass.name, imports, undefined);
  await revive.call(found, fields).run();
}

function notFound(name: string, imports: string[], cause: unknown): FunctionTransportError {
  // The resolver's own error says which of the modules failed to import, if any.
  const note = cause instanceof Error ? / Note: (.*)$/s.exec(cause.message)?.[1] : undefined;
  const where = imports.length === 0
    ? `no module is imported (the module that creates the process could not be found: name ` +
      `the subclass's module in the "imports" option)`
    : `it is not among the exports of ${imports.join(", ")}`;
  return new FunctionTransportError(
    `Process subclass "${name}" cannot be found in its worker: ${where}. A subclass that ` +
      `overrides run() reaches its worker by reference only (its methods need the module ` +
      `around them): export the class from its module, and pass that module in the "imports" ` +
      `option (super({ imports: [import.meta.url] })) unless it is the module that creates ` +
      `the process.` + (note === undefined ? "" : ` Note: ${note}`),
    cause === undefined ? undefined : { cause },
  );
}
