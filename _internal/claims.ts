/**
 * Claim cells: who owns a chunk that was sent to a pool worker, the worker or the main program.
 *
 * Each pool worker has a few `Int32` cells in a `SharedArrayBuffer`, one per chunk it may have
 * in flight. When the main program sends a chunk it writes the chunk's batch number into a free
 * cell (the chunk is *offered*). Just before the worker runs a chunk it swaps the batch number
 * for its negation with a compare-and-swap (the chunk is *claimed*); the main program may swap
 * it for `0` instead (the chunk is *taken back*). Exactly one of the two swaps wins:
 *
 * - claimed: the task may have run (or be running), so it is never run again; if the worker
 *   dies before answering, the task fails with `WorkerCrashedError`;
 * - taken back: the worker never runs it (it skips the message when it comes to it), so the
 *   main program may send it to another worker: to an idle one while this worker is busy with
 *   a long task, or to a fresh worker after this one died.
 *
 * Batch numbers are unique among a worker's chunks in flight, so a cell can be offered again
 * for a new chunk while the worker has yet to skip the old one: its swap then finds another
 * number and fails, as it should.
 *
 * @module
 */

/** The main program's view of who owns the chunks sent to one worker. */
export interface Claims {
  /** The cells to send to the worker; absent where it shares no memory with this program. */
  readonly buffer: SharedArrayBuffer | undefined;
  /** Offers chunk `batch` (≥ 1) in `cell`, which is free. */
  offer(cell: number, batch: number): void;
  /** Takes chunk `batch` back; `false` when the worker claimed it. */
  takeBack(cell: number, batch: number): boolean;
  /** Whether chunk `batch` is still offered (a hint: the worker may claim it). */
  offered(cell: number, batch: number): boolean;
}

/**
 * The claims of a worker that shares no memory with this program (one on another MPI rank):
 * a chunk sent there cannot be taken back, so it counts as claimed once sent. It never runs
 * twice; if the worker dies before answering, it fails with `WorkerCrashedError`.
 */
export const sentForGood: Claims = {
  buffer: undefined,
  offer() {},
  takeBack: () => false,
  offered: () => false,
};

/** A worker's claim cells, on either side. */
export class ClaimCells implements Claims {
  readonly #cells: Int32Array;

  /** Makes `size` cells (main program), or opens the cells of `buffer` (worker). */
  constructor(size: number | SharedArrayBuffer) {
    this.#cells = new Int32Array(typeof size === "number" ? new SharedArrayBuffer(size * 4) : size);
  }

  /** The memory, to send to the worker. */
  get buffer(): SharedArrayBuffer {
    return this.#cells.buffer as SharedArrayBuffer;
  }

  /** Main program: offers chunk `batch` (≥ 1) in `cell`, which is free. */
  offer(cell: number, batch: number): void {
    Atomics.store(this.#cells, cell, batch);
  }

  /** Worker: claims chunk `batch`; `false` when the main program took it back. */
  claim(cell: number, batch: number): boolean {
    return Atomics.compareExchange(this.#cells, cell, batch, -batch) === batch;
  }

  /** Main program: takes chunk `batch` back; `false` when the worker claimed it. */
  takeBack(cell: number, batch: number): boolean {
    return Atomics.compareExchange(this.#cells, cell, batch, 0) === batch;
  }

  /** Main program: whether chunk `batch` is still offered (a hint: the worker may claim it). */
  offered(cell: number, batch: number): boolean {
    return Atomics.load(this.#cells, cell) === batch;
  }
}
