/**
 * The backends by name, as `Pool({ backend })` and `Parallel({ backend })` find them: `worker`,
 * `inline` and `subprocess` always, and those registered at run time (`mpi`, by `MpiPool.start()`, which
 * lives on a higher floor and so cannot be imported from here).
 *
 * @module
 */

import { inlineBackend } from "./inline_session.ts";
import { workerBackend } from "./start_worker.ts";
import { subprocessBackend } from "./subprocess_session.ts";
import type { Backend, BackendName } from "./worker_session.ts";

const backends = new Map<BackendName, Backend>([
  ["worker", workerBackend],
  ["inline", inlineBackend],
  ["subprocess", subprocessBackend],
]);

/** What to do for a backend that is known but not registered yet. */
const howToRegister: Partial<Record<BackendName, string>> = {
  mpi: `the "mpi" backend runs once MpiPool.start() (from "@workers/multiprocessing/mpi") has ` +
    `been awaited on every rank of an mpirun job; call it first`,
};

/** Every backend name there is, registered or not. */
export const backendNames: readonly BackendName[] = ["worker", "inline", "subprocess", "mpi"];

/**
 * The backend named `name`.
 *
 * @param name The option's value (unchecked).
 * @param option How the option is named in errors, e.g. `"backend"`.
 * @throws {RangeError} Not a backend's name, or one that is not registered yet (with how to).
 */
export function findBackend(name: unknown, option = `"backend"`): Backend {
  const backend = backends.get(name as BackendName);
  if (backend !== undefined) return backend;
  const how = howToRegister[name as BackendName];
  if (how !== undefined) throw new RangeError(`${option} is "${name}", but ${how}`);
  throw new RangeError(
    `${option} must be ${
      backendNames.map((n) => `"${n}"`).join(", ").replace(/, ([^,]*)$/, " or $1")
    }` +
      `, got ${typeof name === "string" ? JSON.stringify(name) : String(name)}`,
  );
}

/** Registers (or replaces) a backend, found by its name from then on. */
export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

/** Removes a registered backend (`mpi`, when its job ends); `worker` and `inline` stay. */
export function unregisterBackend(backend: Backend): void {
  if (backend.name !== "mpi") return;
  if (backends.get(backend.name) === backend) backends.delete(backend.name);
}
