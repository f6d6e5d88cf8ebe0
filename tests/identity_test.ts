import assert from "node:assert/strict";
import { cpuCount, currentProcess, Pool } from "../mod.ts";
import { workerTest } from "./_helpers.ts";

workerTest("currentProcess() names the main program and each pool worker", async () => {
  assert.equal(currentProcess().name, "MainProcess");
  assert.equal(currentProcess().ident, Deno.pid);
  assert.equal(cpuCount(), navigator.hardwareConcurrency);
  await using pool = new Pool(2);
  const seen = await pool.map(
    async (_: number) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const { name, ident, pid } = currentProcess();
      return { name, ident, pid };
    },
    [1, 2, 3, 4, 5, 6],
    1,
  );
  const names = new Set(seen.map((s) => s.name));
  assert.equal(names.size, 2);
  for (const name of names) assert.match(name, /^PoolWorker-\d+$/);
  // One ident per worker, stable across its tasks.
  const identsByName = new Map(seen.map((s) => [s.name, s.ident]));
  for (const s of seen) assert.equal(identsByName.get(s.name), s.ident);
  assert.ok(seen.every((s) => s.pid === Deno.pid));
});

workerTest("workers of different pools get distinct names and idents", async () => {
  await using a = new Pool(1);
  await using b = new Pool(1, { name: "Scatter" });
  const [ia, ib] = await Promise.all([
    a.apply(() => currentProcess()),
    b.apply(() => currentProcess()),
  ]);
  assert.notEqual(ia.ident, ib.ident);
  assert.match(ib.name, /^Scatter-\d+$/);
  assert.notEqual(ia.name.split("-")[1], ib.name.split("-")[1]);
});

workerTest("the inline backend runs in the main program", async () => {
  await using pool = new Pool(2, { backend: "inline" });
  const captured = 5;
  // Closures work inline: the function object itself is called.
  assert.deepEqual(await pool.map((x: number) => x * captured, [1, 2]), [5, 10]);
  assert.equal(await pool.apply(() => currentProcess().name), "MainProcess");
});
