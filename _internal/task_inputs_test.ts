import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { fileUrl, resolveImports } from "./task_inputs.ts";

Deno.test("fileUrl() matches node:url's pathToFileURL for absolute paths", () => {
  for (const path of ["/work/main/", "/a b/c#d?e%f.ts", "/tmp/ü/x.ts", "/"]) {
    assert.equal(fileUrl(path), pathToFileURL(path).href);
  }
  assert.equal(fileUrl("C:\\Users\\me\\x.ts"), "file:///C:/Users/me/x.ts");
});

Deno.test("resolveImports() resolves paths against the caller, URLs as they are", () => {
  const caller = "file:///project/main.ts";
  assert.deepEqual(resolveImports(["./tasks.ts", "/abs/t.ts", "https://x.test/m.ts"], caller), [
    "file:///project/tasks.ts",
    "file:///abs/t.ts",
    "https://x.test/m.ts",
  ]);
  assert.deepEqual(resolveImports(undefined, caller), [caller]);
  assert.throws(() => resolveImports("x", caller), TypeError);
});
