/**
 * A first-in, first-out queue with O(1) `push` and `shift`, for the pool's chunks and
 * `Parallel`'s batches (`Array.prototype.shift` copies the array: O(n) per call on a long
 * queue). Items sit in an array read from a head index; the space before the head is given
 * back once it is more than half the array.
 *
 * @module
 */

/** A FIFO queue of items other than `undefined` (which `shift()` answers when empty). */
export class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  /** How many items are queued. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Queues an item at the back. */
  push(item: T): void {
    this.#items.push(item);
  }

  /** Puts items back at the front, first of them first out. */
  pushFront(items: readonly T[]): void {
    if (items.length === 0) return;
    this.#items = [...items, ...this.#items.slice(this.#head)];
    this.#head = 0;
  }

  /** The front item, left in place, or `undefined` when empty. */
  first(): T | undefined {
    return this.#head === this.#items.length ? undefined : this.#items[this.#head];
  }

  /** Takes the front item, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.#head === this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Removes the items `drop` returns `true` for, keeping the others in order. */
  remove(drop: (item: T) => boolean): void {
    const kept: T[] = [];
    for (let i = this.#head; i < this.#items.length; i++) {
      const item = this.#items[i] as T;
      if (!drop(item)) kept.push(item);
    }
    this.#items = kept;
    this.#head = 0;
  }

  /** Empties the queue; returns what it held, front first. */
  clear(): T[] {
    const items = this.#items.slice(this.#head) as T[];
    this.#items = [];
    this.#head = 0;
    return items;
  }
}
