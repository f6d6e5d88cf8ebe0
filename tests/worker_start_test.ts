import assert from "node:assert/strict";
import { Pool } from "../mod.ts";
import { workerTest } from "./_helpers.ts";
import { nestedWakeReport, wakeReport } from "./fixtures/wake_tasks.ts";

const imports = [new URL("./fixtures/wake_tasks.ts", import.meta.url)];

workerTest(
  "a worker started by a worker is woken from Deno's debugger wait on its first message",
  async () => {
    await using pool = new Pool(1, { imports });
    const wake = await pool.apply(nestedWakeReport, []);
    assert.ok(wake !== null, "the nested worker was not woken");
    // It waited Deno's 500 ms before loading (nothing shortens that one), so it armed the wake.
    assert.ok(wake.armedAt >= 450, `armed at ${wake.armedAt} ms`);
    assert.ok(wake.releasedAt !== undefined, "the wake-up session was not closed");
    // Unwoken, Deno holds the first message for its whole 500 ms grace
    // (`wait_for_debugger_enabled_for_worker_message`); woken, it passes as soon as it arrives
    // (a few ms here). The bound sits far from both.
    const held = wake.releasedAt - wake.armedAt;
    assert.ok(held < 250, `the first message was held ${held.toFixed(0)} ms`);
  },
);

workerTest("a worker started by the main thread of a program pays no wake-up", async () => {
  // Deno makes it wait for no debugger, so it gets the plain entry, without `node:inspector`.
  await using pool = new Pool(1, { imports });
  assert.equal(await pool.apply(wakeReport, []), null);
});

Deno.test("a worker started from `deno repl` is woken: the REPL's inspector session makes Deno wait", async () => {
  // The Jupyter kernel evaluates cells through the same REPL session, so its workers wait too.
  const mod = new URL("../mod.ts", import.meta.url).href;
  const fixture = new URL("./fixtures/wake_tasks.ts", import.meta.url).href;
  const script = [
    `const { Pool } = await import("${mod}");`,
    `const tasks = await import("${fixture}");`,
    `const pool = new Pool(1, { imports: [new URL("${fixture}")] });`,
    `console.log("WAKE " + JSON.stringify(await pool.apply(tasks.wakeReport, [])));`,
    `pool.terminate();`,
    `await pool.join();`,
    `close();`,
    ``,
  ].join("\n");
  const repl = new Deno.Command(Deno.execPath(), {
    args: ["repl", "-A"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).spawn();
  const writer = repl.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const { stdout } = await repl.output();
  const line = new TextDecoder().decode(stdout).split("\n").find((l) => l.startsWith("WAKE "));
  assert.ok(line !== undefined, "the REPL printed no report");
  const wake = JSON.parse(line.slice("WAKE ".length));
  assert.ok(wake !== null, "the REPL's worker was not woken");
  assert.ok(wake.releasedAt - wake.armedAt < 250, `held ${wake.releasedAt - wake.armedAt} ms`);
});

workerTest(
  "a pool whose first task sets the program's first timer starts exactly its workers",
  async () => {
    // Deno 2.9 ran the pool's queued birth decision inside that first setTimeout, and two
    // births at once started a third worker for a Pool(2). A test program of its own, where
    // no timer ran before.
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["test", "-A", new URL("./fixtures/first_timer_pool.ts", import.meta.url).href],
      env: { NO_COLOR: "1" },
    }).output();
    const decoder = new TextDecoder();
    assert.equal(out.code, 0, decoder.decode(out.stdout) + decoder.decode(out.stderr));
  },
);
