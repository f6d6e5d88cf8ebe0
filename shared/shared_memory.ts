/**
 * {@linkcode SharedMemory}: Python's `multiprocessing.shared_memory.SharedMemory`, a block of
 * bytes that the main program and every worker can find by name.
 *
 * @module
 */

import { checkOptionKeys } from "../_internal/option_keys.ts";
import { lookupBlock, registerBlock, unregisterBlock } from "../_internal/named_blocks.ts";
import type { RegistryBlock } from "../_internal/protocol.ts";
import { fromShared, Revival, type SharedHandle, toShared } from "../_internal/shareable.ts";
import { describeNonNumber, describeValue } from "../_internal/checks.ts";

/** The state of the instance being revived in this thread (see `[fromShared]`). */
const revival = new Revival<State>();

/** Options of {@linkcode SharedMemory}. */
export interface SharedMemoryOptions {
  /**
   * The block's name: required to attach to a block; when creating, a fresh unique name
   * (`wnsm_` and 8 hex digits, as Python's) if left out.
   */
  name?: string;
  /**
   * `true` to create a new block, `false` to attach to the existing block of that `name`.
   * @default {false}
   */
  create?: boolean;
  /**
   * The size of the block to create, in bytes: a positive whole number. Ignored when
   * attaching (the block keeps its own size), as in Python.
   * @default {0}
   */
  size?: number;
}

/** What crosses into a worker. */
interface State {
  name: string;
  buffer: SharedArrayBuffer;
  token: string;
}

const NAME_PREFIX = "wnsm_";

/**
 * A block of shared memory with a name (Python's `multiprocessing.shared_memory.SharedMemory`):
 * create it anywhere, then attach to it by name anywhere, in the main program or any worker
 * (workers started by workers too), and read and write the same bytes through
 * {@linkcode SharedMemory.buf}. A zero-filled `SharedArrayBuffer` holds the bytes; the name is
 * kept in a registry of the whole program, held by the main program.
 *
 * As in Python, {@linkcode SharedMemory.close} ends this handle's use of the block and
 * {@linkcode SharedMemory.unlink} removes the name, once, when no one needs to attach any
 * more; the memory itself is freed when the last handle and view of it is gone. A block never
 * unlinked stays registered until the program ends (Python would warn of a leak).
 *
 * The object itself can also be passed to workers, as an argument, inside arrays and plain
 * objects, or in `initargs`: it arrives as a `SharedMemory` over the same bytes, unlinked or
 * not.
 *
 * @example Create in the main program, write in a worker
 * ```ts
 * import { Pool, SharedMemory } from "@workers/multiprocessing";
 * import assert from "node:assert/strict";
 *
 * using shm = new SharedMemory({ create: true, size: 4 });
 * await using pool = new Pool(1);
 * await pool.apply((name: string) => {
 *   using mine = new SharedMemory({ name }); // attach by name
 *   mine.buf.set([1, 2, 3, 4]);
 * }, [shm.name]);
 * assert.deepEqual([...shm.buf], [1, 2, 3, 4]);
 * shm.unlink();
 * ```
 *
 * @example Pass the block itself, and view it as numbers
 * ```ts
 * import { Pool } from "@workers/multiprocessing";
 * import { SharedMemory } from "@workers/multiprocessing/shared";
 * import assert from "node:assert/strict";
 *
 * using shm = new SharedMemory({ create: true, size: 8 * 4 });
 * const xs = new Float64Array(shm.buf.buffer);
 * await using pool = new Pool(2);
 * await pool.starmap((block: SharedMemory, i: number) => {
 *   new Float64Array(block.buf.buffer)[i] = i * 1.5;
 * }, [0, 1, 2, 3].map((i) => [shm, i]));
 * assert.deepEqual([...xs], [0, 1.5, 3, 4.5]);
 * shm.unlink();
 * ```
 */
export class SharedMemory implements Disposable {
  readonly #name: string;
  readonly #buffer: SharedArrayBuffer;
  readonly #token: string;
  #buf: Uint8Array<SharedArrayBuffer> | null;

  /**
   * Creates a block (`{ create: true, size }`), or attaches to the block of that name
   * (`{ name }`), synchronously.
   *
   * @param options The `name`, whether to `create`, and the `size` to create.
   * @throws {Deno.errors.NotFound} Attaching: no block has that name (or it was unlinked).
   * @throws {Deno.errors.AlreadyExists} Creating: a block has that name already.
   * @throws {TypeError} An option has the wrong type or is unknown, or `name` is missing to
   *   attach.
   * @throws {RangeError} `name` is empty, or `size` is not a positive whole number when
   *   creating (or cannot be allocated).
   *
   * @example Create, then attach by name
   * ```ts
   * import { SharedMemory } from "@workers/multiprocessing/shared";
   * import assert from "node:assert/strict";
   *
   * using a = new SharedMemory({ create: true, size: 16 });
   * using b = new SharedMemory({ name: a.name });
   * a.buf[0] = 42;
   * assert.equal(b.buf[0], 42);
   * assert.equal(b.size, 16);
   * a.unlink();
   * ```
   */
  constructor(options: SharedMemoryOptions) {
    const state = revival.take() ?? open(options);
    this.#name = state.name;
    this.#buffer = state.buffer;
    this.#token = state.token;
    this.#buf = new Uint8Array(state.buffer);
  }

  /**
   * The block's bytes: a `Uint8Array` over the whole block (view it as other types through
   * its `buffer`). Views taken from it stay usable after {@linkcode SharedMemory.close}, which
   * cannot revoke them.
   *
   * @throws {Deno.errors.BadResource} This handle is closed.
   */
  get buf(): Uint8Array<SharedArrayBuffer> {
    if (this.#buf === null) {
      throw new Deno.errors.BadResource(
        `Cannot use shared memory block "${this.#name}" through this handle as it is closed: ` +
          `attach again with new SharedMemory({ name: "${this.#name}" })`,
      );
    }
    return this.#buf;
  }

  /** The block's name, by which any thread attaches to it. */
  get name(): string {
    return this.#name;
  }

  /** The block's size in bytes. */
  get size(): number {
    return this.#buffer.byteLength;
  }

  /**
   * Ends this handle's use of the block: {@linkcode SharedMemory.buf} throws from now on.
   * Other handles, and the name, are not affected. Idempotent.
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@workers/multiprocessing/shared";
   * import assert from "node:assert/strict";
   *
   * const shm = new SharedMemory({ create: true, size: 1 });
   * shm.close();
   * assert.throws(() => shm.buf, Deno.errors.BadResource);
   * shm.unlink(); // still possible, as in Python
   * ```
   */
  close(): void {
    this.#buf = null;
  }

  /**
   * Removes the block's name from the registry, so no one can attach to it any more; handles
   * that have it (this one included) keep working. Call it once, from any thread, when the
   * block is no longer needed (Python's `unlink`).
   *
   * @throws {Deno.errors.NotFound} The block was unlinked already.
   *
   * @example
   * ```ts
   * import { SharedMemory } from "@workers/multiprocessing/shared";
   * import assert from "node:assert/strict";
   *
   * using shm = new SharedMemory({ create: true, size: 1 });
   * shm.unlink();
   * assert.throws(() => new SharedMemory({ name: shm.name }), Deno.errors.NotFound);
   * shm.buf[0] = 1; // still usable
   * assert.throws(() => shm.unlink(), Deno.errors.NotFound);
   * ```
   */
  unlink(): void {
    unregisterBlock(this.#name, this.#token);
  }

  /** Closes this handle, as {@linkcode SharedMemory.close}, at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal What crosses into a worker. */
  [toShared](): SharedHandle {
    if (this.#buf === null) {
      throw new Deno.errors.BadResource(
        `Cannot send shared memory block "${this.#name}" to a worker through a closed handle: ` +
          `send an open handle, or its name`,
      );
    }
    const state: State = { name: this.#name, buffer: this.#buffer, token: this.#token };
    return { module: import.meta.url, export: "SharedMemory", state };
  }

  /** @internal Rebuilds the handle in a worker. */
  static [fromShared](state: unknown): SharedMemory {
    const { name, buffer, token } = state as Partial<State>;
    if (
      typeof name !== "string" || !(buffer instanceof SharedArrayBuffer) ||
      typeof token !== "string"
    ) {
      throw new TypeError("Cannot revive a SharedMemory: its state is malformed");
    }
    return revival.revive({ name, buffer, token }, () => new SharedMemory({ name }));
  }

  /** Shows the name and size, as Python's `repr`. */
  [Symbol.for("Deno.customInspect")](): string {
    const closed = this.#buf === null ? ", closed" : "";
    return `SharedMemory(${JSON.stringify(this.#name)}, size=${this.size}${closed})`;
  }
}

/** Validates the options, then creates and registers a block or looks one up. */
function open(options: SharedMemoryOptions): State {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `"options" must be an object: pass { create: true, size: 1024 } to create a block, or ` +
        `{ name } to attach to one`,
    );
  }
  checkOptionKeys(options, ["name", "create", "size"], "new SharedMemory()");
  const { name, create = false, size = 0 } = options;
  if (typeof create !== "boolean") {
    throw new TypeError(`"create" must be true or false, got ${describe(create)}`);
  }
  if (name !== undefined) {
    if (typeof name !== "string") {
      throw new TypeError(`"name" must be a string, got ${describe(name)}: e.g. { name: "grid" }`);
    }
    if (name === "") {
      throw new RangeError(`"name" must not be empty: e.g. { name: "grid" }, or leave it out`);
    }
  }
  if (typeof size !== "number") {
    throw new TypeError(`"size" must be a number of bytes, got ${describeNonNumber(size)}`);
  }
  if (!create) {
    if (name === undefined) {
      throw new TypeError(
        `"name" is required to attach to a block: pass { name }, or { create: true, size } ` +
          `to create one`,
      );
    }
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new RangeError(
        `"size" must be a whole number of bytes ≥ 0, got ${describeValue(size)}`,
      );
    }
    const { buffer, token } = lookupBlock(name);
    return { name, buffer, token };
  }
  if (!Number.isSafeInteger(size) || size <= 0) {
    throw new RangeError(
      `"size" must be a positive whole number of bytes to create a block, got ${
        describeValue(size)
      }: e.g. ` +
        `{ create: true, size: 1024 }`,
    );
  }
  const block: RegistryBlock = { buffer: allocate(size), token: crypto.randomUUID() };
  if (name !== undefined) {
    registerBlock(name, block);
    return { name, ...block };
  }
  // A fresh name, as Python's; retried in the unlikely case it is taken.
  for (;;) {
    const fresh = NAME_PREFIX + randomHex(4);
    try {
      registerBlock(fresh, block);
      return { name: fresh, ...block };
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
  }
}

function allocate(size: number): SharedArrayBuffer {
  try {
    return new SharedArrayBuffer(size);
  } catch (error) {
    throw new RangeError(
      `Cannot allocate a shared memory block of ${size} bytes (${String(error)}): ask for ` +
        `less`,
      { cause: error },
    );
  }
}

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => {
    return b.toString(16).padStart(2, "0");
  }).join("");
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null) return "null";
  return typeof value === "object" || typeof value === "function" ? typeof value : String(value);
}
