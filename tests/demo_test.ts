import assert from "node:assert/strict";

Deno.test("deno task demo prints a row per pool, every line within 80 columns", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../demo.ts", import.meta.url).pathname,
      "--trials",
      "200000",
      "--workers",
      "3",
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
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
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../demo.ts", import.meta.url).pathname, "--trials", "lots"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(new TextDecoder().decode(out.stderr), /--trials must be a whole number/);
});
