/**
 * `Comm`'s point-to-point calls, as the class's methods run them: the options checked, then
 * the operation of `_p2p.ts` started, and awaited with `progress` (or wrapped in a
 * {@linkcode Request}). Lower-case names move structured values, upper-case ones typed arrays
 * in place, as the methods of the same names.
 *
 * @module
 */

import type { TypedArray } from "./_args.ts";
import * as p2p from "./_p2p.ts";
import { progress } from "./_progress.ts";
import type { Runtime } from "./_runtime.ts";
import { checkOptions, IPROBE, PROBE, RECV, refused, SEND } from "./_call_options.ts";
import { ANY_SOURCE, ANY_TAG } from "./constants.ts";
import type { RecvOptions, SendOptions } from "./options.ts";
import { Request } from "./request.ts";
import { Status } from "./status.ts";

const DONE: Promise<void> = Promise.resolve();

/** `Comm.send`. */
export function send(rt: Runtime, value: unknown, options: SendOptions): Promise<void> {
  try {
    checkOptions(options, SEND, "send");
    const pending = p2p.sendValueNow(rt, value, options.dest, options.tag ?? 0, true);
    return pending === null ? DONE : progress(pending.poll);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** `Comm.isend`. */
export function isend(rt: Runtime, value: unknown, options: SendOptions): Request<void> {
  checkOptions(options, SEND, "isend");
  return new Request(p2p.startSendValue(rt, value, options.dest, options.tag ?? 0));
}

/** `Comm.recv`. */
export function recv<T>(rt: Runtime, options: RecvOptions): Promise<T> {
  const bad = refused(options, RECV, "recv");
  if (bad !== null) return bad;
  if (options.signal !== undefined) return irecv<T>(rt, options).wait();
  try {
    const { source = ANY_SOURCE, tag = ANY_TAG, status } = options;
    const operation = p2p.startRecvValue<T>(rt, source, tag, status);
    if (operation.poll()) return Promise.resolve(operation.result());
    return progress(operation.poll).then(operation.result);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** `Comm.irecv`. */
export function irecv<T>(rt: Runtime, options: RecvOptions): Request<T> {
  checkOptions(options, RECV, "irecv");
  const { source = ANY_SOURCE, tag = ANY_TAG, status, signal } = options;
  signal?.throwIfAborted();
  return new Request(p2p.startRecvValue<T>(rt, source, tag, status), { signal });
}

/** `Comm.iprobe`. */
export function iprobe(rt: Runtime, options: Omit<RecvOptions, "signal">): boolean {
  checkOptions(options, IPROBE, "iprobe");
  const { source = ANY_SOURCE, tag = ANY_TAG, status } = options;
  return p2p.iprobe(rt, source, tag, status);
}

/** `Comm.probe`. */
export async function probe(rt: Runtime, options: Omit<RecvOptions, "status">): Promise<Status> {
  checkOptions(options, PROBE, "probe");
  const status = new Status();
  const { signal, ...where } = options;
  await progress(() => {
    signal?.throwIfAborted();
    return iprobe(rt, { ...where, status });
  });
  return status;
}

/** `Comm.Send`. */
export function Send(rt: Runtime, buf: TypedArray, options: SendOptions): Promise<void> {
  try {
    checkOptions(options, SEND, "Send");
    const pending = p2p.sendNow(rt, buf, options.dest, options.tag ?? 0, undefined, true);
    return pending === null ? DONE : progress(pending.poll);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** `Comm.Isend`. */
export function Isend(rt: Runtime, buf: TypedArray, options: SendOptions): Request<void> {
  checkOptions(options, SEND, "Isend");
  return new Request(p2p.startSend(rt, buf, options.dest, options.tag ?? 0));
}

/** `Comm.Recv`. */
export function Recv<B extends TypedArray>(rt: Runtime, buf: B, options: RecvOptions): Promise<B> {
  try {
    checkOptions(options, RECV, "Recv");
    const { source = ANY_SOURCE, tag = ANY_TAG, status, signal } = options;
    if (signal !== undefined) return Irecv(rt, buf, options).wait();
    const pending = p2p.recvNow(rt, buf, source, tag, status, true);
    return pending === null ? Promise.resolve(buf) : progress(pending.poll, buf);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** `Comm.Irecv`. */
export function Irecv<B extends TypedArray>(rt: Runtime, buf: B, options: RecvOptions): Request<B> {
  checkOptions(options, RECV, "Irecv");
  const { source = ANY_SOURCE, tag = ANY_TAG, status, signal } = options;
  signal?.throwIfAborted();
  return new Request(p2p.startRecv(rt, buf, source, tag, status), { signal });
}
