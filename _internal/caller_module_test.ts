import assert from "node:assert/strict";
import { callerModule } from "./caller_module.ts";

Deno.test("callerModule() finds the first module outside the library", () => {
  // A test file beside the sources counts as the user's module, not the library's.
  assert.equal(callerModule(), import.meta.url);
});
