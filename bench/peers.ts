/**
 * The "Peers" section of `deno task bench`: our `Pool` beside the JavaScript pools our users
 * would otherwise pick, piscina, tinypool and workerpool, on the machine's `node`, in the same
 * run (issue 12). The same workloads for each, 2 workers:
 *
 * 1. start to first result: a fresh pool, one trivial call answered;
 * 2. 100,000 trivial tasks (`x ** 10`) at once: one call each (`Promise.all` of `apply` /
 *    `run` / `exec`), and in chunks (ours: `pool.map` with the chunk size Python's formula
 *    gives, 12,500; the peers have no `map`, so the chunks are arrays made by hand, one task
 *    each);
 * 3. the sequential round trip: one call after another, per call;
 * 4. Monte Carlo Pi, 2e7 trials in 2 parts, on the warm pool and with a fresh pool.
 *
 * The peers are installed with pinned versions (`bench/peers/package.json` and its
 * `package-lock.json`) into `bench/peers/node_modules` the first time, with `npm ci`; without
 * `node` (20 or later) or `npm`, or when the install fails, they are skipped with a note and our
 * side runs alone. `bench/peers/run_peer.mjs` runs one peer and prints its timings as JSON; its
 * task functions (`bench/peers/tasks.mjs`) are ours, and the Pi kernel's source is checked to be
 * `bench/pi.ts`'s before anything is timed.
 *
 * ```sh
 * deno run -A bench/peers.ts [--quick] [--json FILE]   # this section alone
 * ```
 *
 * The task functions cross into our workers by reference: they are exported here, and the
 * workers import this module, which runs its program only under `import.meta.main`.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { Pool } from "../mod.ts";
import * as fmt from "./_format.ts";
import { hitCount, split, sum } from "./pi.ts";
import { runSection, SEQUENTIAL_WARMUP } from "./_util.ts";
import { power10, startToFirstResult } from "./_start_jobs.ts";

/** The Monte Carlo kernel, re-exported so that the workers find it here by reference. */
export { hitCount };

/** The trivial task (`x ** 10`), exported for this module's pools. */
export { power10 };

/** The peers, in the order they run. */
export const PEERS = ["piscina", "tinypool", "workerpool"] as const;

/** One of {@linkcode PEERS}. */
export type PeerName = typeof PEERS[number];

/** How much work the section does. */
export interface PeerSizes {
  /** Workers of every pool. */
  workers: number;
  /** Trivial tasks submitted at once. */
  tasks: number;
  /** Items per chunk of the chunked variant. */
  chunk: number;
  /** Runs of the 100,000-task variants. */
  bulkRepeats: number;
  /** Sequential calls timed. */
  applies: number;
  /** Monte Carlo trials in all. */
  trials: number;
  /** Runs of each Pi variant. */
  piRepeats: number;
  /** Fresh pools timed from start to first result. */
  starts: number;
}

/** Full sizes, for `deno task bench`. */
export const PEERS_FULL: PeerSizes = {
  workers: 2,
  tasks: 100_000,
  chunk: 12_500,
  bulkRepeats: 3,
  applies: 2_000,
  trials: 20_000_000,
  piRepeats: 3,
  starts: 7,
};

/** Small sizes, for `deno task bench --quick`. */
export const PEERS_QUICK: PeerSizes = {
  workers: 2,
  tasks: 10_000,
  chunk: 1_250,
  bulkRepeats: 1,
  applies: 200,
  trials: 2_000_000,
  piRepeats: 1,
  starts: 2,
};

/** One pool's timings (ours or a peer's), in ms, and µs per sequential call. */
export interface PeerSide {
  /** `"ours"` or the peer's package name. */
  peer: string;
  /** The package's version (ours: the library's). */
  version: string;
  /** The runtime, e.g. `"Deno 2.9.6"` or `"Node v20.20.2"`. */
  runtime: string;
  /** Fresh pool to the first result. */
  startMs: fmt.Summary;
  /** The trivial tasks at once. */
  bulk: { tasks: number; chunk: number; perTaskMs: fmt.Summary; chunkedMs: fmt.Summary };
  /** The sequential round trip. */
  apply: { calls: number; perCallUs: number };
  /** Monte Carlo Pi. */
  pi: {
    trials: number;
    estimate: number;
    serialMs: fmt.Summary;
    poolExcludedMs: fmt.Summary;
    poolIncludedMs: fmt.Summary;
  };
}

/** The section's results. */
export interface PeersResults {
  /** `"full"` or `"quick"`. */
  mode: "full" | "quick";
  /** The sizes used. */
  sizes: PeerSizes;
  /** Our timings. */
  ours: PeerSide;
  /** Each peer's timings, or why there are none. */
  peers: Record<PeerName, PeerSide | { skipped: string }>;
}

const PEERS_DIR = fileURLToPath(new URL("./peers/", import.meta.url));

const decoder = new TextDecoder();

/** Runs a command; its stdout, or `{ skipped }` with the reason. */
async function run(
  command: string,
  args: string[],
  options: { cwd?: string; timeoutMs: number },
): Promise<string | { skipped: string }> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(command, {
      args,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(options.timeoutMs),
    }).output();
  } catch (error) {
    return { skipped: `${command} could not be run: ${String(error)}` };
  }
  if (!output.success) {
    const tail = decoder.decode(output.stderr).trim().split("\n").slice(-3).join(" | ");
    return { skipped: `${command} ${args[0] ?? ""} failed (exit ${output.code}): ${tail}` };
  }
  return decoder.decode(output.stdout);
}

/** The pinned version of each peer, from `bench/peers/package.json`. */
function pinned(): Record<PeerName, string> {
  const manifest = JSON.parse(Deno.readTextFileSync(`${PEERS_DIR}package.json`)) as {
    dependencies: Record<PeerName, string>;
  };
  return manifest.dependencies;
}

/** The version installed in `bench/peers/node_modules`, if any. */
function installed(peer: PeerName): string | undefined {
  try {
    const text = Deno.readTextFileSync(`${PEERS_DIR}node_modules/${peer}/package.json`);
    return (JSON.parse(text) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * Makes sure `node` ≥ 20 runs and the pinned peers are in `bench/peers/node_modules`
 * (`npm ci` the first time, or when a version differs).
 *
 * @returns `undefined` when the peers can run, or why they cannot.
 */
export async function preparePeers(): Promise<string | undefined> {
  const version = await run("node", ["--version"], { timeoutMs: 30_000 });
  if (typeof version !== "string") return `no node: ${version.skipped}`;
  const match = /^v(\d+)\./.exec(version.trim());
  // Without Node.js on the PATH, Deno may answer for "node" itself.
  if (match === null) {
    return `no Node.js on the PATH ("node --version" printed ${
      JSON.stringify(version.trim().split("\n")[0])
    })`;
  }
  if (Number(match[1]) < 20) return `node ${version.trim()} is older than 20`;
  const want = pinned();
  if (PEERS.every((peer) => installed(peer) === want[peer])) return undefined;
  console.error(`Installing the peers (npm ci in ${PEERS_DIR})…`);
  const npm = await run("npm", ["ci", "--no-audit", "--no-fund"], {
    cwd: PEERS_DIR,
    timeoutMs: 300_000,
  });
  if (typeof npm !== "string") return `the peers could not be installed: ${npm.skipped}`;
  const wrong = PEERS.filter((peer) => installed(peer) !== want[peer]);
  return wrong.length === 0 ? undefined : `npm ci did not install ${wrong.join(", ")}`;
}

/** Whitespace-free source, to compare two copies of a function. */
const squeeze = (source: string): string => source.replace(/\s+/g, "");

/**
 * Checks that `bench/peers/tasks.mjs` runs our Pi kernel (`bench/pi.ts`'s `hitCount`).
 *
 * @returns `undefined` when the sources agree, or how they differ.
 */
export function checkKernel(): string | undefined {
  const text = Deno.readTextFileSync(`${PEERS_DIR}tasks.mjs`);
  const match = /export function (hitCount\(n\) \{[\s\S]*?\n\})/.exec(text);
  if (match === null) return "bench/peers/tasks.mjs has no hitCount(n)";
  const ours = hitCount.toString();
  return squeeze(`function ${match[1]}`) === squeeze(ours)
    ? undefined
    : `bench/peers/tasks.mjs's hitCount differs from bench/pi.ts's: ${ours}`;
}

/**
 * Runs our side of the section's workloads on `Pool`.
 *
 * @param sizes How much work to do.
 * @returns Our timings.
 */
export async function benchOurs(sizes: PeerSizes): Promise<PeerSide> {
  const { workers } = sizes;
  const starts: number[] = [];
  for (let r = 0; r < sizes.starts; r++) starts.push(await startToFirstResult(workers, false));

  await using pool = new Pool(workers);
  const xs = Array.from({ length: sizes.tasks }, (_, i) => i);
  const expected = xs.map(power10);
  const same = (ys: number[]) => ys.length === xs.length && ys.every((y, i) => y === expected[i]);
  await pool.map(power10, Array.from({ length: 4 * workers }, (_, i) => i), 1);
  const perTask: number[] = [];
  const chunked: number[] = [];
  for (let r = 0; r < sizes.bulkRepeats; r++) {
    let t0 = performance.now();
    const ys = await Promise.all(xs.map((x) => pool.apply(power10, [x])));
    perTask.push(performance.now() - t0);
    if (!same(ys)) throw new Error("ours: per-task results differ from xs.map(power10)");
    t0 = performance.now();
    const zs = await pool.map(power10, xs, sizes.chunk);
    chunked.push(performance.now() - t0);
    if (!same(zs)) throw new Error("ours: pool.map results differ from xs.map(power10)");
  }

  // Warm: the JIT has compiled the whole path before the timed calls (as for the peers).
  for (let i = 0; i < SEQUENTIAL_WARMUP; i++) await pool.apply(power10, [i]);
  let t0 = performance.now();
  for (let i = 0; i < sizes.applies; i++) await pool.apply(power10, [i]);
  const perCallUs = ((performance.now() - t0) / sizes.applies) * 1e3;

  const parts = split(sizes.trials, workers);
  await pool.map(hitCount, new Array(workers).fill(1), 1);
  const serial: number[] = [];
  const excluded: number[] = [];
  const included: number[] = [];
  let hits = 0;
  for (let r = 0; r < sizes.piRepeats; r++) {
    t0 = performance.now();
    hits = hitCount(sizes.trials);
    serial.push(performance.now() - t0);
    t0 = performance.now();
    hits = sum(await pool.map(hitCount, parts, 1));
    excluded.push(performance.now() - t0);
    t0 = performance.now();
    {
      await using fresh = new Pool(workers);
      hits = sum(await fresh.map(hitCount, parts, 1));
      included.push(performance.now() - t0);
    }
  }
  const library = JSON.parse(
    Deno.readTextFileSync(new URL("../deno.json", import.meta.url)),
  ) as { version: string };
  return {
    peer: "ours",
    version: library.version,
    runtime: `Deno ${Deno.version.deno}`,
    startMs: fmt.summarize(starts),
    bulk: {
      tasks: sizes.tasks,
      chunk: sizes.chunk,
      perTaskMs: fmt.summarize(perTask),
      chunkedMs: fmt.summarize(chunked),
    },
    apply: { calls: sizes.applies, perCallUs },
    pi: {
      trials: sizes.trials,
      estimate: (4 * hits) / sizes.trials,
      serialMs: fmt.summarize(serial),
      poolExcludedMs: fmt.summarize(excluded),
      poolIncludedMs: fmt.summarize(included),
    },
  };
}

/**
 * Runs one peer through the same workloads (`node bench/peers/run_peer.mjs`).
 *
 * @param peer Which.
 * @param sizes How much work to do.
 * @returns Its timings, or why there are none.
 */
export async function benchPeer(
  peer: PeerName,
  sizes: PeerSizes,
): Promise<PeerSide | { skipped: string }> {
  const out = await run("node", [
    `${PEERS_DIR}run_peer.mjs`,
    `--peer=${peer}`,
    `--workers=${sizes.workers}`,
    `--tasks=${sizes.tasks}`,
    `--chunk=${sizes.chunk}`,
    `--bulk-repeats=${sizes.bulkRepeats}`,
    `--applies=${sizes.applies}`,
    `--trials=${sizes.trials}`,
    `--pi-repeats=${sizes.piRepeats}`,
    `--starts=${sizes.starts}`,
  ], { timeoutMs: 600_000 });
  if (typeof out !== "string") return out;
  try {
    const side = JSON.parse(out) as PeerSide & { node: string };
    return { ...side, runtime: `Node ${side.node}` };
  } catch (error) {
    return { skipped: `${peer} printed no valid JSON: ${String(error)}` };
  }
}

/**
 * Runs the section: our side, then each peer (skipped with a note when it cannot run).
 *
 * @param options `quick` for small sizes.
 * @returns The results.
 */
export async function benchPeers(options: { quick: boolean }): Promise<PeersResults> {
  const sizes = options.quick ? PEERS_QUICK : PEERS_FULL;
  const kernel = checkKernel();
  if (kernel !== undefined) throw new Error(kernel);
  const ours = await benchOurs(sizes);
  const why = await preparePeers();
  const peers = {} as PeersResults["peers"];
  for (const peer of PEERS) {
    if (why !== undefined) peers[peer] = { skipped: why };
    else {
      console.error(`  ${peer}…`);
      peers[peer] = await benchPeer(peer, sizes);
    }
  }
  return { mode: options.quick ? "quick" : "full", sizes, ours, peers };
}

/** The peers that ran. */
function ran(r: PeersResults): PeerSide[] {
  return PEERS.map((p) => r.peers[p]).filter((s): s is PeerSide => !("skipped" in s));
}

/** The workloads of the table and the ratio chart: label, value (ms or µs), unit. */
export function peerWorkloads(
  r: PeersResults,
): { label: string; value: (s: PeerSide) => number; unit: (v: number) => string }[] {
  const n = r.sizes.tasks.toLocaleString("en-US");
  const chunks = Math.ceil(r.sizes.tasks / r.sizes.chunk);
  const trials = r.sizes.trials.toExponential(0).replace("+", "");
  return [
    { label: "start to first result", value: (s) => s.startMs.median, unit: fmt.ms },
    {
      label: `${n} tasks at once, one call each`,
      value: (s) => s.bulk.perTaskMs.median,
      unit: fmt.ms,
    },
    {
      label: `${n} tasks at once, in ${chunks} chunks`,
      value: (s) => s.bulk.chunkedMs.median,
      unit: fmt.ms,
    },
    { label: "sequential round trip, per call", value: (s) => s.apply.perCallUs, unit: fmt.us },
    {
      label: `Pi ${trials}, ${r.sizes.workers} workers, started`,
      value: (s) => s.pi.poolExcludedMs.median,
      unit: fmt.ms,
    },
    {
      label: `Pi ${trials}, ${r.sizes.workers} workers, start included`,
      value: (s) => s.pi.poolIncludedMs.median,
      unit: fmt.ms,
    },
  ];
}

/**
 * The section's targets (issue 12), and for each other workload and peer the ratio of our time
 * to theirs (no target).
 *
 * @param r The results.
 * @returns The rows.
 */
export function peersTargets(r: PeersResults): fmt.TargetRow[] {
  const o = r.ours;
  const n = r.sizes.tasks.toLocaleString("en-US");
  const rows: fmt.TargetRow[] = [];
  const piscina = "skipped" in r.peers.piscina ? undefined : r.peers.piscina;
  const bulk = piscina === undefined
    ? undefined
    : o.bulk.perTaskMs.median / piscina.bulk.perTaskMs.median;
  rows.push(fmt.targetRow(
    `${n} separate apply calls ≤ 0.25× piscina's time`,
    bulk === undefined
      ? `${fmt.ms(o.bulk.perTaskMs.median)}; piscina skipped`
      : `${bulk.toFixed(2)}× (${fmt.ms(o.bulk.perTaskMs.median)} vs ` +
        `${fmt.ms(piscina!.bulk.perTaskMs.median)})`,
    bulk === undefined ? null : bulk <= 0.25,
  ));
  const trip = piscina === undefined ? undefined : o.apply.perCallUs / piscina.apply.perCallUs;
  rows.push(fmt.targetRow(
    "sequential apply round trip ≤ ⅓ of piscina's (and ≤ 5 µs: the pool section)",
    trip === undefined
      ? `${fmt.us(o.apply.perCallUs)}; piscina skipped`
      : `${trip.toFixed(2)}× (${fmt.us(o.apply.perCallUs)} vs ${fmt.us(piscina!.apply.perCallUs)})`,
    trip === undefined ? null : trip <= 1 / 3,
  ));
  const others = ran(r);
  if (others.length > 0) {
    for (const w of peerWorkloads(r)) {
      rows.push(fmt.targetRow(
        `${w.label}: our time ÷ ${others.map((p) => p.peer).join(", ")}'s`,
        others.map((p) => `${(w.value(o) / w.value(p)).toFixed(2)}×`).join(", "),
        null,
      ));
    }
  }
  return rows;
}

/**
 * The section as text: a table of every pool, then the targets and ratios.
 *
 * @param r The results.
 * @returns The text.
 */
export function formatPeers(r: PeersResults): string {
  const sides = [r.ours, ...ran(r)];
  const header = [
    `Pools, ${r.sizes.workers} workers each (${r.mode})`,
    `ours (${r.ours.runtime})`,
    ...ran(r).map((s) => `${s.peer} ${s.version}`),
  ];
  const rows = [header];
  for (const w of peerWorkloads(r)) rows.push([w.label, ...sides.map((s) => w.unit(w.value(s)))]);
  rows.push([
    "Pi speedup, started / start included",
    ...sides.map((s) =>
      `×${(s.pi.serialMs.median / s.pi.poolExcludedMs.median).toFixed(2)} / ` +
      `×${(s.pi.serialMs.median / s.pi.poolIncludedMs.median).toFixed(2)}`
    ),
  ]);
  const lines = [
    `Peers (${r.mode}): medians; the peers on ${ran(r)[0]?.runtime ?? "node"}, each with its ` +
    `defaults (piscina: atomics "sync"), ${r.sizes.workers} threads started at construction. ` +
    `Chunks: ours pool.map(f, xs, ${r.sizes.chunk}); the peers, arrays of ${r.sizes.chunk} ` +
    `made by hand (none has a map).`,
    "",
    fmt.table(rows),
    "",
    `start to first result, medians (best): ` +
    sides.map((s) => `${s.peer} ${fmt.medBest(s.startMs)}`).join("; "),
    "",
    fmt.targetTable(peersTargets(r)),
  ];
  const skipped = PEERS.map((peer) => [peer, r.peers[peer]] as const)
    .filter((entry): entry is [PeerName, { skipped: string }] => "skipped" in entry[1]);
  if (skipped.length === PEERS.length && new Set(skipped.map(([, s]) => s.skipped)).size === 1) {
    lines.push(`${PEERS.join(", ")}: skipped (${skipped[0]![1].skipped}).`);
  } else {
    for (const [peer, side] of skipped) lines.push(`${peer}: skipped (${side.skipped}).`);
  }
  return lines.join("\n");
}

if (import.meta.main) {
  await runSection(Deno.args, {
    name: "peers",
    python: "none; node bench/peers/run_peer.mjs",
    run: benchPeers,
    format: formatPeers,
  });
}
