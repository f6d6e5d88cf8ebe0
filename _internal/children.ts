/**
 * The child processes of this thread: the `Process`es it started that have not ended yet.
 * `activeChildren()` lists them; a `Process`'s worker, once its target is done, reaps them
 * ({@linkcode reapChildren}) before it reports its end, as a Python process does when it exits;
 * and the main program terminates its daemonic children when it ends.
 *
 * @module
 */

/** A child process, as the thread that started it tracks it. */
export interface Child {
  readonly daemon: boolean;
  terminate(): void;
  join(): Promise<void>;
}

const live = new Set<Child>();
let watchingUnload = false;

/** Records a started child. */
export function addChild(child: Child): void {
  live.add(child);
  if (child.daemon && !watchingUnload) {
    watchingUnload = true;
    // The program ends (its event loop ran dry, or Deno.exit() was called): daemonic children
    // are terminated, as Python's do when their parent exits. Non-daemonic ones kept it running.
    globalThis.addEventListener("unload", terminateDaemons);
  }
}

/** Forgets a child that has ended. */
export function removeChild(child: Child): void {
  live.delete(child);
}

/** The children started and not yet ended, in start order. */
export function liveChildren(): Child[] {
  return [...live];
}

/** Terminates the daemonic children. */
export function terminateDaemons(): void {
  for (const child of [...live]) if (child.daemon) child.terminate();
}

/**
 * What a Python process does as it exits (`multiprocessing.util._exit_function`): terminates
 * its daemonic children, then waits for the others to end.
 */
export async function reapChildren(): Promise<void> {
  terminateDaemons();
  await Promise.all([...live].map((child) => child.join()));
}
