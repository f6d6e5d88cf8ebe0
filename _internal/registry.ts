/**
 * The program-wide registry of named shared memory blocks: Python's `/dev/shm`, where
 * `SharedMemory(name)` finds a block that any process made.
 *
 * The table lives in the top-level thread (the main program), which never blocks: it answers
 * from `onmessage`. Every worker the library starts gets a line to it in its `init` message
 * ({@linkcode openRegistryLink} on the starting side, {@linkcode adoptRegistry} in the worker):
 * a `MessagePort` whose other end the top-level thread serves, and a flag that thread sets after
 * each answer, so the worker sleeps on it (`Atomics.wait`) until the answer is there (see
 * `named_blocks.ts`). A worker that starts workers makes each of them a new line and hands the
 * serving end up through its own line, so every worker, however deep, talks to the table
 * directly, never through a parent that may be blocked.
 *
 * A line is closed when its worker is stopped, and with it every line adopted through it (the
 * workers of a stopped worker stop too); the flag then tells a waiting worker the line is gone.
 * Lines do not keep the program alive.
 *
 * ```
 * main program: the table ◀──── line ──── PoolWorker-1  (a pool of the main program)
 *                  ▲                          │ starts a pool of its own
 *                  └── line, handed up ── PoolWorker-3
 * ```
 *
 * @module
 */

import type { RegistryBlock, RegistryLink, RegistryReply, RegistryRequest } from "./protocol.ts";
import { serializeError } from "./protocol.ts";

/** Flag states of a line: a request is pending (or none was made yet). */
export const WAITING = 0;
/** Flag states of a line: the top-level thread has posted its answer. */
export const ANSWERED = 1;
/** Flag states of a line: the top-level thread stopped serving it. */
export const CLOSED = 2;

/** This thread's line to the table, when it is a worker started by the library. */
export interface Upstream {
  port: MessagePort;
  flag: Int32Array<SharedArrayBuffer>;
}

/** A line as the top-level thread serves it. */
interface Served {
  port: MessagePort;
  flag: Int32Array<SharedArrayBuffer>;
  /** Lines adopted through this one, by the id their sender gave them. */
  children: Map<number, Served>;
  closed: boolean;
}

/** The table: only ever filled in the top-level thread. */
const blocks = new Map<string, RegistryBlock>();
let upstream: Upstream | undefined;
let nextLinkId = 0;

/** The line of this thread to the table, or `undefined` where the table is (the main program). */
export function registryUpstream(): Upstream | undefined {
  return upstream;
}

/** In a worker: adopts the line it was started with, from its `init` message. */
export function adoptRegistry(link: RegistryLink): void {
  upstream = { port: link.port, flag: new Int32Array(link.flag) };
}

/** A line made for a worker about to start. */
export interface RegistryLinkHandle {
  /** Goes in the worker's `init` message as `registry`, with `link.port` in the transfer list. */
  readonly link: RegistryLink;
  /** Stops serving the line: call it when the worker is stopped. Idempotent. */
  close(): void;
}

/**
 * Makes a line to the table for a worker this thread starts. In the main program the line is
 * served here; in a worker its serving end is handed up to the main program through this
 * worker's own line.
 */
export function openRegistryLink(): RegistryLinkHandle {
  const channel = new MessageChannel();
  const flag = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const link: RegistryLink = { port: channel.port2, flag };
  const own = { port: channel.port1, flag };
  let closed = false;
  if (upstream === undefined) {
    const served = serve(own);
    return {
      link,
      close() {
        if (closed) return;
        closed = true;
        stopServing(served);
        // Closes the worker's end too if it was never sent (a no-op once transferred).
        channel.port2.close();
      },
    };
  }
  const via = upstream;
  const id = ++nextLinkId;
  via.port.postMessage({ kind: "adopt", id, link: own } satisfies RegistryRequest, [own.port]);
  return {
    link,
    close() {
      if (closed) return;
      closed = true;
      via.port.postMessage({ kind: "drop", id } satisfies RegistryRequest);
      channel.port2.close();
    },
  };
}

/** Registers a block in the table. */
export function registerLocal(name: string, block: RegistryBlock): void {
  if (blocks.has(name)) {
    throw new Deno.errors.AlreadyExists(
      `A shared memory block named "${name}" already exists: attach to it with new ` +
        `SharedMemory({ name: "${name}" }), or create the new block under another name`,
    );
  }
  blocks.set(name, block);
}

/** The block of that name in the table. */
export function lookupLocal(name: string): RegistryBlock {
  const block = blocks.get(name);
  if (block === undefined) {
    throw new Deno.errors.NotFound(
      `No shared memory block is named "${name}": create it first with new SharedMemory({ ` +
        `name: "${name}", create: true, size }), or check the name (a block can no longer be ` +
        `attached once it is unlinked)`,
    );
  }
  return block;
}

/** Removes the name of the block with that token from the table. */
export function unregisterLocal(name: string, token: string): void {
  if (blocks.get(name)?.token !== token) {
    throw new Deno.errors.NotFound(
      `Cannot unlink shared memory block "${name}": the name is no longer registered to this ` +
        `block (it was unlinked already)`,
    );
  }
  blocks.delete(name);
}

function unref(port: MessagePort): void {
  // Deno's MessagePort has unref() (as Node's); the type declarations do not say so.
  (port as MessagePort & { unref?(): void }).unref?.();
}

/**
 * Keeps a served port from holding the program open after a message. Deno 2.9's MessagePort
 * arms each next receive with a referenced op, even after `unref()` (it re-unrefs only the
 * ports of `node:worker_threads`; ext/web/13_message_port.js, `start()`), so one request from
 * a worker would keep the program running for ever. The next receive is armed a few
 * microtasks after the handler returns: over the next microtasks, ref and unref the port
 * again, which unrefs the op once it exists (doing so before, or again after, changes
 * nothing). Microtasks, not a timer, so that nothing is left pending.
 */
function keepUnreferenced(served: Served, hops = 8): void {
  queueMicrotask(() => {
    if (served.closed) return;
    const port = served.port as MessagePort & { ref?(): void };
    port.ref?.();
    unref(port);
    if (hops > 1) keepUnreferenced(served, hops - 1);
  });
}

function serve(link: RegistryLink): Served {
  const served: Served = {
    port: link.port,
    flag: new Int32Array(link.flag),
    children: new Map(),
    closed: false,
  };
  served.port.onmessage = (event: MessageEvent<RegistryRequest>) => {
    handle(served, event.data);
    keepUnreferenced(served);
  };
  unref(served.port);
  return served;
}

function stopServing(served: Served): void {
  if (served.closed) return;
  served.closed = true;
  served.port.close();
  // Wakes a worker waiting on this line: it throws instead of waiting forever.
  Atomics.store(served.flag, 0, CLOSED);
  Atomics.notify(served.flag, 0);
  for (const child of served.children.values()) stopServing(child);
  served.children.clear();
}

function handle(served: Served, request: RegistryRequest): void {
  if (served.closed) {
    // A message that was on its way when the line closed.
    if (request.kind === "adopt") request.link.port.close();
    return;
  }
  switch (request.kind) {
    case "adopt":
      served.children.set(request.id, serve(request.link));
      return;
    case "drop": {
      const child = served.children.get(request.id);
      if (child === undefined) return;
      served.children.delete(request.id);
      stopServing(child);
      return;
    }
    default: {
      served.port.postMessage(answer(request));
      // Only after the answer is posted, so a woken worker finds it on its port.
      Atomics.compareExchange(served.flag, 0, WAITING, ANSWERED);
      Atomics.notify(served.flag, 0);
    }
  }
}

function answer(
  request: Extract<RegistryRequest, { kind: "create" | "lookup" | "unlink" }>,
): RegistryReply {
  const { seq } = request;
  try {
    switch (request.kind) {
      case "create":
        registerLocal(request.name, request.block);
        return { kind: "ok", seq, block: null };
      case "lookup":
        return { kind: "ok", seq, block: lookupLocal(request.name) };
      case "unlink":
        unregisterLocal(request.name, request.token);
        return { kind: "ok", seq, block: null };
    }
  } catch (error) {
    return { kind: "error", seq, error: serializeError(error) };
  }
}
