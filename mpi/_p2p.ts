/**
 * Point-to-point operations as {@linkcode RequestOperation}s: typed arrays sent and received
 * in place (`MPI_Isend`/`MPI_Irecv` then `MPI_Test`), and structured values serialized with
 * `node:v8` and received by a matched probe (`MPI_Improbe`, which takes the message off the
 * queue so no other receive can match it, then `MPI_Imrecv` into a buffer of its size).
 *
 * A handle's 8 bytes (`MPI_Request`, `MPI_Message`) and the status are touched by MPI only
 * during our calls, so they may live anywhere; a message's data must stay put until the
 * request completes, which `datatype()` ensures for typed arrays.
 *
 * @module
 */

import { deserialize, serialize } from "node:v8";
import { STATUS_BYTES } from "./_ffi.ts";
import { datatype, int, type TypedArray } from "./_args.ts";
import { check, type Runtime } from "./_runtime.ts";
import { PROC_NULL } from "./constants.ts";
import type { RequestOperation } from "./request.ts";
import { fillStatus, type Status } from "./status.ts";

const flag = new Int32Array(1);
const count = new Int32Array(1);
const rawStatus = new Int32Array(STATUS_BYTES / 4);

function cancelled(): DOMException {
  return new DOMException("The receive was cancelled", "AbortError");
}

/** `MPI_Test` of `handle`: `true` when complete (the status in `rawStatus`). */
function tested(rt: Runtime, handle: Uint8Array, call: string): boolean {
  check(rt.lib.MPI_Test(handle, flag, rawStatus), call, rt.lib, rt.size);
  return flag[0] !== 0;
}

/**
 * Starts sending `buf` (as it is: keep it unchanged until the request completes).
 *
 * @returns The operation.
 */
export function startSend(
  rt: Runtime,
  buf: TypedArray | Uint8Array,
  dest: number,
  tag: number,
  bytes = false,
): RequestOperation<void> {
  const type = bytes ? rt.lib.ompi_mpi_byte : datatype(rt.lib, "buf", buf);
  const handle = new Uint8Array(8);
  const call = `MPI_Isend(dest ${dest}, tag ${tag})`;
  check(
    rt.lib.MPI_Isend(buf, buf.length, type, int("dest", dest), int("tag", tag), rt.world, handle),
    call,
    rt.lib,
    rt.size,
  );
  return { poll: () => tested(rt, handle, call), result: () => {} };
}

/**
 * Starts receiving into `buf`.
 *
 * @returns The operation, whose result is `buf`.
 */
export function startRecv<B extends TypedArray>(
  rt: Runtime,
  buf: B,
  source: number,
  tag: number,
  status: Status | undefined,
): RequestOperation<B> {
  const type = datatype(rt.lib, "buf", buf);
  const handle = new Uint8Array(8);
  const call = `MPI_Irecv(source ${source}, tag ${tag})`;
  check(
    rt.lib.MPI_Irecv(
      buf,
      buf.length,
      type,
      int("source", source),
      int("tag", tag),
      rt.world,
      handle,
    ),
    call,
    rt.lib,
    rt.size,
  );
  let wasCancelled = false;
  return {
    poll() {
      if (!tested(rt, handle, call)) return false;
      rt.lib.MPI_Test_cancelled(rawStatus, flag);
      wasCancelled = flag[0] !== 0;
      check(rt.lib.MPI_Get_count(rawStatus, type, count), "MPI_Get_count", rt.lib);
      fillStatus(status, rawStatus, wasCancelled ? 0 : count[0]!);
      if (status !== undefined) status.cancelled = wasCancelled;
      return true;
    },
    result() {
      if (wasCancelled) throw cancelled();
      return buf;
    },
    cancel() {
      check(rt.lib.MPI_Cancel(handle), "MPI_Cancel", rt.lib);
    },
  };
}

/**
 * Starts sending a structured value (serialized now: later changes to it are not sent).
 *
 * @returns The operation.
 */
export function startSendValue(
  rt: Runtime,
  value: unknown,
  dest: number,
  tag: number,
): RequestOperation<void> {
  const bytes = serialize(value);
  void bytes.buffer;
  return startSend(rt, bytes, dest, tag, true);
}

/**
 * Starts receiving a structured value: each poll probes for a matching message, and once one
 * is matched, receives it into a buffer of its size.
 *
 * @returns The operation, whose result is the value.
 */
export function startRecvValue<T>(
  rt: Runtime,
  source: number,
  tag: number,
  status: Status | undefined,
): RequestOperation<T> {
  int("source", source);
  int("tag", tag);
  const call = `MPI_Improbe(source ${source}, tag ${tag})`;
  const message = new Uint8Array(8);
  const handle = new Uint8Array(8);
  let phase: "probe" | "receive" | "done" | "cancelled" = "probe";
  let data: Uint8Array | undefined;
  return {
    poll() {
      if (phase === "probe") {
        check(
          rt.lib.MPI_Improbe(source, tag, rt.world, flag, message, rawStatus),
          call,
          rt.lib,
          rt.size,
        );
        if (flag[0] === 0) return false;
        if (rawStatus[0] === PROC_NULL) {
          fillStatus(status, rawStatus, 0);
          phase = "done";
          return true;
        }
        check(
          rt.lib.MPI_Get_count(rawStatus, rt.lib.ompi_mpi_byte, count),
          "MPI_Get_count",
          rt.lib,
        );
        fillStatus(status, rawStatus, count[0]!);
        data = new Uint8Array(count[0]!);
        void data.buffer;
        check(
          rt.lib.MPI_Imrecv(data, data.length, rt.lib.ompi_mpi_byte, message, handle),
          `MPI_Imrecv(${data.length} bytes from ${rawStatus[0]})`,
          rt.lib,
          rt.size,
        );
        phase = "receive";
      }
      if (phase === "receive") {
        if (!tested(rt, handle, "MPI_Test(a value's receive)")) return false;
        phase = "done";
      }
      return true;
    },
    result() {
      if (phase === "cancelled") throw cancelled();
      return data === undefined ? undefined as T : deserialize(data) as T;
    },
    cancel() {
      if (phase !== "probe") return;
      phase = "cancelled";
      if (status !== undefined) status.cancelled = true;
    },
  };
}

/**
 * `MPI_Iprobe`: whether a matching message is waiting (its source, tag and size in bytes go
 * to `status`). It stays queued for the next receive.
 */
export function iprobe(rt: Runtime, source: number, tag: number, status?: Status): boolean {
  check(
    rt.lib.MPI_Iprobe(int("source", source), int("tag", tag), rt.world, flag, rawStatus),
    `MPI_Iprobe(source ${source}, tag ${tag})`,
    rt.lib,
    rt.size,
  );
  if (flag[0] === 0) return false;
  rt.lib.MPI_Get_count(rawStatus, rt.lib.ompi_mpi_byte, count);
  fillStatus(status, rawStatus, count[0]!);
  return true;
}
