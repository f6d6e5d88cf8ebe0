/**
 * {@linkcode rawSpinPingPong}: the floor of any ping-pong between two workers on this machine
 * at this moment, measured without the library, for the "Message passing" and
 * "Synchronisation" sections alike. It runs in the workers, which import this module (it
 * imports nothing at run time) because the function crosses into them by reference.
 *
 * @module
 */

import type { Barrier } from "../mod.ts";

/** Longest a side waits for the other before the run is reported as a failure (ms). */
const NO_ANSWER_MS = 20_000;
/** How long a raw spinning run may take before it stops early (ms). */
const RAW_BUDGET_MS = 3_000;

/**
 * In a worker: a ping-pong without the library, both sides spinning on `Atomics.load`
 * of two cells: the floor of any ping-pong on this machine at this moment, ~0.3 µs when both
 * workers have a core, a scheduler time slice per trip when they share one. After `warm`
 * untimed round trips, `n` timed ones; a run that would take longer than 3 s stops early
 * (the ping side tells the other with the mark `-1`) and reports the trips it made.
 *
 * @param role Which side.
 * @param buffer Two `Int32` cells, both 0 at the start.
 * @param gate A barrier of both sides.
 * @param warm Untimed round trips first.
 * @param n Timed round trips.
 * @returns µs per round trip on the `"ping"` side, `0` on the other.
 * @throws {Error} The other side did not answer within 20 s.
 */
export function rawSpinPingPong(
  role: "ping" | "pong",
  buffer: SharedArrayBuffer,
  gate: Barrier,
  warm: number,
  n: number,
): number {
  const cells = new Int32Array(buffer);
  const total = warm + n;
  gate.waitSync({ timeout: NO_ANSWER_MS });
  const start = performance.now();
  const deadline = start + NO_ANSWER_MS;
  /** Spins until `cells[index]` is `value` (or `-1`, the end); throws if the other is gone. */
  const spinUntil = (index: number, value: number) => {
    for (let k = 1;; k++) {
      const seen = Atomics.load(cells, index);
      if (seen === value || seen === -1) return;
      if ((k & 0xffff) === 0 && performance.now() > deadline) {
        throw new Error(`${role}: no answer after ${NO_ANSWER_MS} ms`);
      }
    }
  };
  if (role === "pong") {
    for (let i = 1; i <= total && Atomics.load(cells, 0) !== -1; i++) {
      spinUntil(0, i);
      Atomics.store(cells, 1, i);
    }
    return 0;
  }
  let t0 = start;
  let i = 1;
  for (; i <= total; i++) {
    if (i === warm + 1) t0 = performance.now();
    Atomics.store(cells, 0, i);
    spinUntil(1, i);
    if ((i & 0xf) === 0 && performance.now() - start > RAW_BUDGET_MS) break;
  }
  const end = performance.now();
  Atomics.store(cells, 0, -1);
  const done = Math.min(i, total);
  // Stopped in the warm-up (a very busy machine): the warm-up trips are all there is.
  return done > warm ? ((end - t0) * 1e3) / (done - warm) : ((end - start) * 1e3) / done;
}
