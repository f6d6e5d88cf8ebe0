// The README's TypeScript snippets run as written, each as a script of its own (in a folder of
// this repository, so that "@workers/multiprocessing" resolves as it does for a user's
// project that maps it).
import assert from "node:assert/strict";
import { runDeno } from "./_program.ts";

const root = new URL("../", import.meta.url);
const readme = Deno.readTextFileSync(new URL("README.md", root));
const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m, i) => ({
  n: i + 1,
  line: readme.slice(0, m.index).split("\n").length,
  code: m[1]!,
}));

Deno.test("the README has TypeScript snippets to run", () => {
  assert.ok(blocks.length >= 5, `${blocks.length} snippets`);
});

for (const { n, line, code } of blocks) {
  Deno.test(`README snippet ${n} (line ${line}) runs as a script`, async () => {
    const dir = Deno.makeTempDirSync({ dir: root.pathname, prefix: ".readme_" });
    try {
      const path = `${dir}/snippet_${n}.ts`;
      Deno.writeTextFileSync(path, code);
      const out = await runDeno(["run", "-A", path]);
      assert.equal(out.code, 0, `snippet ${n} failed:\n${out.stdout}\n${out.stderr}`);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });
}
