/**
 * Main side of how a function reaches a worker: {@linkcode describeFunction} gives each
 * function an id and keeps its source; the descriptor is sent to a worker with the function's
 * first use there only. The worker side is `function_transport.ts`.
 *
 * @module
 */

import { FunctionTransportError } from "../errors.ts";
import type { FunctionDescriptor } from "./protocol.ts";

// deno-lint-ignore no-explicit-any
export type AnyFunction = (...args: any[]) => unknown;

let nextFunctionId = 1;
const descriptors = new WeakMap<AnyFunction, FunctionDescriptor>();
const functionsById = new Map<number, WeakRef<AnyFunction>>();

const NATIVE = /\{\s*\[native code\]\s*\}\s*$/;

/**
 * The descriptor of `fn`, made once per function. Throws at once for what can never cross: a
 * non-function (`TypeError`), a built-in or bound function (`FunctionTransportError`).
 */
export function describeFunction(fn: unknown, argument: string): FunctionDescriptor {
  if (typeof fn !== "function") {
    throw new TypeError(
      `"${argument}" must be a function, got ${fn === null ? "null" : typeof fn}: pass the ` +
        `function itself, e.g. pool.map(square, xs)`,
    );
  }
  const known = descriptors.get(fn as AnyFunction);
  if (known !== undefined) return known;
  const source = Function.prototype.toString.call(fn);
  const name = fn.name;
  if (NATIVE.test(source)) {
    throw new FunctionTransportError(
      `Function "${name || "(anonymous)"}" cannot reach a worker: it is a built-in or bound ` +
        `function, which has no source to send and is no module's export. Wrap it in an arrow ` +
        `function, e.g. (x) => Math.sqrt(x), or export a named function from a module the pool ` +
        `imports.`,
    );
  }
  const descriptor: FunctionDescriptor = { id: nextFunctionId++, name, source };
  descriptors.set(fn as AnyFunction, descriptor);
  functionsById.set(descriptor.id, new WeakRef(fn as AnyFunction));
  return descriptor;
}

/** The function behind a descriptor id, for backends that run in this very thread. */
export function functionById(id: number): AnyFunction | undefined {
  return functionsById.get(id)?.deref();
}
