import assert from "node:assert/strict";
import {
  checkBackend,
  checkBatchSize,
  checkReturnAs,
  checkTimeout,
  checkVerbose,
  evaluate,
  resolveNJobs,
  resolvePreDispatch,
} from "./_options.ts";

Deno.test("resolveNJobs() counts negative values down from the processors, as joblib", () => {
  assert.equal(resolveNJobs(3, 8), 3);
  assert.equal(resolveNJobs(1, 8), 1);
  assert.equal(resolveNJobs(-1, 8), 8);
  assert.equal(resolveNJobs(-2, 8), 7);
  assert.equal(resolveNJobs(-8, 8), 1);
  assert.equal(resolveNJobs(-20, 8), 1, "never below one worker");
  assert.equal(resolveNJobs(-1, 2), 2);
});

Deno.test("resolveNJobs() refuses 0, fractions and non-numbers, naming nJobs", () => {
  assert.throws(() => resolveNJobs(0, 8), { name: "RangeError", message: /"nJobs" must not be 0/ });
  assert.throws(() => resolveNJobs(1.5, 8), { name: "RangeError", message: /"nJobs".*1\.5/ });
  assert.throws(() => resolveNJobs(NaN, 8), RangeError);
  assert.throws(() => resolveNJobs("2", 8), { name: "TypeError", message: /"nJobs".*"2"/ });
});

Deno.test('checkBatchSize() takes "auto" or a whole number ≥ 1', () => {
  assert.equal(checkBatchSize("auto"), "auto");
  assert.equal(checkBatchSize(100), 100);
  for (const bad of [0, -3, 2.5]) {
    assert.throws(() => checkBatchSize(bad), {
      name: "RangeError",
      message: /"batchSize" must be "auto" or a whole number/,
    });
  }
  for (const bad of ["10", null]) {
    assert.throws(() => checkBatchSize(bad), {
      name: "TypeError",
      message: /"batchSize" must be "auto" or a whole number/,
    });
  }
});

Deno.test("checkReturnAs() takes joblib's three modes", () => {
  for (const mode of ["list", "generator", "generator_unordered"]) {
    assert.equal(checkReturnAs(mode), mode);
  }
  assert.throws(() => checkReturnAs("generatorUnordered"), {
    name: "RangeError",
    message: /"returnAs" must be "list", "generator" or "generator_unordered", got "gen/,
  });
});

Deno.test("checkVerbose(), checkTimeout() and checkBackend() name their option", () => {
  assert.equal(checkVerbose(0), 0);
  assert.equal(checkVerbose(11), 11);
  assert.throws(() => checkVerbose(-1), { name: "RangeError", message: /"verbose"/ });
  assert.throws(() => checkVerbose(true), { name: "TypeError", message: /"verbose".*boolean/ });
  assert.equal(checkTimeout(Infinity), Infinity);
  assert.equal(checkTimeout(250), 250);
  for (const bad of [0, -5, NaN]) {
    assert.throws(() => checkTimeout(bad), { name: "RangeError", message: /"timeout".*milli/ });
  }
  assert.throws(() => checkTimeout("1s"), { name: "TypeError", message: /the string "1s"/ });
  assert.equal(checkBackend(undefined, 1), "inline");
  assert.equal(checkBackend(undefined, 2), "worker");
  assert.equal(checkBackend("worker", 1), "worker");
  assert.throws(() => checkBackend("loky", 2), {
    name: "RangeError",
    message: /"backend".*"loky"/,
  });
});

Deno.test('resolvePreDispatch() takes numbers, "all" and joblib\'s expressions', () => {
  assert.equal(resolvePreDispatch(5, 2), 5);
  assert.equal(resolvePreDispatch("all", 2), Infinity);
  assert.equal(resolvePreDispatch("2*nJobs", 3), 6);
  assert.equal(resolvePreDispatch("2 * n_jobs", 3), 6);
  assert.equal(resolvePreDispatch("1.5*nJobs", 3), 4);
  assert.equal(resolvePreDispatch("(nJobs + 1) * 2", 3), 8);
  assert.equal(resolvePreDispatch("nJobs", 4), 4);
  assert.equal(resolvePreDispatch("10", 4), 10);
  assert.equal(resolvePreDispatch(2.7, 4), 2);
});

Deno.test("resolvePreDispatch() refuses what does not evaluate to at least 1", () => {
  for (const bad of [0, -1, "0*nJobs", "nJobs -", "2*cpus", "alert(1)", "", {}, NaN]) {
    assert.throws(() => resolvePreDispatch(bad, 2), {
      name: "RangeError",
      message: /"preDispatch" must be a whole number, at least 1, "all", or an expression/,
    });
  }
});

Deno.test("evaluate() does arithmetic with precedence and unary signs", () => {
  assert.equal(evaluate("1 + 2 * 3", 0), 7);
  assert.equal(evaluate("(1 + 2) * 3", 0), 9);
  assert.equal(evaluate("-nJobs + 10 / 4", 2), 0.5);
  assert.equal(evaluate(".5 * n_jobs", 4), 2);
  assert.throws(() => evaluate("(1 + 2", 0), /expected "\)"/);
  assert.throws(() => evaluate("1 2", 0), /unexpected "2"/);
});
