/**
 * A thread's side of a manager: sends requests, and routes the replies on its own reply
 * channel to the promises that wait for them. One per manager and thread.
 *
 * @module
 */

import { ClosedError, RemoteError } from "../errors.ts";
import { hasEnded } from "../_internal/identity.ts";
import { lookupBlock, registerBlock } from "../_internal/named_blocks.ts";
import type { SerializedError } from "../_internal/protocol.ts";

import { Channel } from "../_internal/channel.ts";
import { EMPTY } from "../_internal/channel_header.ts";
import { SimpleQueue } from "../ipc/simple_queue.ts";
import { fromShared } from "../_internal/shareable.ts";
import type { Reply, Request } from "./_server.ts";

/**
 * What every proxy of a manager carries to reach it. Without `requests` it is plain data, as a
 * proxy travels through queues, pipes and the manager's own containers: the thread that uses
 * it then finds the request queue by the manager's token, in the program's registry of named
 * blocks, where the manager registered it (see {@linkcode requestsBlock}).
 */
export interface ManagerLine {
  /** Unique per manager. */
  token: string;
  /** The server worker's ident, to notice its end. */
  server: number;
  /** The buffer of the request queue, when at hand. */
  requests?: SharedArrayBuffer;
}

/** The name the manager `token` registers its request queue's buffer under. */
export function requestsBlock(token: string): string {
  return `manager-${token}-requests`;
}

/** How often a waiting thread looks whether the server has ended. */
const WATCH_MS = 100;

const clients = new Map<string, Client>();

/**
 * This thread's client of the manager `line` leads to.
 *
 * @throws {ClosedError} The manager has shut down: its request queue is no longer registered.
 */
export function clientOf(line: ManagerLine): Client {
  let client = clients.get(line.token);
  if (client === undefined) {
    let requests = line.requests;
    if (requests === undefined) {
      try {
        requests = lookupBlock(requestsBlock(line.token)).buffer;
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) throw managerGone();
        throw error;
      }
    }
    client = new Client({ ...line, requests });
    clients.set(line.token, client);
  }
  return client;
}

/** The error of a proxy whose manager is gone, with the fix. */
export function managerGone(): ClosedError {
  return new ClosedError(
    "The manager of this proxy has shut down (or its server worker ended): no proxy of it works " +
      "any more. Keep the manager running until every thread is done with its proxies: end its " +
      '"await using" block, or call manager.shutdown(), after the work that uses them',
  );
}

/** Forgets this thread's client of a manager (after its shutdown). */
export function dropClient(token: string): void {
  clients.delete(token);
}

/** Sends requests to one manager and receives the replies. */
export class Client {
  readonly line: Required<ManagerLine>;
  #requests: SimpleQueue<Request>;
  #reply: Channel | undefined;
  #replyName = "";
  #pending = new Map<number, PromiseWithResolvers<unknown>>();
  #nextId = 0;
  #pumping = false;

  constructor(line: Required<ManagerLine>) {
    this.line = line;
    this.#requests =
      (SimpleQueue as unknown as Record<symbol, (s: unknown) => SimpleQueue<Request>>)[fromShared]!(
        line.requests,
      );
  }

  /** Calls `method` of managed object `object` with `args`; resolves with its result. */
  call(object: number, method: string, args: unknown[]): Promise<unknown> {
    if (hasEnded(this.line.server)) {
      return Promise.reject(managerGone());
    }
    if (this.#reply === undefined) {
      // This thread's reply channel, found by the server under its name.
      const reply = new Channel();
      const name = `manager-${this.line.token}-reply-${crypto.randomUUID()}`;
      registerBlock(name, { buffer: reply.buffer, token: crypto.randomUUID() });
      this.#reply = reply;
      this.#replyName = name;
    }
    const id = ++this.#nextId;
    // Sent before it is awaited: a value that cannot be sent throws here and leaves nothing
    // pending (the reply cannot come before this synchronous code ends).
    try {
      this.#requests.put([this.#replyName, id, object, method, args]);
    } catch (error) {
      return Promise.reject(error);
    }
    const pending = Promise.withResolvers<unknown>();
    this.#pending.set(id, pending);
    if (!this.#pumping) void this.#pump();
    return pending.promise;
  }

  /** Sends a request that gets no reply (`create`, `shutdown`). */
  post(object: number, method: string, args: unknown[] = []): void {
    this.#requests.put(["", 0, object, method, args]);
  }

  /** Receives replies while requests wait for them. */
  async #pump(): Promise<void> {
    this.#pumping = true;
    const reply = this.#reply!;
    try {
      while (this.#pending.size > 0) {
        const got = await reply.take(WATCH_MS);
        if (got === EMPTY) {
          if (hasEnded(this.line.server)) this.#failAll(managerGone());
          continue;
        }
        const [id, ok, value] = got as Reply;
        const pending = this.#pending.get(id);
        if (pending === undefined) continue;
        this.#pending.delete(id);
        if (ok) pending.resolve(value);
        // The error as the server threw it (a RangeError stays a RangeError), as Python's
        // proxies re-raise the referent's exception.
        else pending.reject(new RemoteError(value as SerializedError).cause);
      }
    } catch (error) {
      this.#failAll(error);
    } finally {
      this.#pumping = false;
    }
  }

  #failAll(error: unknown): void {
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}
