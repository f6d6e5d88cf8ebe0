/**
 * OpenMPI's C API as `Deno.dlopen` sees it: the symbols this area calls, their signatures, and
 * the library's load, once per process. Nothing here runs until {@linkcode mpi} is first
 * called, so importing the area neither loads `libmpi` nor needs `--allow-ffi`.
 *
 * OpenMPI's handles (`MPI_COMM_WORLD`, `MPI_DOUBLE`, `MPI_SUM`, `MPI_ERRORS_RETURN`…) are the
 * ADDRESSES of its predefined statics (`ompi_mpi_comm_world`, `ompi_mpi_double`…), which is
 * what Deno gives for a static declared `{ type: "pointer" }`. Every other handle
 * (`MPI_Request`, `MPI_Message`) is a pointer that MPI writes into an 8-byte buffer we pass.
 * `MPI_Status` is 24 bytes: `MPI_SOURCE`, `MPI_TAG`, `MPI_ERROR`, then OpenMPI's own fields.
 *
 * @module
 */

import { MpiError } from "../errors.ts";

const p = "pointer" as const;
const b = "buffer" as const;
const i = "i32" as const;
const rc = { result: i } as const;

/** The symbols we use, with their C signatures (`int` returns are MPI's error codes). */
const symbols = {
  MPI_Initialized: { parameters: [b], ...rc },
  MPI_Finalized: { parameters: [b], ...rc },
  MPI_Init_thread: { parameters: [p, p, i, b], ...rc },
  MPI_Query_thread: { parameters: [b], ...rc },
  MPI_Finalize: { parameters: [], ...rc },
  MPI_Abort: { parameters: [p, i], ...rc },
  MPI_Comm_rank: { parameters: [p, b], ...rc },
  MPI_Comm_size: { parameters: [p, b], ...rc },
  MPI_Comm_set_errhandler: { parameters: [p, p], ...rc },
  MPI_Error_string: { parameters: [i, b, b], ...rc },
  MPI_Error_class: { parameters: [i, b], ...rc },
  MPI_Get_processor_name: { parameters: [b, b], ...rc },
  MPI_Wtime: { parameters: [], result: "f64" },
  MPI_Wtick: { parameters: [], result: "f64" },
  // Point to point: (buf, count, datatype, rank, tag, comm, request*)
  MPI_Isend: { parameters: [b, i, p, i, i, p, b], ...rc },
  MPI_Irecv: { parameters: [b, i, p, i, i, p, b], ...rc },
  MPI_Test: { parameters: [b, b, b], ...rc },
  MPI_Cancel: { parameters: [b], ...rc },
  MPI_Test_cancelled: { parameters: [b, b], ...rc },
  MPI_Iprobe: { parameters: [i, i, p, b, b], ...rc },
  MPI_Improbe: { parameters: [i, i, p, b, b, b], ...rc },
  MPI_Imrecv: { parameters: [b, i, p, b, b], ...rc },
  MPI_Get_count: { parameters: [b, p, b], ...rc },
  // Non-blocking collectives (MPI-3); buffers are pointers, as MPI_IN_PLACE is (void *) 1.
  MPI_Ibarrier: { parameters: [p, b], ...rc },
  MPI_Ibcast: { parameters: [p, i, p, i, p, b], ...rc },
  MPI_Igather: { parameters: [p, i, p, p, i, p, i, p, b], ...rc },
  MPI_Igatherv: { parameters: [p, i, p, p, b, b, p, i, p, b], ...rc },
  MPI_Iscatter: { parameters: [p, i, p, p, i, p, i, p, b], ...rc },
  MPI_Iscatterv: { parameters: [p, b, b, p, p, i, p, i, p, b], ...rc },
  MPI_Ireduce: { parameters: [p, p, i, p, p, i, p, b], ...rc },
  MPI_Iallreduce: { parameters: [p, p, i, p, p, p, b], ...rc },
  // Predefined handles: the addresses of OpenMPI's statics.
  ompi_mpi_comm_world: { type: p },
  ompi_mpi_errors_return: { type: p },
  ompi_request_null: { type: p },
  ompi_mpi_byte: { type: p },
  ompi_mpi_int8_t: { type: p },
  ompi_mpi_uint8_t: { type: p },
  ompi_mpi_int16_t: { type: p },
  ompi_mpi_uint16_t: { type: p },
  ompi_mpi_int32_t: { type: p },
  ompi_mpi_uint32_t: { type: p },
  ompi_mpi_int64_t: { type: p },
  ompi_mpi_uint64_t: { type: p },
  ompi_mpi_float: { type: p },
  ompi_mpi_double: { type: p },
  ompi_mpi_op_sum: { type: p },
  ompi_mpi_op_prod: { type: p },
  ompi_mpi_op_min: { type: p },
  ompi_mpi_op_max: { type: p },
} as const;

/** The opened library's symbols. */
export type MpiSymbols = Deno.DynamicLibrary<typeof symbols>["symbols"];

/** `MPI_THREAD_MULTIPLE`: any thread may call MPI at any time. */
export const THREAD_MULTIPLE = 3;
/** `sizeof(MPI_Status)` in OpenMPI 4 on 64-bit Linux. */
export const STATUS_BYTES = 24;
/** `MPI_MAX_ERROR_STRING` and `MPI_MAX_PROCESSOR_NAME` here. */
export const MAX_STRING = 256;
/** `MPI_IN_PLACE`, `(void *) 1` (made on first use: making a pointer needs `--allow-ffi`). */
export function inPlace(): Deno.PointerObject {
  return Deno.UnsafePointer.create(1n)!;
}

/**
 * The library names tried, in order: OpenMPI 4/5 on Linux, then macOS (Homebrew). The
 * environment variable `MPI_LIBRARY` (a path) replaces them, e.g. for an OpenMPI of a
 * cluster's module system that is not on the loader's path.
 */
const LIBRARY_NAMES = ["libmpi.so.40", "libmpi.so", "libmpi.40.dylib", "libmpi.dylib"];

/** How to get OpenMPI and start a program under it: the tail of every "cannot start" error. */
export const HOW_TO_RUN = "Install OpenMPI (Debian/Ubuntu: `apt-get install openmpi-bin " +
  "libopenmpi-dev`; macOS: `brew install open-mpi`) and start the program under mpirun, " +
  "e.g. `mpirun --allow-run-as-root --oversubscribe -n 4 deno run -A prog.ts` (Deno needs " +
  "--allow-ffi, which -A includes).";

let library: Deno.DynamicLibrary<typeof symbols> | undefined;

/** `$MPI_LIBRARY` when set (a path or name of OpenMPI's libmpi), else the usual names. */
function libraryNames(): string[] {
  const chosen = readEnv("MPI_LIBRARY");
  return chosen ? [chosen] : LIBRARY_NAMES;
}

/**
 * An environment variable, or `undefined` when unset or not readable: never a permission
 * prompt (without `--allow-env` we do without).
 *
 * @param variable Its name.
 * @returns Its value.
 */
export function readEnv(variable: string): string | undefined {
  try {
    if (Deno.permissions.querySync({ name: "env", variable }).state !== "granted") return;
    return Deno.env.get(variable);
  } catch {
    return undefined;
  }
}

/**
 * The library's symbols, opening it on first use.
 *
 * @returns The symbols.
 * @throws {MpiError} Without `--allow-ffi`, or when no OpenMPI `libmpi` can be opened.
 */
export function mpi(): MpiSymbols {
  if (library !== undefined) return library.symbols;
  const failures: string[] = [];
  for (const name of libraryNames()) {
    try {
      library = Deno.dlopen(name, symbols);
      return library.symbols;
    } catch (error) {
      if (
        error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied
      ) {
        throw new MpiError(
          "MPI needs the FFI permission: run with `deno run --allow-ffi …` (or `-A`), e.g. " +
            "`mpirun --allow-run-as-root --oversubscribe -n 4 deno run -A prog.ts`.",
          { cause: error },
        );
      }
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new MpiError(
    `Cannot load OpenMPI's libmpi (tried ${failures.join("; ")}). ${HOW_TO_RUN}`,
  );
}
