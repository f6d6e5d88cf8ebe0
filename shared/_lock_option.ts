/**
 * The `lock` option of `Value` and `Array`, and how their lock crosses into a worker.
 *
 * @module
 */

import { fromShared } from "../_internal/shareable.ts";
import { Lock } from "../sync/lock.ts";
import { RLock } from "../sync/rlock.ts";
import { mutexOf } from "../_internal/mutex.ts";

/** The lock guarding a synchronized value: `true` for a new `RLock` (Python's default). */
export type LockOption = boolean | Lock | RLock;

/** A lock as it crosses: which class, and its buffer. */
export interface LockState {
  recursive: boolean;
  buffer: SharedArrayBuffer;
}

/** The lock the option asks for, or `undefined` for none. */
export function lockFor(option: unknown, where: string): Lock | RLock | undefined {
  if (option === undefined || option === true) return new RLock();
  if (option === false) return undefined;
  if (option instanceof Lock || option instanceof RLock) return option;
  throw new TypeError(
    `${where}: "lock" must be true (a new RLock), false (no lock), or a Lock or RLock to use`,
  );
}

/** The lock's crossing state. */
export function lockState(lock: Lock | RLock): LockState {
  const { cell, recursive } = lock[mutexOf];
  return { recursive, buffer: cell.buffer as SharedArrayBuffer };
}

/** The lock again, on the other side. */
export function reviveLock(state: LockState): Lock | RLock {
  return state.recursive ? RLock[fromShared](state.buffer) : Lock[fromShared](state.buffer);
}
