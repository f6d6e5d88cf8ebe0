// The task functions the Node peers run in their workers (piscina and tinypool import this file
// by its URL; workerpool_worker.mjs registers the same functions). They are the ones our side
// runs: `hitCount` is bench/pi.ts's kernel as Deno compiles it (bench/peers.ts checks that the
// two sources agree before it times anything), `power10` is bench/main.ts's trivial task.

/** The trivial task: `x ** 10`. */
export default function power10(x) {
  return x ** 10;
}

/** The trivial task over a chunk made by hand: `xs.map(power10)`. */
export function power10Chunk(xs) {
  return xs.map(power10);
}

/** Monte Carlo Pi: how many of `n` random points of the unit square fall inside the circle. */
export function hitCount(n) {
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const x = Math.random();
    const y = Math.random();
    if (x * x + y * y < 1) hits++;
  }
  return hits;
}

export { power10 };
