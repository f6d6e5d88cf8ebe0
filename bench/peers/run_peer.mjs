// One Node worker pool (piscina, tinypool or workerpool) through the workloads of bench/peers.ts,
// run as `node bench/peers/run_peer.mjs --peer piscina --tasks 100000 ...`. Prints one JSON
// object on stdout: milliseconds, and microseconds per sequential call. Each pool gets
// `--workers` threads, started at construction (min = max), and its defaults otherwise.
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { hitCount, power10 } from "./tasks.mjs";

const { values } = parseArgs({
  options: {
    peer: { type: "string" },
    workers: { type: "string", default: "2" },
    tasks: { type: "string", default: "100000" },
    chunk: { type: "string", default: "12500" },
    applies: { type: "string", default: "2000" },
    trials: { type: "string", default: "20000000" },
    "pi-repeats": { type: "string", default: "3" },
    "bulk-repeats": { type: "string", default: "3" },
    starts: { type: "string", default: "5" },
  },
});
const peer = values.peer;
const workers = Number(values.workers);
const tasksUrl = new URL("./tasks.mjs", import.meta.url).href;

// The library is imported before anything is timed, as ours is (bench/peers.ts imports mod.ts).
const library = peer === "piscina"
  ? await import("piscina")
  : peer === "tinypool"
  ? await import("tinypool")
  : peer === "workerpool"
  ? await import("workerpool")
  : undefined;
if (library === undefined) {
  throw new TypeError(
    `--peer must be piscina, tinypool or workerpool, not ${peer}`,
  );
}

const version = JSON.parse(
  readFileSync(
    new URL(`./node_modules/${peer}/package.json`, import.meta.url),
    "utf8",
  ),
).version;

/** A pool behind one small interface: `run(name, arg)`, `close()`. */
function open() {
  if (peer === "piscina" || peer === "tinypool") {
    // Tinypool is a fork of piscina: the same options and calls.
    const Pool = peer === "piscina" ? library.Piscina : library.Tinypool;
    const pool = new Pool({ filename: tasksUrl, minThreads: workers, maxThreads: workers });
    return {
      run: (name, arg) => pool.run(arg, name === "power10" ? undefined : { name }),
      close: () => pool.destroy(),
    };
  }
  const script = new URL("./workerpool_worker.mjs", import.meta.url).pathname;
  const pool = library.default.pool(script, {
    minWorkers: workers,
    maxWorkers: workers,
    workerType: "thread",
  });
  return {
    run: (name, arg) => pool.exec(name, [arg]),
    close: () => pool.terminate(),
  };
}

function summary(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, best: sorted[0], samples };
}

function split(total, parts) {
  const each = Math.floor(total / parts);
  return [...new Array(parts - 1).fill(each), total - each * (parts - 1)];
}

const now = () => performance.now();
const out = { peer, version, node: process.version, workers };

// Start to the first result: a fresh pool each time.
const starts = [];
for (let r = 0; r < Number(values.starts); r++) {
  const t0 = now();
  const pool = open();
  await pool.run("power10", 1);
  starts.push(now() - t0);
  await pool.close();
}
out.startMs = summary(starts);

const pool = open();
const n = Number(values.tasks);
const xs = Array.from({ length: n }, (_, i) => i);
const chunk = Number(values.chunk);
const chunks = [];
for (let i = 0; i < n; i += chunk) chunks.push(xs.slice(i, i + chunk));
const expected = xs.map(power10);
const same = (ys) => ys.length === n && ys.every((y, i) => y === expected[i]);

// Warm-up: every worker has loaded the tasks.
await Promise.all(
  Array.from({ length: 4 * workers }, (_, i) => pool.run("power10", i)),
);

// 100,000 trivial tasks at once, one call each; and by hand in chunks (arrays of `chunk`).
const perTask = [];
const chunked = [];
for (let r = 0; r < Number(values["bulk-repeats"]); r++) {
  let t0 = now();
  const ys = await Promise.all(xs.map((x) => pool.run("power10", x)));
  perTask.push(now() - t0);
  if (!same(ys)) {
    throw new Error(`${peer}: per-task results differ from xs.map(power10)`);
  }
  t0 = now();
  const parts = await Promise.all(
    chunks.map((c) => pool.run("power10Chunk", c)),
  );
  chunked.push(now() - t0);
  if (!same(parts.flat())) throw new Error(`${peer}: chunked results differ`);
}
out.bulk = {
  tasks: n,
  chunk,
  perTaskMs: summary(perTask),
  chunkedMs: summary(chunked),
};

// Sequential round trip.
// Warm-up calls, as many as ours (bench/_util.ts SEQUENTIAL_WARMUP).
for (let i = 0; i < 2000; i++) await pool.run("power10", i);
const applies = Number(values.applies);
let t0 = now();
for (let i = 0; i < applies; i++) await pool.run("power10", i);
out.apply = { calls: applies, perCallUs: ((now() - t0) / applies) * 1e3 };

// Monte Carlo Pi on the warm pool (start excluded) and on a fresh one (start included).
const trials = Number(values.trials);
const parts = split(trials, workers);
await Promise.all(
  Array.from({ length: workers }, () => pool.run("hitCount", 1)),
);
const excluded = [];
const included = [];
const serial = [];
let hits = 0;
for (let r = 0; r < Number(values["pi-repeats"]); r++) {
  t0 = now();
  hits = hitCount(trials);
  serial.push(now() - t0);
  t0 = now();
  hits = (await Promise.all(parts.map((p) => pool.run("hitCount", p)))).reduce((
    a,
    b,
  ) => a + b);
  excluded.push(now() - t0);
  t0 = now();
  const fresh = open();
  hits = (await Promise.all(parts.map((p) => fresh.run("hitCount", p)))).reduce(
    (a, b) => a + b,
  );
  included.push(now() - t0);
  await fresh.close();
}
out.pi = {
  trials,
  estimate: (4 * hits) / trials,
  serialMs: summary(serial),
  poolExcludedMs: summary(excluded),
  poolIncludedMs: summary(included),
};
await pool.close();
console.log(JSON.stringify(out));
