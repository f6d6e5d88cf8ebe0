/**
 * The task functions of the "Message passing" section (`bench/ipc.ts`): they run in the
 * workers, which import this module (and only the library with it) because the functions
 * cross into them by reference.
 *
 * @module
 */

import type { Barrier, Connection, Queue } from "../mod.ts";
import { describeGot, stamp } from "./_util.ts";

/** Longest any wait of a benchmark task may take before it is reported as a failure. */
export const TASK_TIMEOUT_MS = 20_000;
/** The options of every wait of a benchmark task. */
export const WAIT = { timeout: TASK_TIMEOUT_MS } as const;

// Task functions: they run in the workers.

/** A round trip slower than this (µs) met a sleep/wake or a preemption. */
export const SLOW_TRIP_US = 50;

/** What the `"ping"` side of one timed ping-pong run saw. */
export interface TripStats {
  /** µs per round trip: the run's time over its round trips. */
  perTripUs: number;
  /** The median round trip, µs. */
  typicalUs: number;
  /** The share of round trips slower than {@linkcode SLOW_TRIP_US}. */
  slowShare: number;
  /** The share of the run's time spent in those. */
  slowTimeShare: number;
}

/** The statistics of a run from `n + 1` stamps (ms): the start of each round trip, the end. */
function tripStats(stamps: Float64Array, n: number): TripStats {
  const trips = new Float64Array(n);
  let slow = 0;
  let slowTime = 0;
  for (let i = 0; i < n; i++) {
    const t = (stamps[i + 1]! - stamps[i]!) * 1e3;
    trips[i] = t;
    if (t > SLOW_TRIP_US) {
      slow++;
      slowTime += t;
    }
  }
  const total = (stamps[n]! - stamps[0]!) * 1e3;
  trips.sort();
  const mid = n >> 1;
  return {
    perTripUs: total / n,
    typicalUs: n % 2 === 1 ? trips[mid]! : (trips[mid - 1]! + trips[mid]!) / 2,
    slowShare: slow / n,
    slowTimeShare: total > 0 ? slowTime / total : 0,
  };
}

/** The tutorial's packet of information, `[42, null, "hello"]`, numbered. */
export type Packet = [number, null, string];

/**
 * In a worker: waits at `gate` (a barrier of every party of the run), so that each starts
 * once all are running.
 *
 * @param gate The barrier.
 * @returns Nothing useful.
 */
export function meet(gate: Barrier): number {
  return gate.waitSync(WAIT);
}

/**
 * In a worker (or, for `"pong"`, facing the main program): one side of the tutorial's
 * exercise over a pipe. `"ping"` sends `[i, null, "hello"]` and waits for it to come back;
 * `"pong"` sends back what it receives. After `warm` untimed round trips, `n` timed ones.
 *
 * @param role Which side.
 * @param conn This side's end of the pipe.
 * @param gate A barrier of both sides, or `null` to start at once.
 * @param warm Untimed round trips first.
 * @param n Timed round trips.
 * @param int Send a bare int instead of the packet.
 * @returns The run's statistics on the `"ping"` side (every timed round trip is stamped,
 * which adds ~0.2 µs to each), `null` on the other.
 * @throws {Error} A message out of order, lost, duplicated, or a wait that timed out.
 */
export function pipePingPong(
  role: "ping" | "pong",
  conn: Connection<Packet | number>,
  gate: Barrier | null,
  warm: number,
  n: number,
  int = false,
): TripStats | null {
  gate?.waitSync(WAIT);
  const total = warm + n;
  if (role === "pong") {
    for (let i = 0; i < total; i++) conn.send(conn.recvSync(WAIT));
    if (conn.pollSync()) {
      throw new Error(`pong: a message beyond the ${total} sent: ${describeGot(conn.recvSync())}`);
    }
    return null;
  }
  const stamps = new Float64Array(n + 1);
  for (let i = 0; i < total; i++) {
    if (i >= warm) stamps[i - warm] = performance.now();
    conn.send(int ? i : [i, null, "hello"]);
    const got = conn.recvSync(WAIT);
    if (int ? got !== i : (got as Packet)[0] !== i || (got as Packet)[2] !== "hello") {
      throw new Error(`ping: round trip ${i} brought back ${describeGot(got)}`);
    }
  }
  stamps[n] = performance.now();
  if (conn.pollSync()) {
    throw new Error(`ping: a message beyond the ${total} echoed: ${describeGot(conn.recvSync())}`);
  }
  return tripStats(stamps, n);
}

/**
 * In a worker: the exercise over two queues. `"ping"` puts the packet into `there` and waits
 * for it in `back`; `"pong"` moves each packet from `there` to `back`.
 *
 * @param role Which side.
 * @param there The queue from ping to pong.
 * @param back The queue from pong to ping.
 * @param gate A barrier of both sides.
 * @param warm Untimed round trips first.
 * @param n Timed round trips.
 * @returns The run's statistics on the `"ping"` side, `null` on the other.
 * @throws {Error} A message out of order, lost, duplicated, or a wait that timed out.
 */
export function queuePingPong(
  role: "ping" | "pong",
  there: Queue<Packet>,
  back: Queue<Packet>,
  gate: Barrier,
  warm: number,
  n: number,
): TripStats | null {
  gate.waitSync(WAIT);
  const total = warm + n;
  if (role === "pong") {
    for (let i = 0; i < total; i++) back.putSync(there.getSync(WAIT));
    return null;
  }
  const stamps = new Float64Array(n + 1);
  for (let i = 0; i < total; i++) {
    if (i >= warm) stamps[i - warm] = performance.now();
    there.putSync([i, null, "hello"]);
    const got = back.getSync(WAIT);
    if (got[0] !== i || got[2] !== "hello") {
      throw new Error(`ping: round trip ${i} brought back ${describeGot(got)}`);
    }
  }
  stamps[n] = performance.now();
  if (!there.empty() || !back.empty()) {
    throw new Error(`ping: messages left over (${there.qsize()} there, ${back.qsize()} back)`);
  }
  return tripStats(stamps, n);
}

/**
 * In a worker: puts `0…n-1` (or `{ id: i, name: "x" }`) into `queue` as fast as it can.
 *
 * @param queue The queue.
 * @param gate A barrier with the consumer, or `null` to start at once.
 * @param n Messages.
 * @param objects Put small objects rather than ints.
 * @returns When the first put started (process-wide clock, ms).
 */
export function produce(
  queue: Queue<number | { id: number; name: string }>,
  gate: Barrier | null,
  n: number,
  objects: boolean,
): number {
  gate?.waitSync(WAIT);
  const start = stamp();
  if (objects) {
    for (let i = 0; i < n; i++) queue.putSync({ id: i, name: "x" });
  } else {
    for (let i = 0; i < n; i++) queue.putSync(i);
  }
  return start;
}

/**
 * In a worker: takes `n` messages from `queue`, checking that they come in order.
 *
 * @param queue The queue.
 * @param gate A barrier with the producer.
 * @param n Messages.
 * @param objects Expect small objects rather than ints.
 * @returns When the last get returned (process-wide clock, ms).
 * @throws {Error} A message out of order or lost, one left over, or a wait that timed out.
 */
export function consume(
  queue: Queue<number | { id: number; name: string }>,
  gate: Barrier,
  n: number,
  objects: boolean,
): number {
  gate.waitSync(WAIT);
  for (let i = 0; i < n; i++) {
    const got = queue.getSync(WAIT);
    const id = objects ? (got as { id: number }).id : got;
    if (id !== i) throw new Error(`consumer: message ${i} was ${describeGot(got)}`);
  }
  const end = stamp();
  if (!queue.empty()) throw new Error(`consumer: ${queue.qsize()} messages beyond the ${n} put`);
  return end;
}

/** `length` float64s of 0, 1, 2… */
function ramp(length: number): Float64Array {
  const data = new Float64Array(length);
  for (let i = 0; i < length; i++) data[i] = i;
  return data;
}

/**
 * In a worker: sends one large `Float64Array` of 0, 1, 2… down `conn`.
 *
 * @param conn The sending end.
 * @param gate A barrier with the receiver.
 * @param length Elements.
 * @returns When the send started (process-wide clock, ms).
 */
export function sendBig(conn: Connection<Float64Array>, gate: Barrier, length: number): number {
  const data = ramp(length);
  gate.waitSync(WAIT);
  const start = stamp();
  conn.send(data);
  return start;
}

/**
 * In a worker: receives the large message of {@linkcode sendBig} and checks it.
 *
 * @param conn The receiving end.
 * @param gate A barrier with the sender.
 * @param length Elements expected.
 * @returns When it was received (process-wide clock, ms).
 * @throws {Error} A message of the wrong type, length or content.
 */
export function recvBig(conn: Connection<Float64Array>, gate: Barrier, length: number): number {
  gate.waitSync(WAIT);
  const got = conn.recvSync(WAIT);
  const end = stamp();
  if (!(got instanceof Float64Array) || got.length !== length) {
    throw new Error(`receiver: expected a Float64Array of ${length}, got ${describeGot(got)}`);
  }
  for (let i = 0; i < length; i += 4099) {
    if (got[i] !== i) throw new Error(`receiver: element ${i} is ${got[i]}`);
  }
  if (got[length - 1] !== length - 1) throw new Error(`receiver: the last element is wrong`);
  return end;
}

/**
 * In a worker: MB/s of a plain copy of `bytes` bytes between two arrays of its own (the best
 * of `rounds`), the floor of a large message's trip, which copies it several times.
 *
 * @param bytes Bytes per copy.
 * @param rounds Copies timed.
 * @returns MB/s (MB = 2^20 bytes) of each round.
 */
export function copyRate(bytes: number, rounds: number): number[] {
  const from = new Uint8Array(bytes).fill(7);
  const to = new Uint8Array(bytes);
  to.set(from);
  const out: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    to.set(from);
    out.push(bytes / 2 ** 20 / ((performance.now() - t0) / 1e3));
  }
  return out;
}
