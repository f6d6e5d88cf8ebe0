import assert from "node:assert/strict";
import { openRegistryLink } from "../_internal/registry.ts";
import { SharedMemory } from "../shared/shared_memory.ts";
import { workerTest } from "./_helpers.ts";

const script = new URL("./fixtures/registry_worker.ts", import.meta.url);

function ask(worker: Worker, command: unknown, transfer: Transferable[] = []): Promise<unknown> {
  return new Promise((resolve) => {
    worker.onmessage = (event) => resolve(event.data);
    worker.postMessage(command, transfer);
  });
}

workerTest("registry: a worker's lookups are answered on its line", async () => {
  using shm = new SharedMemory({ name: "test_line", create: true, size: 3 });
  const worker = new Worker(script, { type: "module" });
  const line = openRegistryLink();
  try {
    assert.equal(await ask(worker, { link: line.link }, [line.link.port]), "adopted");
    assert.deepEqual(await ask(worker, { name: "test_line" }), { ok: true, size: 3 });
    const missing = await ask(worker, { name: "test_line_missing" }) as { name: string };
    assert.equal(missing.name, "NotFound");
  } finally {
    worker.terminate();
    line.close();
    line.close(); // idempotent
    shm.unlink();
  }
});

workerTest("registry: a worker waiting on a line that closes throws, never hangs", async () => {
  using shm = new SharedMemory({ name: "test_line_closing", create: true, size: 1 });
  const worker = new Worker(script, { type: "module" });
  const line = openRegistryLink();
  try {
    assert.equal(await ask(worker, { link: line.link }, [line.link.port]), "adopted");
    const started = new Int32Array(new SharedArrayBuffer(4));
    const answer = ask(worker, { name: "test_line_closing", started });
    // Keep this thread busy, so the request stays unanswered, until the worker is waiting;
    // then close the line under it.
    Atomics.wait(started, 0, 0, 5000);
    Atomics.wait(started, 0, 1, 50);
    line.close();
    const out = await answer as { ok: boolean; message: string };
    assert.equal(out.ok, false);
    assert.match(out.message, /out of reach/);
    // And so does every later request on it.
    const later = await ask(worker, { name: "test_line_closing" }) as { message: string };
    assert.match(later.message, /out of reach/);
  } finally {
    worker.terminate();
    line.close();
    shm.unlink();
  }
});
