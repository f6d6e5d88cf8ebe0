/**
 * Create, find and unlink named shared memory blocks from any thread, synchronously, as
 * Python's `SharedMemory(name)` does. In the main program these are calls on the table of
 * `registry.ts`. In a worker each is a round trip on the worker's line: post the request, then
 * sleep on the line's flag until the main program has posted the answer, and take the answer
 * off the port with `receiveMessageOnPort`. A round trip costs about 0.15 ms; a worker that
 * creates a block has it registered, or gets `AlreadyExists`, before its constructor returns,
 * so two threads creating one name at once are told apart in the main program's order.
 *
 * @module
 */

import type { RegistryBlock, RegistryReply, RegistryRequest, SerializedError } from "./protocol.ts";
import {
  ANSWERED,
  CLOSED,
  lookupLocal,
  registerLocal,
  registryUpstream,
  unregisterLocal,
  type Upstream,
  WAITING,
} from "./registry.ts";

type ReceiveSync = (port: MessagePort) => { message: unknown } | undefined;

// Loaded in workers only, the only threads that wait for answers (node:worker_threads costs
// 5–10 ms to load, and only modules that use shared memory blocks import this one). Node's
// types declare its own MessagePort; Deno's function takes the web one.
const receiveSync: ReceiveSync | undefined = "WorkerGlobalScope" in globalThis
  ? (await import("node:worker_threads")).receiveMessageOnPort as unknown as ReceiveSync
  : undefined;

/** How long a waiting worker sleeps before it looks at its port again, in case a wake-up is lost. */
const SLEEP_MS = 100;

let nextSeq = 0;

/**
 * Registers `block` under `name`.
 *
 * @throws {Deno.errors.AlreadyExists} The name is taken.
 */
export function registerBlock(name: string, block: RegistryBlock): void {
  const line = registryUpstream();
  if (line === undefined) registerLocal(name, block);
  else request(line, { kind: "create", seq: 0, name, block });
}

/**
 * The block registered under `name`.
 *
 * @throws {Deno.errors.NotFound} No block has that name.
 */
export function lookupBlock(name: string): RegistryBlock {
  const line = registryUpstream();
  if (line === undefined) return lookupLocal(name);
  return request(line, { kind: "lookup", seq: 0, name })!;
}

/**
 * Removes `name` from the registry, if it still names the block with `token`.
 *
 * @throws {Deno.errors.NotFound} It does not (the block was unlinked already).
 */
export function unregisterBlock(name: string, token: string): void {
  const line = registryUpstream();
  if (line === undefined) unregisterLocal(name, token);
  else request(line, { kind: "unlink", seq: 0, name, token });
}

function request(
  line: Upstream,
  message: Extract<RegistryRequest, { kind: "create" | "lookup" | "unlink" }>,
): RegistryBlock | null {
  if (receiveSync === undefined) {
    throw new Error("Internal error: a registry line outside a worker");
  }
  const { port, flag } = line;
  // Rearm the flag before asking, so the answer's wake-up cannot be missed.
  if (Atomics.compareExchange(flag, 0, ANSWERED, WAITING) === CLOSED) throw unreachable();
  const seq = ++nextSeq;
  port.postMessage({ ...message, seq });
  for (;;) {
    const received = receiveSync(port);
    if (received !== undefined) {
      const reply = received.message as RegistryReply;
      if (reply.seq !== seq) continue; // a stale answer, to a request given up on
      if (reply.kind === "ok") return reply.block;
      throw rebuild(reply.error);
    }
    if (Atomics.load(flag, 0) === CLOSED) throw unreachable();
    Atomics.wait(flag, 0, WAITING, SLEEP_MS);
  }
}

function unreachable(): Error {
  return new Error(
    "The registry of shared memory blocks is out of reach: the thread that started this " +
      "worker is stopping it",
  );
}

/** The registry's errors, as this thread's own (with this thread's stack). */
function rebuild(error: SerializedError): Error {
  switch (error.name) {
    case "NotFound":
      return new Deno.errors.NotFound(error.message);
    case "AlreadyExists":
      return new Deno.errors.AlreadyExists(error.message);
    default:
      return Object.assign(new Error(error.message), { name: error.name });
  }
}
