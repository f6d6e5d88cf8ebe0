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
export async function runProgram(script: string, ...args: string[]): Promise<ProgramOutput> {
  const path = new URL(`./fixtures/${script}`, import.meta.url).pathname;
  const started = performance.now();
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", path, ...args],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
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
