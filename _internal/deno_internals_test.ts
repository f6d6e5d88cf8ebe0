/**
 * The Deno internals the library leans on, each pinned here: where a Deno release removes or
 * reshapes one, this test fails and names it, instead of the library quietly degrading
 * (an idle pool holding the program open, or console output formatted by the fallback).
 * Supported replacements were looked for and do not exist in Deno 2.9: a Web `Worker` has no
 * `unref()` (only `node:worker_threads` workers do, which are not module workers with Deno's
 * permissions), and `Deno.inspect` formats values but not `console`'s format strings.
 */
import assert from "node:assert/strict";
import { denoConsoleReachable } from "./console_forward.ts";
import { workerRefSwitchFound } from "./start_worker.ts";

const version = `Deno ${Deno.version.deno}`;

Deno.test("Deno internals: a Web Worker's unnamed ref/unref switch is found (idle pools let the program end)", async () => {
  const source = "self.onmessage = () => self.postMessage('ok');";
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  const worker = new Worker(url, { type: "module" });
  try {
    assert.ok(
      workerRefSwitchFound(worker),
      `${version}: Worker's internal ref switch (a symbol-keyed method calling refCount/` +
        `unrefOpPromise) is gone, so idle pools and daemonic processes keep the program ` +
        `running; find its new shape in ext/web or runtime/js/11_workers.js`,
    );
    const answered = new Promise((resolve) => worker.onmessage = resolve);
    worker.postMessage("ping");
    await answered;
  } finally {
    worker.terminate();
    URL.revokeObjectURL(url);
  }
});

Deno.test("Deno internals: Deno's own Console class is in reach (forwarded output formats as Deno's)", () => {
  assert.ok(
    denoConsoleReachable(),
    `${version}: Deno[Deno.internal].Console is out of reach, so workers' forwarded console ` +
      `output is formatted by fallbackConsole(); check it against Deno's console, or find ` +
      `the class's new place`,
  );
});
