import assert from "node:assert/strict";
import { shortFormatTime, VerboseReporter, verbosityFilter } from "./_verbose.ts";

function capture(verbose: number, preDispatch = 4) {
  const lines: { line: string; stream: string }[] = [];
  const reporter = new VerboseReporter(
    verbose,
    "Parallel(nJobs=2)",
    preDispatch,
    (line, stream) => lines.push({ line, stream }),
  );
  return { reporter, lines, text: () => lines.map((l) => l.line) };
}

Deno.test("shortFormatTime() pads seconds as joblib, minutes past 60 s", () => {
  assert.equal(shortFormatTime(1.4), "   1.4s");
  assert.equal(shortFormatTime(0), "   0.0s");
  assert.equal(shortFormatTime(59.96), "  60.0s");
  assert.equal(shortFormatTime(125), " 2.1min");
});

Deno.test("the closing line reads exactly as joblib's", () => {
  const { reporter, lines } = capture(1);
  reporter.finished(10, 1400);
  assert.deepEqual(lines, [{
    line: "[Parallel(nJobs=2)]: Done  10 out of  10 | elapsed:    1.4s finished",
    stream: "stderr",
  }]);
});

Deno.test("verbose 0 prints nothing; from 50 the lines go to stdout", () => {
  const quiet = capture(0);
  quiet.reporter.start("worker", 2);
  quiet.reporter.progress({
    completedTasks: 1,
    dispatchedBatches: 1,
    dispatchedTasks: 1,
    exhausted: false,
    elapsed: 1,
  });
  quiet.reporter.finished(1, 1);
  assert.deepEqual(quiet.lines, []);
  const loud = capture(50);
  loud.reporter.start("worker", 2);
  assert.deepEqual(loud.lines, [{
    line: "[Parallel(nJobs=2)]: Using backend worker with 2 concurrent workers.",
    stream: "stdout",
  }]);
});

Deno.test("verbosityFilter() spaces lines out on a square-root schedule", () => {
  // Level 1: scale 50, lines after batch indices where sqrt(i / 50) crosses a whole number.
  const printed = [...Array(1000).keys()].filter((i) => !verbosityFilter(i, 1));
  assert.deepEqual(printed, [0, 49, 199, 449, 799]);
  // Level 10: scale 0.5, far more often; above 10, always.
  assert.ok([...Array(100).keys()].filter((i) => !verbosityFilter(i, 10)).length > 10);
  assert.equal([...Array(100).keys()].filter((i) => !verbosityFilter(i, 11)).length, 100);
  assert.equal(verbosityFilter(5, 0), true);
});

Deno.test("while the input is read, lines count the tasks done", () => {
  const { reporter, text } = capture(11);
  for (let batch = 1; batch <= 3; batch++) {
    reporter.progress({
      completedTasks: batch * 2,
      dispatchedBatches: batch + 2,
      dispatchedTasks: batch * 2 + 4,
      exhausted: false,
      elapsed: 100 * batch,
    });
  }
  assert.deepEqual(text(), [
    "[Parallel(nJobs=2)]: Done   2 tasks      | elapsed:    0.1s",
    "[Parallel(nJobs=2)]: Done   4 tasks      | elapsed:    0.2s",
    "[Parallel(nJobs=2)]: Done   6 tasks      | elapsed:    0.3s",
  ]);
});

Deno.test("once the input is exhausted, lines give the total and the time remaining", () => {
  const { reporter, text } = capture(11, 0);
  for (let done = 1; done <= 10; done++) {
    reporter.progress({
      completedTasks: done,
      dispatchedBatches: 10,
      dispatchedTasks: 10,
      exhausted: true,
      elapsed: 200 * done,
    });
  }
  // verbose 11: frequency 10 // 11 + 1 = 1, every task but the one before last.
  assert.equal(text().length, 9);
  assert.equal(
    text()[0],
    "[Parallel(nJobs=2)]: Done   1 out of  10 | elapsed:    0.2s remaining:    1.8s",
  );
  assert.ok(!text().some((line) => line.includes("Done   9 out of")));
  const { reporter: few, text: fewText } = capture(2, 0);
  for (let done = 1; done <= 100; done++) {
    few.progress({
      completedTasks: done,
      dispatchedBatches: 100,
      dispatchedTasks: 100,
      exhausted: true,
      elapsed: done,
    });
  }
  // verbose 2: about 2 lines (frequency 51).
  assert.ok(fewText().length >= 1 && fewText().length <= 3, fewText().join("\n"));
});

Deno.test("batch size changes are reported from level 10", () => {
  const change = { from: 4, to: 8, duration: 1.5 };
  const low = capture(9);
  low.reporter.batchSize(change);
  assert.deepEqual(low.lines, []);
  const high = capture(10);
  high.reporter.batchSize(change);
  high.reporter.batchSize({ from: 8, to: 2, duration: 3000 });
  assert.deepEqual(high.text(), [
    "[Parallel(nJobs=2)]: Batch computation too fast (0.0015s.) Setting batch_size=8.",
    "[Parallel(nJobs=2)]: Batch computation too slow (3.0000s.) Setting batch_size=2.",
  ]);
});
