/**
 * The manager's server: one worker that holds every managed object and answers the proxies'
 * requests, one at a time, as Python's manager process does.
 *
 * ```
 *  any thread (proxy)                  the server worker
 *  ──────────────────                  ─────────────────
 *  requests.put([reply, id, obj, method, args]) ──▶ serve(): get, apply to objects[obj]
 *  reply channel (one per thread)  ◀── [id, ok, value | error]
 * ```
 *
 * Requests come through one shared queue. Each thread that uses proxies has its own reply
 * channel, registered by name in the program's registry of shared memory (a reply channel is
 * a `SharedArrayBuffer`, which cannot travel as a message); the server looks each name up
 * once.
 *
 * @module
 */

import { currentIdentity } from "../_internal/identity.ts";
import { lookupBlock, unregisterBlock } from "../_internal/named_blocks.ts";
import { serializeError } from "../_internal/protocol.ts";
import { Channel } from "../_internal/channel.ts";
import { encodeMessage } from "../_internal/codec.ts";
import type { SimpleQueue } from "../ipc/simple_queue.ts";
import { describeNonNumber } from "../_internal/checks.ts";

/** A request: reply channel name, request id, object id, method, arguments. */
export type Request = [reply: string, id: number, object: number, method: string, args: unknown[]];
/** A reply: request id, success, value or serialized error. */
export type Reply = [id: number, ok: boolean, value: unknown];

/** The object id of the manager itself: create objects, shut down. */
export const MANAGER = 0;

/** The kinds of managed objects. */
export type Kind = "dict" | "list" | "namespace" | "value";

type Method = (target: never, ...args: never[]) => unknown;

function index(list: unknown[], i: unknown, method: string): number {
  if (typeof i !== "number" || !Number.isInteger(i)) {
    throw new TypeError(
      `list.${method}(): the index must be an integer, got ${describeNonNumber(i)}`,
    );
  }
  const at = i < 0 ? i + list.length : i;
  if (at < 0 || at >= list.length) {
    throw new RangeError(`list.${method}(): index ${i} is out of range (length ${list.length})`);
  }
  return at;
}

function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b) || a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  // Python compares lists and dicts by value: compare the encodings.
  try {
    const x = encodeMessage(a, "value").slice();
    const y = encodeMessage(b, "value");
    return x.length === y.length && x.every((byte, i) => byte === y[i]);
  } catch {
    return false;
  }
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  throw new TypeError(
    `list.sort(): cannot order ${typeof a} and ${typeof b} (Python's "<" is not supported ` +
      `between them either)`,
  );
}

const methods: Record<Kind, Record<string, Method>> = {
  dict: {
    get: (d: Map<unknown, unknown>, key: unknown, fallback?: unknown) =>
      d.has(key) ? d.get(key) : fallback,
    set: (d: Map<unknown, unknown>, key: unknown, value: unknown) => void d.set(key, value),
    delete: (d: Map<unknown, unknown>, key: unknown) => d.delete(key),
    has: (d: Map<unknown, unknown>, key: unknown) => d.has(key),
    keys: (d: Map<unknown, unknown>) => [...d.keys()],
    values: (d: Map<unknown, unknown>) => [...d.values()],
    entries: (d: Map<unknown, unknown>) => [...d.entries()],
    len: (d: Map<unknown, unknown>) => d.size,
    copy: (d: Map<unknown, unknown>) => new Map(d),
    clear: (d: Map<unknown, unknown>) => void d.clear(),
    update: (d: Map<unknown, unknown>, entries: [unknown, unknown][]) => {
      for (const [k, v] of entries) d.set(k, v);
    },
    pop: (d: Map<unknown, unknown>, key: unknown, ...fallback: unknown[]) => {
      if (d.has(key)) {
        const value = d.get(key);
        d.delete(key);
        return value;
      }
      if (fallback.length > 0) return fallback[0];
      throw new RangeError(`dict.pop(): no key ${String(key)} (Python's KeyError)`);
    },
    setdefault: (d: Map<unknown, unknown>, key: unknown, fallback: unknown) => {
      if (!d.has(key)) d.set(key, fallback);
      return d.get(key);
    },
  },
  list: {
    get: (l: unknown[], i: number) => l[index(l, i, "get")],
    set: (l: unknown[], i: number, value: unknown) => {
      l[index(l, i, "set")] = value;
    },
    append: (l: unknown[], value: unknown) => void l.push(value),
    extend: (l: unknown[], values: unknown[]) => void l.push(...values),
    insert: (l: unknown[], i: number, value: unknown) => {
      const at = i < 0 ? Math.max(0, i + l.length) : Math.min(i, l.length);
      l.splice(at, 0, value);
    },
    pop: (l: unknown[], i = -1) => {
      if (l.length === 0) throw new RangeError("list.pop(): the list is empty");
      return l.splice(index(l, i, "pop"), 1)[0];
    },
    remove: (l: unknown[], value: unknown) => {
      const at = l.findIndex((x) => same(x, value));
      if (at < 0) throw new RangeError(`list.remove(): ${String(value)} is not in the list`);
      l.splice(at, 1);
    },
    index: (l: unknown[], value: unknown) => {
      const at = l.findIndex((x) => same(x, value));
      if (at < 0) throw new RangeError(`list.index(): ${String(value)} is not in the list`);
      return at;
    },
    count: (l: unknown[], value: unknown) => l.filter((x) => same(x, value)).length,
    reverse: (l: unknown[]) => void l.reverse(),
    sort: (l: unknown[], reverse = false) => {
      l.sort(compare);
      if (reverse) l.reverse();
    },
    len: (l: unknown[]) => l.length,
    copy: (l: unknown[]) => [...l],
    clear: (l: unknown[]) => void l.splice(0),
  },
  namespace: {
    get: (n: Map<string, unknown>, name: string) => {
      if (!n.has(name)) {
        throw new RangeError(`Namespace has no attribute "${name}" (Python's AttributeError)`);
      }
      return n.get(name);
    },
    set: (n: Map<string, unknown>, name: string, value: unknown) => void n.set(name, value),
    delete: (n: Map<string, unknown>, name: string) => n.delete(name),
    has: (n: Map<string, unknown>, name: string) => n.has(name),
    copy: (n: Map<string, unknown>) => Object.fromEntries(n),
  },
  value: {
    get: (v: { value: unknown }) => v.value,
    set: (v: { value: unknown }, value: unknown) => {
      v.value = value;
    },
  },
};

function make(kind: Kind, initial: unknown): unknown {
  switch (kind) {
    case "dict":
      return new Map(initial as [unknown, unknown][]);
    case "list":
      return [...initial as unknown[]];
    case "namespace":
      return new Map(Object.entries(initial as Record<string, unknown>));
    case "value":
      return { value: initial };
  }
}

/**
 * Serves requests until a `shutdown` request; runs in the manager's worker, blocking it (it has
 * nothing else to do). Returns the number of requests served.
 */
export function serve(requests: SimpleQueue<Request>): number {
  const objects = new Map<number, { kind: Kind; target: unknown }>();
  const replies = new Map<string, { channel: Channel; token: string }>();
  let served = 0;
  for (;;) {
    const [replyName, id, objectId, method, args] = requests.getSync();
    served++;
    let reply: Reply;
    try {
      let value: unknown;
      if (objectId === MANAGER) {
        if (method === "shutdown") break;
        if (method !== "create") throw new TypeError(`Unknown manager request "${method}"`);
        const [kind, initial, object] = args as [Kind, unknown, number];
        objects.set(object, { kind, target: make(kind, initial) });
      } else {
        const object = objects.get(objectId);
        if (object === undefined) throw new RangeError(`No managed object ${objectId}`);
        const run = methods[object.kind][method];
        if (run === undefined) {
          throw new TypeError(`A ${object.kind} proxy has no method "${method}"`);
        }
        value = run(object.target as never, ...args as never[]);
      }
      reply = [id, true, value];
    } catch (error) {
      reply = [id, false, serializeError(error)];
    }
    if (replyName === "") continue; // a request without a reply (a create)
    let line = replies.get(replyName);
    if (line === undefined) {
      const block = lookupBlock(replyName);
      line = { channel: new Channel(0, block.buffer), token: block.token };
      replies.set(replyName, line);
    }
    try {
      line.channel.tryPut(reply, false, "the reply");
    } catch (error) {
      // The value cannot travel back (e.g. a function stored in a dict): say so instead.
      line.channel.tryPut([id, false, serializeError(error)], false, "the reply");
    }
  }
  for (const [name, { token }] of replies) {
    try {
      unregisterBlock(name, token);
    } catch {
      // Already gone: nothing to clean up.
    }
  }
  return served;
}

/** The server worker's ident (asked first, so that proxies notice when it ends). */
export function serverIdent(): number {
  return currentIdentity().ident;
}
