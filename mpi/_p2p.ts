/**
 * Point-to-point operations: typed arrays sent and received in place (`MPI_Isend`/
 * `MPI_Irecv`, then `MPI_Test`), and structured values serialized (`_codec.ts`) and received
 * by a matched probe (`MPI_Improbe`, which takes the message off the queue so that no other
 * receive can match it, then `MPI_Imrecv` into a buffer of its size).
 *
 * The hot path (`Send`/`Recv` of a small array) starts the operation with a scratch handle
 * and tests it once; only an operation still pending gets a handle of its own and a wait
 * (two receives may then be pending at once). Every buffer goes to FFI as a `Uint8Array`
 * (`bytesOf`), the kind FFI's fast calls take. A handle's 8 bytes (`MPI_Request`,
 * `MPI_Message`) and the status are touched by MPI only during our calls, so they may live
 * anywhere; a message's data must stay put until its request completes, which `bytesOf`
 * ensures.
 *
 * @module
 */

import { decodeValue, encodeValue } from "./_codec.ts";
import { STATUS_BYTES } from "./_ffi.ts";
import { bytesOf, datatype, int, type TypedArray } from "./_args.ts";
import { MpiError } from "../errors.ts";
import { SPIN_MS } from "./_progress.ts";
import { check, type Runtime } from "./_runtime.ts";
import { PROC_NULL } from "./constants.ts";
import type { RequestOperation } from "./request.ts";
import { fillStatus, type Status } from "./status.ts";

const flag = new Int32Array(1);
const flagBytes = new Uint8Array(flag.buffer);
const count = new Int32Array(1);
const countBytes = new Uint8Array(count.buffer);
const rawStatus = new Int32Array(STATUS_BYTES / 4);
const statusBytes = new Uint8Array(rawStatus.buffer);
const scratch = new Uint8Array(8);
const message = new Uint8Array(8);

/**
 * Pending sends (request handle → the memory MPI still reads). A send's memory must outlive
 * the send even when its request is dropped unfinished (`comm.isend(x, …)` never awaited):
 * it is held here, and every later send tests the pending ones, letting each go once done.
 */
const pendingSends = new Map<Uint8Array, unknown>();
/** Pending receives (request handle → their buffer), held so MPI never writes into freed memory. */
const pendingReceives = new Map<Uint8Array, unknown>();

function sweepSends(rt: Runtime): void {
  for (const handle of pendingSends.keys()) {
    // A failure is reported to whoever waits on the request; here only completion matters.
    if (rt.lib.MPI_Test(handle, flagBytes, null) !== 0 || flag[0] !== 0) {
      pendingSends.delete(handle);
    }
  }
}

function cancelled(): DOMException {
  return new DOMException("The receive was cancelled", "AbortError");
}

function checkInt(name: string, value: number): number {
  return (value | 0) === value ? value : int(name, value);
}

/** `MPI_Test` of `handle`: `true` when complete (its status in `rawStatus`). */
function tested(rt: Runtime, handle: Uint8Array, call: string | (() => string)): boolean {
  check(rt.lib.MPI_Test(handle, flagBytes, statusBytes), call, rt.lib, rt.size);
  return flag[0] !== 0;
}

/**
 * Tests the operation in `scratch` in a tight loop for up to {@linkcode SPIN_MS}, as a wait
 * would begin, but before anything is allocated for it: a message already on its way costs
 * no request, closure or promise.
 */
function spun(rt: Runtime, call: () => string): boolean {
  const until = performance.now() + SPIN_MS;
  while (performance.now() < until) if (tested(rt, scratch, call)) return true;
  return false;
}

/**
 * The pending send of a typed array, or `null` when it completed at once (with `spin`: or
 * within {@linkcode SPIN_MS}, for the calls that wait).
 */
export function sendNow(
  rt: Runtime,
  buf: TypedArray,
  dest: number,
  tag: number,
  type = datatype(rt.lib, "buf", buf),
  spin = false,
): RequestOperation<void> | null {
  if (pendingSends.size > 0) sweepSends(rt);
  const call = () => `MPI_Isend(dest ${dest}, tag ${tag})`;
  const code = rt.lib.MPI_Isend(
    bytesOf(buf),
    buf.length,
    type,
    checkInt("dest", dest),
    checkInt("tag", tag),
    rt.world,
    scratch,
  );
  check(code, call, rt.lib, rt.size);
  if (tested(rt, scratch, call) || (spin && spun(rt, call))) return null;
  const handle = scratch.slice();
  pendingSends.set(handle, buf);
  return {
    poll() {
      if (!tested(rt, handle, call)) return false;
      pendingSends.delete(handle);
      return true;
    },
    result: () => {},
    keepAlive: buf,
  };
}

/**
 * Starts sending `buf` (as it is: keep it unchanged until the request completes).
 *
 * @returns The operation.
 */
export function startSend(
  rt: Runtime,
  buf: TypedArray,
  dest: number,
  tag: number,
  type?: Deno.PointerValue,
): RequestOperation<void> {
  return sendNow(rt, buf, dest, tag, type) ?? { poll: () => true, result: () => {} };
}

/**
 * The pending receive into `buf`, or `null` when it completed at once (with `spin`: or within
 * {@linkcode SPIN_MS}, for the calls that wait), its status filled.
 */
export function recvNow<B extends TypedArray>(
  rt: Runtime,
  buf: B,
  source: number,
  tag: number,
  status: Status | undefined,
  spin = false,
): RequestOperation<B> | null {
  const type = datatype(rt.lib, "buf", buf);
  const call = () => `MPI_Irecv(source ${source}, tag ${tag})`;
  const code = rt.lib.MPI_Irecv(
    bytesOf(buf),
    buf.length,
    type,
    checkInt("source", source),
    checkInt("tag", tag),
    rt.world,
    scratch,
  );
  check(code, call, rt.lib, rt.size);
  let wasCancelled = false, cancelRequested = false;
  let handle = scratch;
  const finish = () => {
    pendingReceives.delete(handle);
    if (status === undefined && !cancelRequested) return;
    rt.lib.MPI_Test_cancelled(statusBytes, flagBytes);
    wasCancelled = flag[0] !== 0;
    check(rt.lib.MPI_Get_count(statusBytes, type, countBytes), "MPI_Get_count", rt.lib);
    fillStatus(status, rawStatus, wasCancelled ? 0 : count[0]!);
    if (status !== undefined) status.cancelled = wasCancelled;
  };
  if (tested(rt, scratch, call) || (spin && spun(rt, call))) {
    finish();
    return null;
  }
  handle = scratch.slice();
  pendingReceives.set(handle, buf);
  return {
    poll() {
      if (!tested(rt, handle, call)) return false;
      finish();
      return true;
    },
    result() {
      if (wasCancelled) throw cancelled();
      return buf;
    },
    keepAlive: buf,
    cancel() {
      cancelRequested = true;
      check(rt.lib.MPI_Cancel(handle), "MPI_Cancel", rt.lib);
    },
  };
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
  return recvNow(rt, buf, source, tag, status) ?? { poll: () => true, result: () => buf };
}

/** The pending send of a structured value, or `null` when it completed at once. */
export function sendValueNow(
  rt: Runtime,
  value: unknown,
  dest: number,
  tag: number,
  spin = false,
): RequestOperation<void> | null {
  return sendNow(rt, encodeValue(value), dest, tag, rt.lib.ompi_mpi_byte, spin);
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
  return sendValueNow(rt, value, dest, tag) ?? { poll: () => true, result: () => {} };
}

/**
 * Starts receiving a structured value: each poll probes for a matching message, and once one
 * is matched, receives it into a buffer of its own (never a reused one: typed arrays in the
 * decoded value may be views of it).
 *
 * @returns The operation, whose result is the value.
 */
export function startRecvValue<T>(
  rt: Runtime,
  source: number,
  tag: number,
  status: Status | undefined,
): RequestOperation<T> {
  checkInt("source", source);
  checkInt("tag", tag);
  const call = () => `MPI_Improbe(source ${source}, tag ${tag})`;
  let handle = scratch;
  let phase: "probe" | "receive" | "done" | "cancelled" = "probe";
  let data: Uint8Array | undefined;
  let value: T | undefined;
  let from = source, tagOf = tag;
  const finish = () => {
    pendingReceives.delete(handle);
    phase = "done";
    try {
      value = decodeValue(data!) as T;
    } catch (error) {
      throw new MpiError(
        `The message from rank ${from} with tag ${tagOf} (${data!.length} bytes) is not a ` +
          "value sent by send()/isend()/bcast(): receive typed arrays sent by Send()/Isend() " +
          "with Recv()/Irecv(), or tell the two kinds apart by tag",
        { cause: error },
      );
    }
  };
  return {
    poll() {
      if (phase === "probe") {
        const code = rt.lib.MPI_Improbe(source, tag, rt.world, flagBytes, message, statusBytes);
        check(code, call, rt.lib, rt.size);
        if (flag[0] === 0) return false;
        if (rawStatus[0] === PROC_NULL) {
          fillStatus(status, rawStatus, 0);
          phase = "done";
          return true;
        }
        const byte = rt.lib.ompi_mpi_byte;
        check(rt.lib.MPI_Get_count(statusBytes, byte, countBytes), "MPI_Get_count", rt.lib);
        const n = count[0]!;
        from = rawStatus[0]!;
        tagOf = rawStatus[1]!;
        fillStatus(status, rawStatus, n);
        // An ArrayBuffer of its own lives outside V8's heap: its address stays put.
        data = new Uint8Array(new ArrayBuffer(n));
        check(
          rt.lib.MPI_Imrecv(data, n, byte, message, scratch),
          () => `MPI_Imrecv(${n} bytes from ${rawStatus[0]})`,
          rt.lib,
          rt.size,
        );
        if (tested(rt, scratch, "MPI_Test(a value's receive)")) {
          finish();
          return true;
        }
        handle = scratch.slice();
        pendingReceives.set(handle, data);
        phase = "receive";
        return false;
      }
      if (phase === "receive") {
        if (!tested(rt, handle, "MPI_Test(a value's receive)")) return false;
        finish();
      }
      return true;
    },
    result() {
      if (phase === "cancelled") throw cancelled();
      return value as T;
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
  const code = rt.lib.MPI_Iprobe(
    checkInt("source", source),
    checkInt("tag", tag),
    rt.world,
    flagBytes,
    statusBytes,
  );
  check(code, () => `MPI_Iprobe(source ${source}, tag ${tag})`, rt.lib, rt.size);
  if (flag[0] === 0) return false;
  rt.lib.MPI_Get_count(statusBytes, rt.lib.ompi_mpi_byte, countBytes);
  fillStatus(status, rawStatus, count[0]!);
  return true;
}
