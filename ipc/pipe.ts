/**
 * `Pipe()`: Python's `multiprocessing.Pipe`, a pair of connected {@linkcode Connection}s.
 *
 * @module
 */

import { Channel } from "../_internal/channel.ts";
import { READERS, WRITERS } from "../_internal/channel_header.ts";
import { selfIdent } from "../_internal/identity.ts";
import { type Connection, makeConnection } from "./connection.ts";

/**
 * A pipe over shared memory: two connected ends (Python's `multiprocessing.Pipe`). What one end
 * sends, the other receives, in order. Keep one end and pass the other to a worker, or pass
 * both to two workers: they talk directly, not through the main program.
 *
 * @param duplex `true` (the default) for a two-way pipe; `false` for a one-way pipe whose
 * first end only receives and whose second end only sends, as in Python.
 * @returns The two ends.
 * @throws {TypeError} `duplex` is not a boolean.
 *
 * @example The tutorial's pipe
 * ```ts
 * import { type Connection, Pipe, Pool } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const [parentConn, childConn] = Pipe();
 * await using pool = new Pool(1);
 * await pool.apply((conn: Connection) => {
 *   conn.send([42, null, "hello"]);
 *   conn.close();
 * }, [childConn]);
 * assert.deepEqual(await parentConn.recv(), [42, null, "hello"]);
 * ```
 *
 * @example A one-way pipe
 * ```ts
 * import { Pipe } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * const [receiver, sender] = Pipe(false);
 * sender.send("one way");
 * assert.equal(await receiver.recv(), "one way");
 * assert.throws(() => receiver.send("back?"), TypeError);
 * ```
 */
export function Pipe<T = unknown>(duplex = true): [Connection<T>, Connection<T>] {
  if (typeof duplex !== "boolean") {
    throw new TypeError(`Pipe(): "duplex" must be a boolean (true: two-way, false: one-way)`);
  }
  // This thread holds the first copy of each end (see Connection.close).
  const owner = selfIdent;
  const closed = false;
  const open = (): SharedArrayBuffer => {
    const channel = new Channel();
    channel.addCopy(READERS, owner);
    channel.addCopy(WRITERS, owner);
    return channel.buffer;
  };
  if (!duplex) {
    const buffer = open();
    return [
      makeConnection<T>({ read: buffer, write: null, owner, closed }),
      makeConnection<T>({ read: null, write: buffer, owner, closed }),
    ];
  }
  const one = open();
  const two = open();
  return [
    makeConnection<T>({ read: one, write: two, owner, closed }),
    makeConnection<T>({ read: two, write: one, owner, closed }),
  ];
}
