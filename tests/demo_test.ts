import assert from "node:assert/strict";
import { runDeno } from "./_program.ts";

Deno.test("deno task demo prints a row per pool, every line within 80 columns", async () => {
  const demo = new URL("../demo.ts", import.meta.url).pathname;
  const out = await runDeno(["run", "-A", demo, "--trials", "200000", "--workers", "3"], 120_000);
  const text = out.stdout;
  assert.equal(out.code, 0, out.stderr);
  const lines = text.split("\n");
  for (const line of lines) {
    assert.ok([...line].length <= 80, `${[...line].length} columns: ${line}`);
  }
  for (const how of ["serial", "Pool(1)", "Pool(2)", "Pool(3)"]) {
    assert.ok(lines.some((l) => l.startsWith(how)), `a row for ${how}:\n${text}`);
  }
  assert.match(text, /π is 3\.141593\./);
});

Deno.test("deno task demo refuses a bad flag with its usage", async () => {
  const demo = new URL("../demo.ts", import.meta.url).pathname;
  const out = await runDeno(["run", "-A", demo, "--trials", "lots"]);
  assert.equal(out.code, 2);
  assert.match(out.stderr, /--trials must be a whole number/);
});
