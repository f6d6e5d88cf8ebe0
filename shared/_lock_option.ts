/**
 * The `lock` option of `Value` and `Array`, and how their lock crosses into a worker.
 *
 * @module
 */

import { fromShared } from "../_internal/shareable.ts";
import { Lock } from "../sync/lock.ts";
import { RLock } from "../sync/rlock.ts";
import { mutexOf } from "../_internal/mutex.ts";
import { describeValue } from "../_internal/checks.ts";
import { checkOptionKeys } from "../_internal/option_keys.ts";

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

/** Refuses options of `Value()` or `Array()` that are not an object, or have a key but `lock`. */
export function checkLockOptions(options: unknown, where: string): void {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(
      `${where}: "options" must be an object such as { lock: false }, got ${
        describeValue(options)
      }`,
    );
  }
  checkOptionKeys(options, ["lock"], where);
}

/** Refuses a synchronized value's or array's `lock` that is not a `Lock` or `RLock`. */
export function assertLock(lock: unknown, made: string, factory: string): void {
  if (lock instanceof Lock || lock instanceof RLock) return;
  throw new TypeError(
    `${made}: "lock" must be a Lock or RLock, got ${describeValue(lock)}: its constructor is ` +
      `internal; make one with ${factory}`,
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
