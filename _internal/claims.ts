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
 * A chunk of *separate* calls (`apply` calls travelling in one message, see
 * `pool/_coalesce.ts`) also has a progress cell beside its claim cell: how many of its calls
 * have started, and how many may. The worker starts each call with a compare-and-swap that
 * counts it (`begin`), and only while the count is below the limit; the main program, or the
 * worker as it dies, lowers the limit to the count (`cut`) and reads the count in the same swap.
 * So after a cut, exactly the calls counted may have run, and no other call of the chunk ever
 * starts: a worker that dies, even without a word (terminated, its process killed), leaves the
 * main program knowing which call was running and which never ran.
 *
 * @module
 */

/** The main program's view of who owns the chunks sent to one worker. */
export interface Claims {
  /** The cells to send to the worker; absent where it shares no memory with this program. */
  readonly buffer: SharedArrayBuffer | undefined;
  /**
   * Offers chunk `batch` (≥ 1) in `cell`, which is free; `calls` is the number of calls of a
   * chunk of separate calls (the limit of its progress cell), `0` for any other chunk.
   */
  offer(cell: number, batch: number, calls?: number): void;
  /** Takes chunk `batch` back; `false` when the worker claimed it. */
  takeBack(cell: number, batch: number): boolean;
  /** Whether chunk `batch` is still offered (a hint: the worker may claim it). */
  offered(cell: number, batch: number): boolean;
  /**
   * Lets no more call of the chunk of separate calls claimed in `cell` start; returns how many
   * started (each may have run, the last may be running; the others never will).
   */
  cut(cell: number): number;
  /**
   * Lets the worker start only the first half of the calls not yet started of the chunk of
   * separate calls in `cell` (at least one call stays with it); returns the new limit (the calls
   * from it on are the main program's, to send elsewhere), or `undefined` when none is left.
   */
  split(cell: number): number | undefined;
}

/** The most calls a chunk of separate calls may have (its progress cell's halves). */
export const MAX_SEPARATE_CALLS = 0xffff;

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
  // Never asked: chunks of separate calls go only to workers that share memory. If it were,
  // every call might have started, so none would run again.
  cut: () => MAX_SEPARATE_CALLS,
  split: () => undefined,
};

/** A progress cell: the limit in the high 16 bits, the calls started in the low 16. */
const STARTED = 0xffff;

/** A worker's claim cells (and their progress cells), on either side. */
export class ClaimCells implements Claims {
  /** The claim cells, then as many progress cells. */
  readonly #cells: Int32Array;
  readonly #size: number;

  /** Makes `size` cells (main program), or opens the cells of `buffer` (worker). */
  constructor(size: number | SharedArrayBuffer) {
    this.#cells = new Int32Array(
      typeof size === "number" ? new SharedArrayBuffer(size * 2 * 4) : size,
    );
    this.#size = this.#cells.length / 2;
  }

  /** The memory, to send to the worker. */
  get buffer(): SharedArrayBuffer {
    return this.#cells.buffer as SharedArrayBuffer;
  }

  /**
   * Main program: offers chunk `batch` (≥ 1) in `cell`, which is free, with `calls` separate
   * calls to start (`0`: not a chunk of separate calls). The progress cell is set first, so a
   * worker that claims the chunk sees it.
   */
  offer(cell: number, batch: number, calls = 0): void {
    Atomics.store(this.#cells, this.#size + cell, calls << 16);
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

  /**
   * Worker, in a chunk of separate calls it claimed in `cell`: counts the next call as started
   * and returns `true`, or returns `false` when the limit is reached (every call started, or
   * the chunk was cut): then that call must not run.
   */
  begin(cell: number): boolean {
    const at = this.#size + cell;
    for (;;) {
      const word = Atomics.load(this.#cells, at);
      if ((word & STARTED) >= word >>> 16) return false;
      if (Atomics.compareExchange(this.#cells, at, word, word + 1) === word) return true;
    }
  }

  /**
   * Main program: the worker may start only the first half (rounded down, at least one call in
   * all) of the calls of the chunk of separate calls in `cell` it has not started; returns the
   * new limit, or `undefined` when no call is left to take.
   */
  split(cell: number): number | undefined {
    const at = this.#size + cell;
    for (;;) {
      const word = Atomics.load(this.#cells, at);
      const started = word & STARTED;
      const limit = word >>> 16;
      const keep = Math.max(1, started + Math.floor((limit - started) / 2));
      if (keep >= limit) return undefined;
      if (Atomics.compareExchange(this.#cells, at, word, (keep << 16) | started) === word) {
        return keep;
      }
    }
  }

  /**
   * Either side: no more call of the chunk of separate calls claimed in `cell` may start (the
   * limit drops to the calls started); returns how many started.
   */
  cut(cell: number): number {
    const at = this.#size + cell;
    for (;;) {
      const word = Atomics.load(this.#cells, at);
      const started = word & STARTED;
      const cutWord = (started << 16) | started;
      if (Atomics.compareExchange(this.#cells, at, word, cutWord) === word) return started;
    }
  }
}
