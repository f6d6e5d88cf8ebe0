import assert from "node:assert/strict";
import type {
  MainToWorker,
  RegistryLink,
  RegistryReply,
  RegistryRequest,
  WorkerToMain,
} from "./protocol.ts";
import { serializeError } from "./protocol.ts";

const fn = { id: 1, name: "f", source: "(x) => x" };
const messages: (MainToWorker | WorkerToMain)[] = [
  {
    kind: "init",
    identity: { name: "PoolWorker-1", ident: 1 },
    imports: ["file:///a.ts"],
    context: { values: { a: 1 }, functions: { g: "() => 1" }, shared: false },
    initializer: fn,
    initargs: [1, "x"],
    initargsShared: false,
    identCounter: new SharedArrayBuffer(8),
    console: "forward",
    role: "pool",
    claims: new SharedArrayBuffer(8),
    reportMemory: true,
  },
  {
    kind: "init",
    identity: { name: "Process-2", ident: 2, daemon: true },
    imports: [],
    context: { values: {}, functions: {}, shared: false },
    initializer: null,
    initargs: [],
    initargsShared: false,
    identCounter: new SharedArrayBuffer(8),
    console: "tagged",
    role: "process",
  },
  { kind: "run", batch: 1, cell: 0, fn: 1, def: fn, mode: "one", calls: [1, 2], shared: false },
  {
    kind: "run",
    batch: 2,
    cell: 1,
    fn: 1,
    def: null,
    mode: "star",
    calls: new Float64Array([1]),
    shared: false,
  },
  {
    kind: "run",
    batch: 4,
    cell: 0,
    fn: 1,
    def: null,
    mode: "star",
    calls: [[1], [2]],
    shared: false,
    separate: true,
  },
  { kind: "ready" },
  { kind: "initFailed", error: { name: "Error", message: "no" } },
  { kind: "done", batch: 1, values: new Float64Array([1, 2]), shared: false },
  { kind: "done", batch: 2, values: [], shared: false, memory: 12_345_678 },
  {
    kind: "failed",
    batch: 1,
    error: { name: "TypeError", message: "x", stack: "s" },
    values: [1],
    shared: false,
  },
  {
    kind: "failed",
    batch: 2,
    error: { name: "Error", message: "y" },
    values: [],
    shared: false,
    memory: 9_000_000,
  },
  {
    kind: "settled",
    batch: 4,
    from: 0,
    values: [1, undefined],
    shared: false,
    errors: [[1, { name: "RangeError", message: "bad" }]],
    last: false,
  },
  {
    kind: "settled",
    batch: 4,
    from: 2,
    values: new Float64Array(64),
    shared: false,
    errors: [],
    last: true,
    memory: 1_000,
  },
  { kind: "crashed", batch: null, how: "called self.close()", error: null, exitCode: 0 },
  {
    kind: "crashed",
    batch: 3,
    how: "had an uncaught error",
    error: { name: "Error", message: "escaped", stack: "Error: escaped" },
    exitCode: 1,
  },
  { kind: "console", stream: "stdout", text: "hello bob" },
  { kind: "console", stream: "stderr", text: "Trace: here\n    at f (file:///a.ts:1:1)" },
];

const seen = new Map<string, number>();
for (const message of messages) {
  const nth = (seen.get(message.kind) ?? 0) + 1;
  seen.set(message.kind, nth);
  const which = nth === 1 ? "" : ` (${nth})`;
  Deno.test(`protocol: a "${message.kind}" message${which} survives a structured clone`, () => {
    assert.deepEqual(structuredClone(message), message);
  });
}

/** Clones `message` as postMessage would, ports transferred; checks it survives; closes the ports. */
function assertRoundTrip(message: object, ports: MessagePort[]): void {
  const copy = structuredClone(message, { transfer: ports });
  const portsOf = (value: unknown): MessagePort[] =>
    value instanceof MessagePort
      ? [value]
      : typeof value === "object" && value !== null
      ? Object.values(value).flatMap(portsOf)
      : [];
  const received = portsOf(copy);
  try {
    assert.equal(received.length, ports.length);
    // Ports are compared by kind (each clone is a new object with its own id).
    const blank = (value: unknown): unknown =>
      value instanceof MessagePort
        ? "port"
        : value instanceof SharedArrayBuffer || value === null || typeof value !== "object"
        ? value
        : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, blank(v)]));
    assert.deepEqual(blank(copy), blank(message));
  } finally {
    for (const port of [...ports, ...received]) port.close();
  }
}

Deno.test(`protocol: an "init" message with a registry link survives a transfer`, () => {
  const channel = new MessageChannel();
  const registry: RegistryLink = { port: channel.port2, flag: new SharedArrayBuffer(4) };
  const init = { ...messages[0]!, registry } as MainToWorker;
  assertRoundTrip(init, [channel.port2]);
  channel.port1.close();
});

const block = { buffer: new SharedArrayBuffer(8), token: "t" };
const registryMessages: (RegistryRequest | RegistryReply)[] = [
  { kind: "create", seq: 1, name: "a", block },
  { kind: "lookup", seq: 2, name: "a" },
  { kind: "unlink", seq: 3, name: "a", token: "t" },
  { kind: "drop", id: 1 },
  { kind: "ok", seq: 2, block },
  { kind: "ok", seq: 1, block: null },
  { kind: "error", seq: 2, error: { name: "NotFound", message: "no", stack: "s" } },
];

for (const message of registryMessages) {
  Deno.test(`protocol: a registry "${message.kind}" message survives a structured clone`, () => {
    assert.deepEqual(structuredClone(message), message);
  });
}

Deno.test(`protocol: a registry "adopt" message survives a transfer`, () => {
  const channel = new MessageChannel();
  const adopt: RegistryRequest = {
    kind: "adopt",
    id: 1,
    link: { port: channel.port1, flag: new SharedArrayBuffer(4) },
  };
  assertRoundTrip(adopt, [channel.port1]);
  channel.port2.close();
});

Deno.test("serializeError() keeps name, message and stack, and explains non-errors", () => {
  const error = new RangeError("out");
  const out = serializeError(error);
  assert.equal(out.name, "RangeError");
  assert.equal(out.message, "out");
  assert.equal(out.stack, error.stack);
  assert.equal(out.transport, undefined);
  assert.equal(serializeError(error, true).transport, true);
  assert.match(serializeError("oops").message, /non-Error value was thrown: "oops"/);
  assert.match(serializeError(42).message, /42/);
  // A thrown plain value is kept, and printed readably.
  const plain = serializeError({ code: 7, detail: "x" });
  assert.equal(plain.message, `A non-Error value was thrown: { code: 7, detail: "x" }`);
  assert.deepEqual(plain.thrown, { value: { code: 7, detail: "x" } });
  assert.deepEqual(serializeError(undefined).thrown, { value: undefined });
  // One that cannot be cloned, by its printed form.
  const unclonable = serializeError({ f() {} });
  assert.equal(typeof unclonable.thrown?.value, "string");
  assert.doesNotThrow(() => structuredClone(unclonable));
  assert.ok(serializeError("x".repeat(5_000)).message.length < 1_100);
});
