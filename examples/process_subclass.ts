/**
 * A `Process` subclass overriding `run()`, as Python's
 *
 * ```python
 * class Counter(Process):
 *     def __init__(self, up_to, out):
 *         super().__init__()
 *         self.up_to, self.out = up_to, out
 *     def run(self):
 *         for i in range(1, self.up_to + 1):
 *             self.out.put(i)
 * ```
 *
 * The class is exported, so that its worker finds it by reference (it imports this module,
 * the module that makes the process), and its fields travel by value. As a program:
 *
 * ```sh
 * deno run -A examples/process_subclass.ts   # 1 2 3, from Counter-1
 * ```
 *
 * @module
 */

import { Process, type Queue } from "@workers/multiprocessing";

/** Puts `1…upTo` into `out`, in its own worker. */
export class Counter extends Process {
  /**
   * @param upTo The last number to put.
   * @param out Where to put them: a shared queue arrives as itself.
   */
  constructor(public upTo: number, public out: Queue<number>) {
    super();
  }

  /** What the process does, in its worker. */
  override run(): void {
    for (let i = 1; i <= this.upTo; i++) this.out.putSync(i);
  }
}

if (import.meta.main) {
  const { Queue } = await import("@workers/multiprocessing");
  const out = new Queue<number>();
  const p = new Counter(3, out);
  p.start();
  await p.join();
  console.log(await out.get(), await out.get(), await out.get(), `from ${p.name}`);
}
