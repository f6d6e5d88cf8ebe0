/**
 * The functions of notebook 003 (the tour of tutorial 003) that workers take by reference, and
 * the tutorial's first and last examples as a script:
 *
 * ```sh
 * deno run -A notebooks/tour_tasks.ts pool      # [1, 2, 5, 10, 17, 26, 37, 50]
 * deno run -A notebooks/tour_tasks.ts doubler   # 5 doubled to 10 by: Process-2 …
 * ```
 *
 * Every worker that takes a function from here imports this module afresh (each worker is
 * "spawned"), so the script's own work sits under `if (import.meta.main)`, as Python's sits
 * under `if __name__ == '__main__'`: without the guard each worker would start a pool of its
 * own (the library refuses that with an error naming the guard).
 *
 * @module
 */

import {
  type Connection,
  currentProcess,
  Pool,
  Process,
  type Queue,
} from "@workers/multiprocessing";

/** `def f(x): return x*x+1`, the first example's task. */
export function f(x: number): number {
  return x * x + 1;
}

/** The exercise's last example: prints who doubled the number. */
export function doubler(num: number): void {
  const result = num * 2;
  const procName = currentProcess().name;
  console.log(`${num} doubled to ${result} by: ${procName}`);
}

/** How long a side of the ping-pong waits for the other before it gives up (ms). */
const PATIENCE_MS = 30_000;

/** One timed ping-pong run: `trips` round trips took `us` microseconds each. */
export interface PingPongRun {
  /** Round trips in the run. */
  trips: number;
  /** Microseconds per round trip. */
  us: number;
}

/**
 * The exercise's first process: for each number of round trips it takes from `orders`, sends a
 * packet `[i, null, "hello"]` over the pipe and waits for it to come back that many times
 * (after ten untimed trips), and puts the run's time per round trip into `results`. An order
 * of `0` ends it, and it tells the other side to stop.
 *
 * @param conn Its end of the pipe.
 * @param orders Round trips of each timed run, `0` to stop.
 * @param results Where each run's {@linkcode PingPongRun} goes.
 * @throws {Error} A packet came back changed or out of order.
 */
export function ping(conn: Connection, orders: Queue<number>, results: Queue<PingPongRun>): void {
  for (;;) {
    const trips = orders.getSync({ timeout: PATIENCE_MS });
    if (trips === 0) break;
    for (let i = 0; i < 10; i++) {
      conn.send([i, null, "hello"]);
      conn.recvSync({ timeout: PATIENCE_MS });
    }
    const start = performance.now();
    for (let i = 0; i < trips; i++) {
      conn.send([i, null, "hello"]);
      const back = conn.recvSync({ timeout: PATIENCE_MS }) as [number, null, string];
      if (back[0] !== i || back[2] !== "hello") {
        throw new Error(`round trip ${i} came back as ${JSON.stringify(back)}`);
      }
    }
    const us = (performance.now() - start) * 1000 / trips;
    results.putSync({ trips, us });
  }
  conn.send("stop");
}

/**
 * The exercise's second process: sends back every packet it receives, until `"stop"`.
 *
 * @param conn Its end of the pipe.
 */
export function pong(conn: Connection): void {
  for (;;) {
    const packet = conn.recvSync({ timeout: PATIENCE_MS });
    if (packet === "stop") return;
    conn.send(packet);
  }
}

if (import.meta.main) { // executed only when this file is the program, never in a worker
  switch (Deno.args[0]) {
    case "pool": {
      await using p = new Pool(4);
      console.log(JSON.stringify(await p.map(f, [0, 1, 2, 3, 4, 5, 6, 7])).replaceAll(",", ", "));
      break;
    }
    case "doubler": {
      // The tutorial's program, line for line: the first Process is made and never started,
      // so the five started ones are Process-2 … Process-6.
      const numbers = [5, 10, 15, 20, 25];
      const procs: Process[] = [];
      let proc = new Process({ target: doubler, args: [5] });
      for (const num of numbers) {
        proc = new Process({ target: doubler, args: [num] });
        procs.push(proc);
        proc.start();
      }
      proc = new Process({ target: doubler, name: "Test", args: [2] });
      proc.start();
      procs.push(proc);
      for (const proc of procs) await proc.join();
      break;
    }
    default:
      console.error("usage: deno run -A tour_tasks.ts pool|doubler");
      Deno.exit(2);
  }
}
