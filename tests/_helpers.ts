/**
 * Test helpers. Deno's sanitizers do not notice a worker that was never terminated, so this
 * module counts live Web Workers itself (every `new Worker` in this thread, whoever makes it)
 * and {@linkcode workerTest} fails a test that leaves one running.
 *
 * @module
 */

import assert from "node:assert/strict";

const NativeWorker = globalThis.Worker;
let live = 0;

class CountingWorker extends NativeWorker {
  #ended = false;
  constructor(url: string | URL, options?: WorkerOptions) {
    super(url, options);
    live++;
  }
  override terminate(): void {
    if (!this.#ended) {
      this.#ended = true;
      live--;
    }
    super.terminate();
  }
}
globalThis.Worker = CountingWorker;

/** Workers started in this thread and not yet terminated. */
export function liveWorkers(): number {
  return live;
}

/** `Deno.test` that also fails when the test leaves a worker running. */
export function workerTest(name: string, fn: (t: Deno.TestContext) => Promise<void>): void {
  Deno.test(name, async (t) => {
    const before = live;
    try {
      await fn(t);
    } finally {
      const leaked = live - before;
      assert.equal(leaked, 0, `${name}: ${leaked} worker(s) outlived the test`);
    }
  });
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `ready` every `every` ms until it holds; rejects after `ms` with a message naming
 * `what`, so a poll that never comes true fails the test instead of hanging it.
 */
export async function until(
  ready: () => boolean,
  what: string,
  { ms = 10_000, every = 5 }: { ms?: number; every?: number } = {},
): Promise<void> {
  const deadline = performance.now() + ms;
  while (!ready()) {
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    }
    await delay(every);
  }
}

/** Rejects when `promise` takes longer than `ms`: nothing may wait forever. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}
