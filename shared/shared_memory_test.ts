import assert from "node:assert/strict";
import { encodeValue, reviveValue } from "../_internal/shareable.ts";
import { Pool } from "../pool/pool.ts";
import { workerTest } from "../tests/_helpers.ts";
import { SharedMemory } from "./shared_memory.ts";

Deno.test("new SharedMemory({ create }) makes a zero-filled block with a fresh name", () => {
  using a = new SharedMemory({ create: true, size: 10 });
  using b = new SharedMemory({ create: true, size: 3 });
  try {
    assert.match(a.name, /^wnsm_[0-9a-f]{8}$/);
    assert.notEqual(a.name, b.name);
    assert.equal(a.size, 10);
    assert.ok(a.buf instanceof Uint8Array);
    assert.ok(a.buf.buffer instanceof SharedArrayBuffer);
    assert.deepEqual([...a.buf], new Array(10).fill(0));
    assert.equal(a.buf, a.buf); // one view, as Python's memoryview
    assert.equal(Deno.inspect(b), `SharedMemory("${b.name}", size=3)`);
  } finally {
    a.unlink();
    b.unlink();
  }
});

Deno.test("new SharedMemory({ name }) attaches to the same bytes", () => {
  using created = new SharedMemory({ name: "test_attach", create: true, size: 8 });
  using attached = new SharedMemory({ name: "test_attach" });
  // Python ignores size when attaching; so do we.
  using sized = new SharedMemory({ name: "test_attach", size: 1 });
  assert.equal(attached.name, "test_attach");
  assert.equal(attached.size, 8);
  assert.equal(sized.size, 8);
  created.buf[0] = 7;
  attached.buf[7] = 9;
  assert.equal(attached.buf[0], 7);
  assert.equal(created.buf[7], 9);
  new Float64Array(sized.buf.buffer)[0] = 0.5;
  assert.equal(new Float64Array(created.buf.buffer)[0], 0.5);
  created.unlink();
});

Deno.test("SharedMemory.close() ends this handle only, idempotently", () => {
  const shm = new SharedMemory({ name: "test_close", create: true, size: 4 });
  const view = shm.buf;
  const other = new SharedMemory({ name: "test_close" });
  shm.close();
  shm.close();
  assert.throws(() => shm.buf, (error: unknown) => {
    assert.ok(error instanceof Deno.errors.BadResource);
    assert.match(
      error.message,
      /"test_close".*closed.*new SharedMemory\(\{ name: "test_close" \}\)/,
    );
    return true;
  });
  assert.equal(shm.name, "test_close");
  assert.equal(shm.size, 4);
  assert.equal(Deno.inspect(shm), `SharedMemory("test_close", size=4, closed)`);
  other.buf[1] = 5;
  assert.equal(view[1], 5); // views taken before close cannot be revoked
  {
    using scoped = new SharedMemory({ name: "test_close" });
    assert.equal(scoped.buf[1], 5);
    other.close();
    assert.equal(scoped.buf[1], 5);
  }
  shm.unlink(); // after close, as in Python's docs
});

Deno.test("SharedMemory.unlink() removes the name; the memory stays with its handles", () => {
  using shm = new SharedMemory({ name: "test_unlink", create: true, size: 2 });
  using attached = new SharedMemory({ name: "test_unlink" });
  shm.unlink();
  assert.throws(() => new SharedMemory({ name: "test_unlink" }), Deno.errors.NotFound);
  attached.buf[0] = 3;
  assert.equal(shm.buf[0], 3);
  assert.throws(() => attached.unlink(), (error: unknown) => {
    assert.ok(error instanceof Deno.errors.NotFound);
    assert.match(error.message, /Cannot unlink shared memory block "test_unlink"/);
    return true;
  });
  // The name can be taken again; unlinking the old block leaves the new one alone.
  using again = new SharedMemory({ name: "test_unlink", create: true, size: 1 });
  assert.throws(() => shm.unlink(), Deno.errors.NotFound);
  assert.equal(new SharedMemory({ name: "test_unlink" }).size, 1);
  again.unlink();
});

Deno.test("SharedMemory names a missing or taken block in its error", () => {
  assert.throws(() => new SharedMemory({ name: "test_missing" }), (error: unknown) => {
    assert.ok(error instanceof Deno.errors.NotFound);
    assert.match(error.message, /No shared memory block is named "test_missing"/);
    assert.match(error.message, /create: true/);
    return true;
  });
  using shm = new SharedMemory({ name: "test_taken", create: true, size: 1 });
  assert.throws(
    () => new SharedMemory({ name: "test_taken", create: true, size: 1 }),
    (error: unknown) => {
      assert.ok(error instanceof Deno.errors.AlreadyExists);
      assert.match(error.message, /"test_taken" already exists/);
      return true;
    },
  );
  shm.unlink();
});

Deno.test("SharedMemory rejects bad options, naming the argument and the fix", () => {
  const make = (options: unknown) => () => new SharedMemory(options as never);
  assert.throws(make(undefined), { name: "TypeError", message: /"options" must be an object/ });
  assert.throws(make("grid"), { name: "TypeError", message: /"options" must be an object/ });
  assert.throws(make({}), { name: "TypeError", message: /"name" is required to attach/ });
  assert.throws(make({ create: "yes", size: 1 }), {
    name: "TypeError",
    message: /"create" must be true or false, got "yes"/,
  });
  assert.throws(make({ name: 1 }), { name: "TypeError", message: /"name" must be a string/ });
  assert.throws(make({ name: "" }), { name: "RangeError", message: /"name" must not be empty/ });
  assert.throws(make({ create: true, size: "8" }), {
    name: "TypeError",
    message: /"size" must be a number of bytes, got the string "8" \(write 8, without quotes\)/,
  });
  for (const size of [0, -1, 1.5, NaN, Infinity, 2 ** 53]) {
    assert.throws(make({ create: true, size }), {
      name: "RangeError",
      message: /"size" must be a positive whole number of bytes to create a block/,
    });
  }
  assert.throws(make({ create: true }), { name: "RangeError", message: /got 0/ });
  assert.throws(make({ name: "x", size: -1 }), { name: "RangeError", message: /"size"/ });
  assert.throws(make({ create: true, size: 2 ** 52 }), {
    name: "RangeError",
    message: /Cannot allocate a shared memory block of \d+ bytes/,
  });
});

Deno.test("a SharedMemory crosses as itself: same bytes, unlinked or not", async () => {
  using shm = new SharedMemory({ create: true, size: 4 });
  shm.unlink();
  const transfer: Transferable[] = [];
  const encoded = encodeValue({ nested: [shm] }, transfer);
  assert.equal(encoded.shared, true);
  const revived = await reviveValue(structuredClone(encoded.value)) as {
    nested: SharedMemory[];
  };
  const copy = revived.nested[0]!;
  assert.ok(copy instanceof SharedMemory);
  assert.equal(copy.name, shm.name);
  copy.buf[2] = 8;
  assert.equal(shm.buf[2], 8);
  // Its name stays unlinked.
  assert.throws(() => copy.unlink(), Deno.errors.NotFound);
  shm.close();
  assert.throws(() => encodeValue([shm], []), Deno.errors.BadResource);
});

workerTest("the inline backend uses the main program's registry", async () => {
  using shm = new SharedMemory({ create: true, size: 2 });
  await using pool = new Pool(1, { backend: "inline" });
  await pool.apply((name: string) => {
    using mine = new SharedMemory({ name });
    mine.buf[1] = 6;
  }, [shm.name]);
  assert.equal(shm.buf[1], 6);
  const made = await pool.apply(() => {
    const block = new SharedMemory({ create: true, size: 3 });
    block.close();
    return block.name;
  });
  using attached = new SharedMemory({ name: made });
  assert.equal(attached.size, 3);
  attached.unlink();
  shm.unlink();
});
