/**
 * The `context` option of a pool or a process, encoded for its workers: the free variables of
 * functions sent by value (values, shared objects, and self-contained functions by source).
 *
 * @module
 */

import type { EncodedContext } from "./protocol.ts";
import { encodeValue } from "./shareable.ts";
import { describeFunction } from "./describe_function.ts";

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Validates and encodes the `context` option (free variables of functions sent by value). */
export function encodeContext(
  context: Record<string, unknown> | undefined,
  transferList: Transferable[],
): EncodedContext {
  const encoded: EncodedContext = { values: {}, functions: {}, shared: false };
  if (context === undefined) return encoded;
  if (typeof context !== "object" || context === null || Array.isArray(context)) {
    throw new TypeError(
      `"context" must be a plain object of free variables, e.g. { context: { scale: 2 } }`,
    );
  }
  for (const [key, value] of Object.entries(context)) {
    if (!IDENTIFIER.test(key)) {
      throw new RangeError(
        `"context" key ${JSON.stringify(key)} is not a valid variable name: use the name the ` +
          `function refers to`,
      );
    }
    if (typeof value === "function") {
      encoded.functions[key] = describeFunction(value, `context.${key}`).source;
    } else {
      const { value: v, shared } = encodeValue(value, transferList);
      encoded.values[key] = v;
      encoded.shared ||= shared;
    }
  }
  return encoded;
}
