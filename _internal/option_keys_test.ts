import assert from "node:assert/strict";
import { checkOptionKeys, closestKey } from "./option_keys.ts";

const POOL = ["initializer", "initargs", "maxTasksPerChild", "maxMemoryPerChild", "name"];

Deno.test("closestKey() finds the key meant: case, snake_case, a few letters off, a swap", () => {
  assert.equal(closestKey("maxtasksperchild", POOL), "maxTasksPerChild");
  assert.equal(closestKey("max_tasks_per_child", POOL), "maxTasksPerChild");
  assert.equal(closestKey("max-memory-per-child", POOL), "maxMemoryPerChild");
  assert.equal(closestKey("initalizer", POOL), "initializer");
  assert.equal(closestKey("initArgs", POOL), "initargs");
  assert.equal(closestKey("nmae", POOL), "name");
  assert.equal(closestKey("nam", POOL), "name");
});

Deno.test("closestKey() suggests nothing far off", () => {
  assert.equal(closestKey("bogus", POOL), undefined);
  assert.equal(closestKey("x", ["timeout", "signal"]), undefined);
  assert.equal(closestKey("length", ["offset", "size"]), undefined);
  assert.equal(closestKey("anything", []), undefined);
});

Deno.test("checkOptionKeys() accepts known keys and refuses the first unknown one", () => {
  checkOptionKeys({}, POOL, "new Pool()");
  checkOptionKeys({ name: "x", initargs: [] }, POOL, "new Pool()");
  // Symbol keys and inherited keys are not options.
  checkOptionKeys(Object.assign(Object.create({ inherited: 1 }), { [Symbol("s")]: 1 }), POOL, "f");
  assert.throws(() => checkOptionKeys({ name: "x", maxtasksperchild: 2 }, POOL, "new Pool()"), {
    name: "TypeError",
    message: `new Pool(): unknown option "maxtasksperchild" (did you mean "maxTasksPerChild"?); ` +
      `the options are "initializer", "initargs", "maxTasksPerChild", "maxMemoryPerChild", "name"`,
  });
  assert.throws(() => checkOptionKeys({ bogus: 1 }, ["a"], "f()"), {
    message: `f(): unknown option "bogus"; the options are "a"`,
  });
});

Deno.test("checkOptionKeys() gives a hint for a key meant elsewhere, and says when none exist", () => {
  assert.throws(
    () => checkOptionKeys({ processes: 4 }, POOL, "new Pool()", { processes: "the first one" }),
    { message: /^new Pool\(\): unknown option "processes" \(the first one\); the options are / },
  );
  assert.throws(() => checkOptionKeys({ address: 1 }, [], "Manager.start()"), {
    message: `Manager.start() takes no options, got the option "address"`,
  });
  // A hint is only for a key given: a known key is never refused for having one.
  checkOptionKeys({ name: "x" }, POOL, "new Pool()", { name: "never shown" });
});
