/**
 * The headless notebook runner (`deno task notebooks`, `notebooks/_tools/run_notebooks.py`),
 * run for real: Debian's `/usr/bin/python3` with nbclient, Deno's Jupyter kernel, the fixture
 * notebooks of `fixtures/notebooks/`. Plain `jupyter nbconvert --execute` loses a cell's outputs
 * that the kernel publishes after "idle"; the first test proves that the runner keeps them, by
 * running a notebook full of late outputs 20 times. The others prove that the runner's "ok"
 * means something: each way a notebook can fall short fails it, with a reason.
 * One more reads the tutorial notebooks as committed (`--check-only`): their saved outputs meet
 * their expectations.
 *
 * Without Jupyter or the kernel these tests are skipped (their names say what to install).
 */

import assert from "node:assert/strict";

const PYTHON = "/usr/bin/python3";
const ROOT = new URL("..", import.meta.url).pathname;
const RUNNER = new URL("../notebooks/_tools/run_notebooks.py", import.meta.url).pathname;
const FIXTURES = "tests/fixtures/notebooks";

interface RunnerOutput {
  code: number;
  lines: string[];
  stderr: string;
}

/** Runs the notebook runner from the repository root with `args`. */
async function runner(...args: string[]): Promise<RunnerOutput> {
  const out = await new Deno.Command(PYTHON, {
    args: [RUNNER, ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  return {
    code: out.code,
    lines: text.split("\n").filter((line) => line !== ""),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

/** Why the runner cannot execute notebooks here, or `undefined` when it can. */
function missingJupyter(): string | undefined {
  try {
    const out = new Deno.Command(PYTHON, { args: [RUNNER, "--probe"], stdout: "null" })
      .outputSync();
    return out.code === 0 ? undefined : new TextDecoder().decode(out.stderr).trim();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return `${PYTHON} is not installed`;
    throw e;
  }
}

const missing = missingJupyter();
if (missing) console.warn(`notebooks_test.ts: skipped, ${missing}`);

/** A test that needs Jupyter and the Deno kernel; skipped, saying why, without them. */
function notebookTest(name: string, fn: () => Promise<void>): void {
  Deno.test({
    name: missing ? `${name} (skipped: ${missing})` : name,
    ignore: missing !== undefined,
    fn,
  });
}

/** The runner's line for the notebook `file` of the fixtures. */
function lineOf(out: RunnerOutput, file: string): string {
  const line = out.lines.find((l) => l.startsWith(`${FIXTURES}/${file}:`));
  assert.ok(line, `no line for ${file} in:\n${out.lines.join("\n")}\n${out.stderr}`);
  return line;
}

notebookTest(
  "a notebook of late outputs, run 20 times, is complete and identical every time",
  async () => {
    // Two runners of 10 runs each, side by side (it halves the wait, and a busy machine is where
    // outputs come late).
    const outs = await Promise.all(
      [1, 2].map(() => runner("--repeat", "10", "--no-write", `${FIXTURES}/late_outputs.ipynb`)),
    );
    const digests = outs.map((out) => {
      const report = `${out.lines.join("\n")}\n${out.stderr}`;
      assert.equal(out.code, 0, report);
      const perRun = out.lines.filter((l) => / run \d+\/10: /.test(l));
      assert.equal(perRun.length, 10, report);
      for (const line of perRun) assert.match(line, /: 7 cells, .*, ok$/, report);
      const summary = out.lines.at(-1) ?? "";
      const match = summary.match(
        /^tests\/fixtures\/notebooks\/late_outputs\.ipynb: 10\/10 runs complete, text outputs identical in all runs \(digest ([0-9a-f]{12})\)$/,
      );
      assert.ok(match, report);
      return match[1];
    });
    assert.equal(digests[0], digests[1], "the two runners' outputs differ");
  },
);

notebookTest("the runner fails a notebook that lacks an expected output", async () => {
  const out = await runner("--no-write", `${FIXTURES}/fail_missing.ipynb`);
  assert.equal(out.code, 1, out.stderr);
  // "alpha" was printed and is not reported; "beta" was not printed.
  assert.match(
    lineOf(out, "fail_missing.ipynb"),
    /: 1 cells, .*, FAILED: cell 'prints' output lacks 'beta'$/,
  );
});

notebookTest("the runner fails a notebook with an error output", async () => {
  const out = await runner("--no-write", `${FIXTURES}/fail_error.ipynb`);
  assert.equal(out.code, 1, out.stderr);
  assert.match(
    lineOf(out, "fail_error.ipynb"),
    /FAILED: cell 'throws' raised RangeError: boom in a cell$/,
  );
});

notebookTest(
  "the runner fails a notebook with a code cell missing from its expectations",
  async () => {
    const out = await runner("--no-write", `${FIXTURES}/fail_unlisted.ipynb`);
    assert.equal(out.code, 1, out.stderr);
    assert.match(
      lineOf(out, "fail_unlisted.ipynb"),
      /FAILED: cell 'unlisted' has no expectations$/,
    );
  },
);

notebookTest(
  "the runner fails a notebook writing to stderr, unless the cell says stderr-ok",
  async () => {
    const out = await runner("--no-write", `${FIXTURES}/fail_stderr.ipynb`);
    assert.equal(out.code, 1, out.stderr);
    // Only 'warns' is reported: 'warns-ok' may write to stderr.
    assert.match(
      lineOf(out, "fail_stderr.ipynb"),
      /FAILED: cell 'warns' wrote to stderr: a warning on stderr$/,
    );
  },
);

notebookTest(
  "the runner fails a notebook whose cell outlives the per-cell timeout",
  async () => {
    const out = await runner("--no-write", "--timeout", "3", `${FIXTURES}/fail_timeout.ipynb`);
    assert.equal(out.code, 1, out.stderr);
    assert.match(
      lineOf(out, "fail_timeout.ipynb"),
      /FAILED: cell 'waits' timed out after 3 s; cell 'after' was not executed$/,
    );
  },
);

notebookTest(
  "the runner writes the executed copy back; --check-only checks a copy without running it",
  async () => {
    const dir = await Deno.makeTempDir({ dir: `${ROOT}${FIXTURES}`, prefix: "tmp_" });
    try {
      const nb = `${dir}/late_outputs.ipynb`;
      const expect = `${dir}/late_outputs.expect.json`;
      await Deno.copyFile(`${ROOT}${FIXTURES}/late_outputs.ipynb`, nb);
      await Deno.copyFile(`${ROOT}${FIXTURES}/late_outputs.expect.json`, expect);

      const ran = await runner(nb);
      assert.equal(ran.code, 0, `${ran.lines.join("\n")}\n${ran.stderr}`);
      const saved = JSON.parse(await Deno.readTextFile(nb));
      const code = saved.cells.filter((c: { cell_type: string }) => c.cell_type === "code");
      assert.equal(code.length, 7);
      for (const cell of code) {
        assert.equal(typeof cell.execution_count, "number", cell.id);
        assert.ok(cell.outputs.length > 0, `cell ${cell.id} saved without outputs`);
      }
      // Consecutive stream outputs are merged: the 300 lines are one output.
      assert.equal(code[0].outputs.length, 1);
      assert.match(code[0].outputs[0].text.join(""), /line 300 of 300\n$/);

      const checked = await runner("--check-only", nb);
      assert.equal(checked.code, 0, checked.lines.join("\n"));
      assert.match(checked.lines[0] ?? "", /: 7 cells, .*, ok$/);

      // A saved copy that lost the SVG fails the check.
      const svgCell = code.find((c: { id: string }) => c.id === "svg");
      svgCell.outputs = svgCell.outputs.filter((o: { output_type: string }) =>
        o.output_type === "stream"
      );
      await Deno.writeTextFile(nb, JSON.stringify(saved));
      const lost = await runner("--check-only", nb);
      assert.equal(lost.code, 1);
      assert.match(lost.lines[0] ?? "", /FAILED: cell 'svg' has no image\/svg\+xml output/);

      // So does a notebook without its expectations file.
      await Deno.remove(expect);
      const bare = await runner("--check-only", nb);
      assert.equal(bare.code, 1);
      assert.match(bare.lines[0] ?? "", /FAILED: no expectations file late_outputs\.expect\.json/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

notebookTest(
  "every tutorial notebook, as committed, has the outputs its expectations ask for (--check-only)",
  async () => {
    // The saved outputs are what a reader sees (004's MPI table and estimates among them); the
    // check reads them without executing anything, so timings play no part.
    const out = await runner("--check-only");
    const report = `${out.lines.join("\n")}\n${out.stderr}`;
    assert.equal(out.code, 0, report);
    assert.ok(out.lines.length > 0, report);
    for (const line of out.lines) assert.match(line, /^notebooks\/\d+_\w+\.ipynb: .*, ok$/, report);
    assert.ok(out.lines.some((l) => l.startsWith("notebooks/004_pi.ipynb:")), report);
  },
);

notebookTest("with no tutorial notebooks yet, the runner says so and passes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A copy of the runner in a checkout without notebooks/[0-9]*.ipynb.
    await Deno.mkdir(`${dir}/notebooks/_tools`, { recursive: true });
    await Deno.copyFile(RUNNER, `${dir}/notebooks/_tools/run_notebooks.py`);
    const out = await new Deno.Command(PYTHON, {
      args: [`${dir}/notebooks/_tools/run_notebooks.py`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(
      new TextDecoder().decode(out.stdout),
      "notebooks: no notebooks/[0-9]*.ipynb yet, nothing to run\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
