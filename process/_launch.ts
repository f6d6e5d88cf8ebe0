/**
 * What `Process.start()` sends, and the start of the process's worker: the target and its
 * arguments (or, for a subclass overriding `run()`, the subclass and its fields), then the
 * worker's init and its one run.
 *
 * @module
 */

import { describeFunction } from "../_internal/describe_function.ts";
import { identCounter } from "../_internal/identity.ts";
import type {
  ConsoleMode,
  EncodedContext,
  FunctionDescriptor,
  WorkerIdentity,
} from "../_internal/protocol.ts";
import { encodeValue } from "../_internal/shareable.ts";
import { type Copy, copyingFor } from "../_internal/end_copies.ts";
import { workerBackend } from "../_internal/start_worker.ts";
import {
  type SessionEvents,
  unsendableArguments,
  type WorkerSession,
} from "../_internal/worker_session.ts";
import { runProcessSubclass, type SubclassReference } from "./_run_subclass.ts";

/** What `start()` sends: the function the worker runs, its arguments and where to find it. */
export interface Launch {
  target: FunctionDescriptor;
  args: unknown[];
  imports: string[];
  /** What the arguments are, for the error of one that cannot be sent. */
  subject: string;
}

/**
 * What `start()` sends for a process without a target: the host that runs a subclass's
 * `run()` in the worker, with the subclass found by reference there and the instance's
 * `fields`; or nothing to run, for a plain `Process` (as in Python).
 *
 * @throws {TypeError} The subclass is anonymous (its worker could not find it by reference).
 */
export function subclassLaunch(
  subclass: { name: string },
  overridesRun: boolean,
  processName: string,
  ownImports: string[],
  fields: object,
): Launch {
  const host = describeFunction(runProcessSubclass, "runProcessSubclass");
  const imports = [new URL("./_run_subclass.ts", import.meta.url).href, ...ownImports];
  if (!overridesRun) {
    // A plain Process without a target: nothing to run, as in Python.
    return { target: host, args: [null, [], {}], imports, subject: processName };
  }
  if (subclass.name === "") {
    throw new TypeError(
      `Cannot start ${processName}: its class is anonymous, so its worker cannot find it by ` +
        `reference. Give the subclass a name and export it from its module`,
    );
  }
  const { name, source } = describeFunction(subclass, "the Process subclass");
  const reference: SubclassReference = { name, source };
  return {
    target: host,
    args: [reference, ownImports, fields],
    imports,
    subject: `The fields of ${processName} (an instance of ${name})`,
  };
}

/**
 * Starts the worker of the process `identity` and sends it `launch`: its init (the imports,
 * the context, the console mode) and the one run of the target with its arguments. Pipe ends
 * in the arguments become copies of the process's own, as in Python.
 *
 * @returns The session and the copies made (rechecked when the process ends).
 * @throws {TypeError} An argument cannot be sent (the worker is then terminated and the copies
 *   dropped): `launch.subject` names what could not be sent.
 */
export function launchWorker(
  identity: WorkerIdentity,
  launch: Launch,
  options: { context: EncodedContext; console: ConsoleMode },
  events: SessionEvents,
): { session: WorkerSession; copies: Copy[] } {
  const transfer: Transferable[] = [];
  // Pipe ends in the arguments become copies of the process's own, as in Python.
  const { value: args, copies } = copyingFor(
    identity.ident,
    () => encodeValue(launch.args, transfer),
  );
  const session = workerBackend.start(identity, events);
  try {
    session.init({
      imports: launch.imports,
      context: options.context,
      initializer: null,
      initargs: [],
      initargsShared: false,
      identCounter: identCounter(),
      console: options.console,
      role: "process",
    });
    session.run({
      batch: 1,
      cell: 0,
      fn: launch.target.id,
      def: launch.target,
      mode: "star",
      calls: [args.value],
      shared: args.shared,
    }, transfer);
  } catch (error) {
    session.terminate();
    for (const { channel, side } of copies) channel.dropCopy(side, identity.ident);
    throw unsendableArguments(launch.subject, error);
  }
  return { session, copies };
}
