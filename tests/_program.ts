/**
 * Runs a test program in a Deno process of its own, to see what the program prints: the
 * output of its workers reaches its stdout and stderr only through the program's console.
 *
 * @module
 */

/** What a program printed, and how it ended. */
export interface ProgramOutput {
  code: number;
  stdout: string;
  stderr: string;
  /** Milliseconds from start to end. */
  elapsed: number;
}

/** Runs `deno run -A tests/fixtures/<script> ...args`, for 60 s at most. */
export function runProgram(script: string, ...args: string[]): Promise<ProgramOutput> {
  const path = new URL(`./fixtures/${script}`, import.meta.url).pathname;
  return runDeno(["run", "-A", path, ...args]);
}

/**
 * Runs `deno <args>` (no standard input, `NO_COLOR` set) for `timeout` ms at most, and tells
 * what it printed.
 */
export async function runDeno(args: string[], timeout = 60_000): Promise<ProgramOutput> {
  const started = performance.now();
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(timeout),
  }).output();
  const decoder = new TextDecoder();
  return {
    code,
    stdout: decoder.decode(stdout),
    stderr: decoder.decode(stderr),
    elapsed: performance.now() - started,
  };
}

/** The lines of a program's output, without the empty last one. */
export function lines(text: string): string[] {
  const all = text.split("\n");
  if (all.at(-1) === "") all.pop();
  return all;
}
