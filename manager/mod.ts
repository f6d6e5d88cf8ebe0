/**
 * Python's `multiprocessing.Manager`: a server worker holding dicts, lists, namespaces and
 * values that every thread reaches through proxies with async methods, plus the library's
 * shared-memory locks, events and queues under the manager's method names.
 *
 * @example
 * ```ts
 * import { Manager } from "@workers/multiprocessing/manager";
 * import assert from "node:assert/strict";
 *
 * await using manager = await Manager.start();
 * const scores = manager.dict<string, number>();
 * await scores.set("bob", 3);
 * assert.equal(await scores.get("bob"), 3);
 * ```
 *
 * @module
 */

export * from "./manager.ts";
export { BaseProxy, DictProxy, ListProxy, NamespaceProxy, ValueProxy } from "./proxies.ts";
