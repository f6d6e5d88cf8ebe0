/**
 * The `subprocess` backend: each worker an operating-system child process, killable for real.
 */
import assert from "node:assert/strict";
import {
  currentProcess,
  delayed,
  Lock,
  Parallel,
  Pool,
  RemoteError,
  WorkerCrashedError,
} from "../mod.ts";
import { runProgram } from "./_program.ts";
import { chatty, killOwnProcess, who } from "./fixtures/subprocess_tasks.ts";

Deno.test("subprocess pools run map, starmap and apply in child processes of their own", async () => {
  await using pool = new Pool(2, { backend: "subprocess" });
  assert.equal(pool.backend, "subprocess");
  const results = await pool.map(who, [1, 2, 3, 4], { chunksize: 1 });
  assert.deepEqual(results.map(([x]) => x), [2, 4, 6, 8]);
  const pids = new Set(results.map(([, , pid]) => pid));
  assert.ok(!pids.has(Deno.pid), "not this process");
  assert.equal(pids.size, 2, "one process per worker");
  assert.ok(results.every(([, name]) => /^PoolWorker-\d+$/.test(name)));
  const idents = await pool.map(() => currentProcess().ident, [1, 2, 3, 4], { chunksize: 1 });
  assert.equal(new Set(idents).size, 2, `each worker its own ident, got ${idents}`);
  const k = 5;
  assert.deepEqual(await pool.map((x: number) => x * 5, [1, 2]), [k, 2 * k]);
  assert.deepEqual(await pool.starmap((a: number, b: number) => a - b, [[5, 2], [1, 1]]), [3, 0]);
  await assert.rejects(
    pool.apply(() => {
      throw new RangeError("nope");
    }),
    (error) => error instanceof RemoteError && /RangeError: nope/.test(error.message),
  );
});

Deno.test("a subprocess worker whose process is killed fails its task, and the pool goes on", async () => {
  await using pool = new Pool(1, { backend: "subprocess" });
  const [, , first] = await pool.apply(who, [0]);
  await assert.rejects(pool.apply(killOwnProcess), WorkerCrashedError);
  const [value, , second] = await pool.apply(who, [21]);
  assert.equal(value, 42);
  assert.notEqual(second, first, "a fresh process");
});

Deno.test("shared objects do not cross to a subprocess worker: a TypeError says why", async () => {
  await using pool = new Pool(1, { backend: "subprocess" });
  await assert.rejects(
    pool.apply((l: Lock) => l.locked(), [new Lock()]),
    { name: "TypeError", message: /cannot cross to a worker in another process/ },
  );
});

Deno.test("a subprocess worker's console output reaches this program", async () => {
  const out = await runProgram("print_subprocess.ts");
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(out.stdout.trim().split("\n"), ["task 7 says hello", "7"]);
});

Deno.test("terminate() kills a subprocess task stuck in a loop: the program ends", async () => {
  const out = await runProgram("subprocess_tasks.ts", "stuck");
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout), { stuck: "PoolClosedError", alive: false });
});

Deno.test("Parallel's timeout on the subprocess backend stops a stuck task: the program ends", async () => {
  const out = await runProgram("subprocess_tasks.ts", "timeout");
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout), { timeout: "TimeoutError" });
});

Deno.test("an idle subprocess pool left open lets the program end", async () => {
  const out = await runProgram("subprocess_tasks.ts", "idle");
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout), { idle: 2 });
});

Deno.test("Parallel runs delayed calls on the subprocess backend", async () => {
  await using parallel = Parallel({ nJobs: 2, backend: "subprocess" });
  assert.deepEqual(await parallel([1, 2, 3].map((x) => delayed(chatty)(x))), [1, 2, 3]);
});

Deno.test("a subprocess worker whose parent was killed exits, even while stuck in a loop", async () => {
  const fixture = new URL("./fixtures/subprocess_tasks.ts", import.meta.url).pathname;
  const parent = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", fixture, "orphan"],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = parent.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) text += (await reader.read()).value ?? "";
  const pid = Number(text.trim());
  parent.kill("SIGKILL");
  await parent.status;
  await reader.cancel();
  const alive = () => {
    try {
      Deno.kill(pid, "SIGCONT");
      return true;
    } catch {
      return false;
    }
  };
  const until = Date.now() + 10_000;
  while (alive() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  assert.equal(alive(), false, `worker process ${pid} outlived its parent`);
});
