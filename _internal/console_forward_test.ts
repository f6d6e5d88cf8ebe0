import assert from "node:assert/strict";
import {
  type ConsoleMessage,
  fallbackConsole,
  formatArgs,
  forwardConsole,
  printForwarded,
} from "./console_forward.ts";

/** `text` without ANSI color codes: Deno's console colors its output on a terminal. */
function plain(text: string | undefined): string | undefined {
  // deno-lint-ignore no-control-regex
  return text?.replace(/\x1b\[[0-9;]*m/g, "");
}

/** Runs `fn` with the global console's methods forwarded into a list; restores them after. */
function forwarded(fn: () => void): ConsoleMessage[] {
  const saved = { ...console };
  const posted: ConsoleMessage[] = [];
  try {
    forwardConsole((message) => posted.push(message));
    fn();
  } finally {
    Object.assign(console, saved);
  }
  return posted;
}

Deno.test("forwardConsole() posts whole lines, stdout and stderr apart", () => {
  const posted = forwarded(() => {
    console.log("a %s", "b", { c: [1] });
    console.debug("debug");
    console.group("g");
    console.info("x\ny");
    console.groupEnd();
    console.warn("w");
    console.error(new RangeError("e").name);
    console.trace("t");
    console.assert(true, "never");
    console.assert(false, "failed %d", 1);
  });
  const text = (stream: string) =>
    posted.filter((m) => m.stream === stream).map((m) => plain(m.text));
  assert.deepEqual(text("stdout"), ["a b { c: [ 1 ] }", "debug", "g", "  x\n  y"]);
  const stderr = text("stderr");
  assert.deepEqual(stderr.slice(0, 2), ["w", "RangeError"]);
  // A trace is printed in two pieces: forwarded as one message of whole lines.
  assert.match(stderr[2]!, /^Trace: t\n {4}at /);
  assert.equal(stderr[2]!.endsWith("\n"), false);
  assert.deepEqual(stderr.slice(3), ["Assertion failed: failed 1"]);
  assert.ok(posted.every((m) => m.kind === "console"));
});

Deno.test("printForwarded() prints as it came, or tags every line", () => {
  const printed: [string, string][] = [];
  const { log, error } = console;
  console.log = (text: string) => printed.push(["out", text]);
  console.error = (text: string) => printed.push(["err", text]);
  try {
    printForwarded({ kind: "console", stream: "stdout", text: "50%s done" });
    printForwarded({ kind: "console", stream: "stderr", text: "a\n\nb" }, "PoolWorker-1");
  } finally {
    console.log = log;
    console.error = error;
  }
  assert.deepEqual(printed, [
    ["out", "50%s done"],
    ["err", "[PoolWorker-1] a\n[PoolWorker-1]\n[PoolWorker-1] b"],
  ]);
});

Deno.test("formatArgs() formats as Deno's console does", () => {
  const samples: unknown[][] = [
    ["plain"],
    ["%s is %d years, %i, %f%% %o %O %c.", "Bob", 42.7, "x", 0.5, { a: [1] }, [2], "color: red"],
    ["%d and %d", 10n],
    ["100%", 1],
    ["a", "b", 3, { c: "d" }, null, undefined, new Map([[1, "x"]])],
    [{ first: "not a string" }, "then"],
    ["%s", Symbol("s")],
  ];
  for (const args of samples) {
    // What Deno's own console prints, through the forwarding console.
    const [printed] = forwarded(() => console.log(...args));
    assert.equal(formatArgs(args, false), plain(printed?.text), Deno.inspect(args));
  }
});

Deno.test("fallbackConsole() prints groups, dir, assert and trace as Deno's console", () => {
  const out: [string, number][] = [];
  const c = fallbackConsole((text, level) => out.push([text, level]), false) as Record<
    string,
    (...args: unknown[]) => void
  >;
  c.log!("x", 1);
  c.group!("g");
  c.error!("in\ngroup");
  c.groupEnd!();
  c.dir!({ a: { b: { c: 1 } } }, { depth: 0 });
  c.assert!(false);
  c.assert!(false, { why: 1 });
  c.trace!("here");
  c.debug!("d");
  assert.deepEqual(out.slice(0, 7), [
    ["x 1\n", 1],
    ["g\n", 1],
    ["  in\n  group\n", 3],
    ["{ a: [Object] }\n", 1],
    ["Assertion failed\n", 3],
    ["Assertion failed: { why: 1 }\n", 3],
    [out[6]![0], 4],
  ]);
  assert.match(out[6]![0], /^Trace: here\n {4}at /);
  assert.deepEqual(out[7], ["d\n", 0]);
});
