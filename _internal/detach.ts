/**
 * The internal switch by which a pool's workers stop keeping the program running even while
 * they work: for a manager's server, whose one task never ends (its callers keep the program
 * running by their own waits while they wait for replies).
 *
 * @module
 */

/** A `Pool`'s method that detaches its workers from the program's lifetime. */
export const detachWorkers: unique symbol = Symbol("@workers/multiprocessing/detachWorkers");
