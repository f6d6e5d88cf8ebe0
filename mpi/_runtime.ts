/**
 * MPI's life in this process: started on first use (`MPI_Init_thread`, then
 * `MPI_ERRORS_RETURN` on the world communicator so that every failure comes back as a return
 * code), ended when the program ends (`MPI_Finalize` at "unload"; `MPI_Abort` instead when the
 * program exits with a non-zero code, because a rank that fails must end the whole job rather
 * than wait in `MPI_Finalize` for ranks that wait for it). Every return code goes through
 * {@linkcode check}, which turns a failure into an {@linkcode MpiError} carrying MPI's string.
 *
 * @module
 */

import { MpiError } from "../errors.ts";
import { HOW_TO_RUN, MAX_STRING, mpi, type MpiSymbols, readEnv, THREAD_MULTIPLE } from "./_ffi.ts";

/** What every call needs: the symbols, `MPI_COMM_WORLD`, and this rank's place in it. */
export interface Runtime {
  /** The library's symbols. */
  lib: MpiSymbols;
  /** `MPI_COMM_WORLD`. */
  world: Deno.PointerValue;
  /** This process's rank in the world. */
  rank: number;
  /** The number of ranks in the world. */
  size: number;
  /** The thread level MPI granted (`MPI_THREAD_*`, 0–3). */
  threadLevel: number;
}

let runtime: Runtime | undefined;
const finalizers: (() => void)[] = [];

/**
 * Runs `hook` when the program ends normally, just before `MPI_Finalize` (an `MpiPool` tells
 * its serving ranks to stop there); not before `MPI_Abort`. A hook that throws is skipped.
 */
export function beforeFinalize(hook: () => void): void {
  finalizers.push(hook);
}
const int = new Int32Array(1);

/**
 * MPI, started on first use.
 *
 * @returns The runtime.
 * @throws {MpiError} When OpenMPI is missing, FFI is not allowed, or `MPI_Init_thread` fails.
 */
export function mpiRuntime(): Runtime {
  if (runtime !== undefined) return runtime;
  const lib = mpi();
  const flag = new Int32Array(1);
  lib.MPI_Finalized(flag);
  if (flag[0] !== 0) {
    throw new MpiError("MPI has already been finalized in this process; it cannot start again.");
  }
  lib.MPI_Initialized(flag);
  const provided = new Int32Array(1);
  let owner = false;
  if (flag[0] === 0) {
    const code = lib.MPI_Init_thread(null, null, THREAD_MULTIPLE, provided);
    if (code !== 0) {
      throw new MpiError(`MPI_Init_thread failed with code ${code}. ${HOW_TO_RUN}`, {
        errorClass: code,
      });
    }
    owner = true;
  } else {
    // Another thread of this process (a worker's own copy of this module) started MPI.
    lib.MPI_Query_thread(provided);
  }
  const world = lib.ompi_mpi_comm_world;
  lib.MPI_Comm_set_errhandler(world, lib.ompi_mpi_errors_return);
  const out = new Int32Array(1);
  check(lib.MPI_Comm_rank(world, out), "MPI_Comm_rank", lib);
  const rank = out[0]!;
  check(lib.MPI_Comm_size(world, out), "MPI_Comm_size", lib);
  const r: Runtime = { lib, world, rank, size: out[0]!, threadLevel: provided[0]! };
  runtime = r;
  if (owner) {
    globalThis.addEventListener("unload", () => {
      const done = new Int32Array(1);
      lib.MPI_Finalized(done);
      if (done[0] !== 0) return;
      const exitCode = Deno.exitCode;
      if (exitCode !== 0) {
        lib.MPI_Abort(world, exitCode);
        return;
      }
      for (const hook of finalizers.splice(0)) {
        try {
          hook();
        } catch {
          // Finalizing matters more: the other ranks wait for it.
        }
      }
      lib.MPI_Finalize();
    });
  }
  return r;
}

/** Whether this process was started by `mpirun`/`mpiexec` (OpenMPI sets these variables). */
export function underMpirun(): boolean {
  const variable = "OMPI_COMM_WORLD_SIZE";
  if (Deno.permissions.querySync({ name: "env", variable }).state !== "granted") {
    return true; // cannot tell without --allow-env: say nothing
  }
  return readEnv(variable) !== undefined;
}

/** MPI's error string for `code`. */
export function errorString(lib: MpiSymbols, code: number): string {
  const text = new Uint8Array(MAX_STRING);
  if (lib.MPI_Error_string(code, text, int) !== 0) return `MPI error code ${code}`;
  return new TextDecoder().decode(text.subarray(0, int[0]!));
}

/**
 * Throws an {@linkcode MpiError} when `code` is not `MPI_SUCCESS`.
 *
 * @param code The return code.
 * @param call What was called, with its arguments, e.g. `"MPI_Isend(dest 5, tag 0)"` (or a
 *   function that says so, called only on failure: the hot paths build no strings).
 * @param lib The symbols (to ask MPI for the error string and class).
 * @param size The world's size, when known (for the hint on a lone rank).
 */
export function check(
  code: number,
  call: string | (() => string),
  lib: MpiSymbols,
  size?: number,
): void {
  if (code !== 0) fail(code, typeof call === "string" ? call : call(), lib, size);
}

function fail(code: number, call: string, lib: MpiSymbols, size?: number): never {
  const mpiMessage = errorString(lib, code);
  const errorClass = lib.MPI_Error_class(code, int) === 0 ? int[0]! : code;
  let hint = "";
  if (size === 1 && !underMpirun()) {
    hint = ` This program runs as a single rank (size 1) because it was not started by mpirun: ` +
      "start it with e.g. `mpirun --allow-run-as-root --oversubscribe -n 4 deno run -A prog.ts`.";
  } else if (size !== undefined && (errorClass === 6 || errorClass === 8)) {
    hint = ` Ranks run from 0 to ${size - 1}.`;
  }
  throw new MpiError(`${call} failed: ${mpiMessage}.${hint}`, { errorClass, mpiMessage });
}
