import assert from "node:assert/strict";
import { bindingAdvice } from "./_binding.ts";

Deno.test("bindingAdvice: a rank bound to fewer CPUs than its workers gets advice naming the fix", () => {
  const advice = bindingAdvice(3, 4, 1, 64);
  assert.match(advice!, /rank 3 may run on 1 of this machine's 64 CPUs/);
  assert.match(advice!, /its 4 workers share it\b/);
  assert.match(advice!, /mpirun --bind-to none/);
  assert.match(advice!, /--map-by ppr:1:node:PE=4/);
  assert.match(bindingAdvice(0, 8, 4, 64)!, /share them/);
});

Deno.test("bindingAdvice: workers that fit, an unbound rank oversubscribed by choice, or an unknown machine: none", () => {
  assert.equal(bindingAdvice(0, 1, 1, 64), undefined); // one worker on its core
  assert.equal(bindingAdvice(0, 4, 4, 64), undefined); // PE=4
  assert.equal(bindingAdvice(0, 8, 2, 2), undefined); // unbound: more workers than cores, as Pool
  assert.equal(bindingAdvice(0, 8, 2, undefined), undefined);
});
