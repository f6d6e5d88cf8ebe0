// A program without read access to the library cannot start workers: one clear error naming
// the flag, instead of a "Requires read access" line per worker and a pool that gives up.
import assert from "node:assert/strict";
import { runDeno } from "./_program.ts";

const fixture = new URL("./fixtures/needs_read.ts", import.meta.url).pathname;
const root = new URL("../", import.meta.url).pathname;

function run(...flags: string[]) {
  return runDeno(["run", ...flags, fixture]);
}

Deno.test("without read access, new Pool() fails once, naming the permission and the flag", async () => {
  const { code, stderr } = await run();
  assert.notEqual(code, 0);
  assert.match(stderr, /NotCapable: Cannot start a worker: workers load the library's files/);
  assert.match(stderr, /--allow-read/);
  assert.doesNotMatch(stderr, /Requires read access/);
  assert.doesNotMatch(stderr, /BrokenPoolError/);
});

Deno.test("read access to the library alone is enough for by-value tasks", async () => {
  const { code, stdout, stderr } = await run(`--allow-read=${root}`);
  assert.equal(code, 0, stderr);
  assert.equal(stdout.trim(), "[2,4,6]");
});
