/**
 * Tutorial 000's wave-scattering program: a plane wave `exp(i·kvec·p)` meets a closed 2-D
 * obstacle; the field scattered by the obstacle is summed over the segments of its contour,
 * point by point on a grid. Every grid point is independent of the others, so the work is a
 * `map` over the flat index `k = j·nx1 + i` — what the tutorial parallelises with Python's
 * `multiprocessing.Pool`, and this program with {@linkcode Pool}.
 *
 * As a command line (the original's flags, with two dashes):
 *
 * ```sh
 * deno run -A examples/scatter.ts --nx 64 --ny 64 --nc 128 --checksum --nproc 2
 * # over the ranks of an MPI job (--nproc workers on each rank):
 * mpirun -n 4 deno run -A examples/scatter.ts --nx 64 --ny 64 --checksum --backend mpi
 * ```
 *
 * As a module: {@linkcode scatter} computes the whole field, serially or on a pool; the pool's
 * workers import this module and call {@linkcode computeField} by reference, which is why the
 * command line sits under `if (import.meta.main)`.
 *
 * @module
 */

// The Bessel functions J0, J1, Y0, Y1 from stdlib-js, pinned in deno.json (they agree with
// scipy to the last digit or two).
import besselj0 from "@stdlib/math-base-special-besselj0";
import besselj1 from "@stdlib/math-base-special-besselj1";
import bessely0 from "@stdlib/math-base-special-bessely0";
import bessely1 from "@stdlib/math-base-special-bessely1";
import { parseArgs } from "node:util";
import { Pool } from "@workers/multiprocessing";
import { MpiPool } from "@workers/multiprocessing/mpi";

/** The problem's size and wavelength (the original program's flags). */
export interface ScatterParameters {
  /** Grid cells along x (the grid has `nx + 1` points). @default {128} */
  nx: number;
  /** Grid cells along y (the grid has `ny + 1` points). @default {128} */
  ny: number;
  /** Segments of the obstacle's contour. @default {128} */
  nc: number;
  /** Wavelength of the incident wave. @default {0.5} */
  lambda: number;
}

/** The original program's defaults. */
export const DEFAULTS: Readonly<ScatterParameters> = Object.freeze({
  nx: 128,
  ny: 128,
  nc: 128,
  lambda: 0.5,
});

/** Everything {@linkcode computeField} needs, built once per parameter set. */
interface Setup {
  key: string;
  nx1: number;
  ny1: number;
  /** Grid coordinates. */
  xg: Float64Array;
  yg: Float64Array;
  /** Contour points, nc + 1 of them (the last equal to the first). */
  xc: Float64Array;
  yc: Float64Array;
  /** Per segment: its mid point and its inward unit normal. */
  mx: Float64Array;
  my: Float64Array;
  nxs: Float64Array;
  nys: Float64Array;
  /** Per segment, re and im of `a = −ds·gradInc(mid) / 4`, the weight of `4g = i·H0(kr)`. */
  ar: Float64Array;
  ai: Float64Array;
  /**
   * Per segment, re and im of `b = shadow·ds·exp(i·kvec·mid)·|kvec| / 4`, the weight of
   * `4·dgdn / |kvec| = −i·H1(kr)·(n·r)/|r|`.
   */
  br: Float64Array;
  bi: Float64Array;
  kmod: number;
  kx: number;
  ky: number;
}

/**
 * Checks one parameter: a whole number ≥ 1 for the sizes, a finite number > 0 for `lambda`.
 *
 * @throws {RangeError} The value is out of range, naming it and the fix.
 */
function checkParameter(name: keyof ScatterParameters, value: unknown): number {
  if (name === "lambda") {
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
      throw new RangeError(
        `"lambda" must be a positive number (the wavelength), got ${String(value)}: e.g. 0.5`,
      );
    }
  } else if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `"${name}" must be a whole number, at least 1, got ${String(value)}: e.g. ${DEFAULTS[name]}`,
    );
  }
  return value;
}

/**
 * The full parameter set: `params` over the {@linkcode DEFAULTS}, each checked.
 *
 * @param params Some or all of the parameters.
 * @returns All of them.
 * @throws {RangeError} A parameter is not a whole number ≥ 1 (`lambda`: a positive number).
 *
 * @example
 * ```ts
 * import { parameters } from "./scatter.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parameters({ nx: 32 }), { nx: 32, ny: 128, nc: 128, lambda: 0.5 });
 * assert.throws(() => parameters({ nc: 0 }), RangeError);
 * ```
 */
export function parameters(params: Partial<ScatterParameters> = {}): ScatterParameters {
  const out = { ...DEFAULTS };
  for (const name of ["nx", "ny", "nc", "lambda"] as const) {
    const value = params[name];
    if (value !== undefined) out[name] = checkParameter(name, value);
  }
  return out;
}

function linspace(from: number, to: number, n: number): Float64Array {
  const out = new Float64Array(n);
  const step = n > 1 ? (to - from) / (n - 1) : 0;
  for (let i = 0; i < n; i++) out[i] = from + i * step;
  if (n > 1) out[n - 1] = to;
  return out;
}

function minOf(xs: Float64Array): number {
  let m = Infinity;
  for (const x of xs) if (x < m) m = x;
  return m;
}

function maxOf(xs: Float64Array): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  return m;
}

function buildSetup(p: ScatterParameters): Setup {
  const { nx, ny, nc, lambda } = p;
  const kmod = 2 * Math.PI / lambda;
  const kx = kmod, ky = 0;
  const xc = new Float64Array(nc + 1);
  const yc = new Float64Array(nc + 1);
  for (let m = 0; m <= nc; m++) {
    const t = 2 * Math.PI * (m / nc);
    xc[m] = Math.cos(t + 0.5 * Math.sin(t + 0.9));
    yc[m] = Math.sin(t);
  }
  const nx1 = nx + 1, ny1 = ny + 1;
  const xg = linspace(minOf(xc) - 5 * lambda, maxOf(xc) + 3 * lambda, nx1);
  const yg = linspace(minOf(yc) - 3 * lambda, maxOf(yc) + 4 * lambda, ny1);
  const mx = new Float64Array(nc), my = new Float64Array(nc);
  const nxs = new Float64Array(nc), nys = new Float64Array(nc);
  const ar = new Float64Array(nc), ai = new Float64Array(nc);
  const br = new Float64Array(nc), bi = new Float64Array(nc);
  for (let m = 0; m < nc; m++) {
    const dx = xc[m + 1]! - xc[m]!, dy = yc[m + 1]! - yc[m]!;
    const ds = Math.hypot(dx, dy);
    const nxm = -dy / ds, nym = dx / ds;
    const midx = 0.5 * (xc[m]! + xc[m + 1]!), midy = 0.5 * (yc[m]! + yc[m + 1]!);
    const phase = kx * midx + ky * midy;
    const er = Math.cos(phase), ei = Math.sin(phase);
    const nk = nxm * kx + nym * ky;
    // gradInc = i·nk·e = (−nk·ei, nk·er); a = −ds·gradInc / 4
    ar[m] = ds * nk * ei / 4;
    ai[m] = -ds * nk * er / 4;
    const shadow = nk > 0 ? 1 : -1;
    br[m] = shadow * ds * er * kmod / 4;
    bi[m] = shadow * ds * ei * kmod / 4;
    mx[m] = midx;
    my[m] = midy;
    nxs[m] = nxm;
    nys[m] = nym;
  }
  return {
    key: keyOf(p),
    nx1,
    ny1,
    xg,
    yg,
    xc,
    yc,
    mx,
    my,
    nxs,
    nys,
    ar,
    ai,
    br,
    bi,
    kmod,
    kx,
    ky,
  };
}

function keyOf(p: ScatterParameters): string {
  return `${p.nx},${p.ny},${p.nc},${p.lambda}`;
}

/** The current setup: one per worker (and one in the main program), rebuilt when needed. */
let current: Setup | undefined;

function setupFor(p: ScatterParameters): Setup {
  if (current === undefined || current.key !== keyOf(p)) current = buildSetup(p);
  return current;
}

/**
 * Writes the field at flat index `k` into `out[at … at + 3]`: incident (re, im), then
 * scattered (re, im); zeros inside the obstacle. The hot path: plain numbers only.
 */
function fieldInto(s: Setup, k: number, out: Float64Array, at: number): void {
  const j = Math.floor(k / s.nx1);
  const i = k - j * s.nx1;
  const px = s.xg[i]!, py = s.yg[j]!;
  const { xc, yc } = s;
  const nc = s.mx.length;
  // Inside when p is to the left of every segment (the contour runs anticlockwise).
  let inside = true;
  for (let m = 0; m < nc; m++) {
    const ax = xc[m]! - px, ay = yc[m]! - py;
    const bx = xc[m + 1]! - px, by = yc[m + 1]! - py;
    if (!(ax * by - ay * bx > 1e-10)) {
      inside = false;
      break;
    }
  }
  if (inside) {
    out[at] = 0;
    out[at + 1] = 0;
    out[at + 2] = 0;
    out[at + 3] = 0;
    return;
  }
  const phase = s.kx * px + s.ky * py;
  out[at] = Math.cos(phase);
  out[at + 1] = Math.sin(phase);
  const { mx, my, nxs, nys, ar, ai, br, bi, kmod } = s;
  let sr = 0, si = 0;
  for (let m = 0; m < nc; m++) {
    const rx = px - mx[m]!, ry = py - my[m]!;
    const r = Math.sqrt(rx * rx + ry * ry);
    const kr = kmod * r;
    // g·4 = i·H0 = (−Y0, J0); dgdn·4/|kvec| = −i·H1·(n·r)/r = (Y1, −J1)·(n·r)/r
    const g0r = -bessely0(kr), g0i = besselj0(kr);
    const c = (nxs[m]! * rx + nys[m]! * ry) / r;
    const h1r = bessely1(kr) * c, h1i = -besselj1(kr) * c;
    const a_r = ar[m]!, a_i = ai[m]!, b_r = br[m]!, b_i = bi[m]!;
    sr += a_r * g0r - a_i * g0i + b_r * h1r - b_i * h1i;
    si += a_r * g0i + a_i * g0r + b_r * h1i + b_i * h1r;
  }
  out[at + 2] = sr;
  out[at + 3] = si;
}

/** The checksum the original Python program printed for one small problem (see `shared/scatter.md`). */
export const REFERENCE: Readonly<ScatterParameters & { checksum: number }> = Object.freeze({
  nx: 32,
  ny: 32,
  nc: 64,
  lambda: 0.5,
  checksum: 306.1404,
});

/**
 * The field at one grid point, as the tutorial's `computeField(k)`: `k = j·nx1 + i` is the flat
 * index of the point `(x_i, y_j)`. Inside the obstacle both waves are zero.
 *
 * @param k The flat index, `0 ≤ k < (nx + 1)·(ny + 1)`.
 * @param params The problem. @default {DEFAULTS}
 * @returns `[incident.re, incident.im, scattered.re, scattered.im]`.
 * @throws {RangeError} `k` is not a flat index of the grid, or a parameter is out of range.
 *
 * @example
 * ```ts
 * import { computeField } from "./scatter.ts";
 * import assert from "node:assert/strict";
 *
 * // the grid's first corner, well outside the obstacle: the incident wave has modulus 1
 * const [ir, ii] = computeField(0, { nx: 32, ny: 32, nc: 64 });
 * assert.ok(Math.abs(Math.hypot(ir, ii) - 1) < 1e-12);
 * ```
 */
export function computeField(
  k: number,
  params: Partial<ScatterParameters> = {},
): [number, number, number, number] {
  const s = setupFor(parameters(params));
  checkIndex(k, s.nx1 * s.ny1, "k");
  const out = new Float64Array(4);
  fieldInto(s, k, out, 0);
  return [out[0]!, out[1]!, out[2]!, out[3]!];
}

/** A run of consecutive grid points, `start … start + count − 1` in the flat index. */
export interface FieldChunk extends ScatterParameters {
  /** Flat index of the first point. */
  start: number;
  /** How many points. */
  count: number;
}

function checkIndex(k: unknown, n: number, name: string): void {
  if (typeof k !== "number" || !Number.isInteger(k) || k < 0 || k >= n) {
    throw new RangeError(
      `"${name}" must be a flat index of the grid, a whole number from 0 to ${n - 1}, got ` +
        `${String(k)}`,
    );
  }
}

/**
 * {@linkcode computeField} for a run of consecutive grid points, packed into one
 * `Float64Array` of 4 numbers per point (incident re, im, scattered re, im). This is what the
 * pool's workers run, by reference: one message per chunk of the flat index, answered with one
 * array, so the transport costs next to nothing (one small array per point would cost ~20 ms
 * at 129 × 129 points). The grid and the contour's segment terms are built once per worker
 * and parameter set.
 *
 * @param chunk The points and the problem.
 * @returns `4 · chunk.count` numbers.
 * @throws {RangeError} The run leaves the grid, or a parameter is out of range.
 *
 * @example
 * ```ts
 * import { computeField, computeFields } from "./scatter.ts";
 * import assert from "node:assert/strict";
 *
 * const problem = { nx: 32, ny: 32, nc: 64, lambda: 0.5 };
 * const packed = computeFields({ ...problem, start: 500, count: 2 });
 * assert.deepEqual([...packed.subarray(4, 8)], computeField(501, problem));
 * ```
 */
export function computeFields(chunk: FieldChunk): Float64Array {
  const s = setupFor(parameters(chunk));
  const n = s.nx1 * s.ny1;
  checkIndex(chunk.start, n, "start");
  const count = chunk.count;
  if (!Number.isInteger(count) || count < 1 || chunk.start + count > n) {
    throw new RangeError(
      `"count" must be a whole number from 1 to ${n - chunk.start} (the points left after ` +
        `"start" ${chunk.start}), got ${String(count)}`,
    );
  }
  const out = new Float64Array(4 * count);
  for (let q = 0; q < count; q++) fieldInto(s, chunk.start + q, out, 4 * q);
  return out;
}

/** Options of {@linkcode scatter}: the problem, and where to compute it. */
export interface ScatterOptions extends Partial<ScatterParameters> {
  /**
   * Computes on this pool, whose workers must import this module (e.g.
   * `new Pool(2, { imports: ["examples/scatter.ts"] })`). Without it the field is computed
   * serially, in this thread.
   */
  pool?: Pool;
  /**
   * Grid points per task sent to the pool.
   * @default {Math.ceil((nx + 1) * (ny + 1) / (4 * pool.processes))}
   */
  chunksize?: number;
}

/** What {@linkcode scatter} computed. */
export interface ScatterResult extends ScatterParameters {
  /** Grid points along x and y (`nx + 1`, `ny + 1`). */
  nx1: number;
  ny1: number;
  /** The grid's coordinates. */
  x: Float64Array;
  y: Float64Array;
  /** Incident wave at every grid point, row by row (`k = j·nx1 + i`): re, im interleaved. */
  incident: Float64Array;
  /** Scattered wave, laid out as `incident`. */
  scattered: Float64Array;
  /** Sum over the grid of `|scattered|²` (the original's `-checksum`). */
  checksum: number;
  /** Milliseconds the computation took (not counting the pool's start). */
  ms: number;
}

/**
 * Computes the incident and scattered waves on the whole grid, serially or on a pool (the
 * flat index cut into chunks, `pool.map` over them).
 *
 * @param options The problem and the pool; see {@linkcode ScatterOptions}.
 * @returns The field, its checksum and the time taken.
 * @throws {RangeError} A parameter or `chunksize` is out of range.
 *
 * @example Serially, against the original program's checksum
 * ```ts
 * import { REFERENCE, scatter } from "./scatter.ts";
 * import assert from "node:assert/strict";
 *
 * const { checksum } = await scatter(REFERENCE);
 * assert.ok(Math.abs(checksum / REFERENCE.checksum - 1) < 1e-4);
 * ```
 *
 * @example On two workers
 * ```ts
 * import { Pool } from "@workers/multiprocessing";
import { MpiPool } from "@workers/multiprocessing/mpi";
 * import { scatter } from "./scatter.ts";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool(2, { imports: [new URL("./scatter.ts", import.meta.url)] });
 * const parallel = await scatter({ nx: 16, ny: 16, nc: 32, pool });
 * const serial = await scatter({ nx: 16, ny: 16, nc: 32 });
 * assert.deepEqual(parallel.scattered, serial.scattered);
 * ```
 */
export async function scatter(options: ScatterOptions = {}): Promise<ScatterResult> {
  const p = parameters(options);
  const { pool } = options;
  const s = setupFor(p);
  const n = s.nx1 * s.ny1;
  let chunksize = Math.ceil(n / (4 * (pool?.processes ?? 1)));
  if (options.chunksize !== undefined) {
    if (!Number.isInteger(options.chunksize) || options.chunksize < 1) {
      throw new RangeError(
        `"chunksize" must be a whole number, at least 1, got ${String(options.chunksize)}: ` +
          `e.g. ${chunksize}`,
      );
    }
    chunksize = options.chunksize;
  }
  const start = performance.now();
  const chunks: FieldChunk[] = [];
  for (let k = 0; k < n; k += chunksize) {
    chunks.push({ ...p, start: k, count: Math.min(chunksize, n - k) });
  }
  const parts = pool === undefined
    ? chunks.map(computeFields)
    : await pool.map(computeFields, chunks, 1);
  const incident = new Float64Array(2 * n);
  const scattered = new Float64Array(2 * n);
  let checksum = 0;
  let k = 0;
  for (const part of parts) {
    for (let q = 0; q < part.length; q += 4, k++) {
      incident[2 * k] = part[q]!;
      incident[2 * k + 1] = part[q + 1]!;
      const sr = part[q + 2]!, si = part[q + 3]!;
      scattered[2 * k] = sr;
      scattered[2 * k + 1] = si;
      checksum += sr * sr + si * si;
    }
  }
  const ms = performance.now() - start;
  return {
    ...p,
    nx1: s.nx1,
    ny1: s.ny1,
    x: s.xg.slice(),
    y: s.yg.slice(),
    incident,
    scattered,
    checksum,
    ms,
  };
}

const USAGE = `Computes the field scattered by an obstacle (tutorial 000's scatter.py).

Usage: deno run -A examples/scatter.ts [options]

Options:
  --nx N        grid cells along x (default ${DEFAULTS.nx})
  --ny N        grid cells along y (default ${DEFAULTS.ny})
  --nc N        segments of the obstacle's contour (default ${DEFAULTS.nc})
  --lambda L    wavelength of the incident wave (default ${DEFAULTS.lambda})
  --nproc N     compute on a pool of N workers (default: serially, no pool)
  --backend B   "worker" (a Pool on this machine, the default) or "mpi" (an MpiPool over
                the ranks of mpirun, with --nproc workers on each rank, default 1)
  --checksum    print the sum of |scattered|^2 over the grid
  -h, --help    print this help`;

const FLAGS = ["nx", "ny", "nc", "lambda", "nproc", "backend", "checksum", "help"];

/** A bad command line: its message is printed with a pointer to `--help`. */
class UsageError extends Error {
  override name = "UsageError";
}

function wholeFlag(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`--${name} must be a whole number, at least 1, got "${text}"`);
  }
  return value;
}

function parseCommandLine(argv: string[]) {
  for (const arg of argv) {
    const single = /^-([a-z]{2,})(=.*)?$/.exec(arg);
    if (single !== null && FLAGS.includes(single[1]!)) {
      throw new UsageError(
        `"${arg}" is the Python program's spelling: write --${single[1]}${single[2] ?? ""}`,
      );
    }
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        nx: { type: "string" },
        ny: { type: "string" },
        nc: { type: "string" },
        lambda: { type: "string" },
        nproc: { type: "string" },
        backend: { type: "string", default: "worker" },
        checksum: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const lambdaText = values.lambda;
  const lambda = lambdaText === undefined ? DEFAULTS.lambda : Number(lambdaText);
  if (lambdaText !== undefined && (!/\d/.test(lambdaText) || !(lambda > 0 && isFinite(lambda)))) {
    throw new UsageError(`--lambda must be a positive number, got "${lambdaText}"`);
  }
  const backend = values.backend;
  if (backend !== "worker" && backend !== "mpi") {
    throw new UsageError(`--backend must be "worker" or "mpi", got "${backend}"`);
  }
  return {
    help: values.help,
    backend,
    checksum: values.checksum,
    nproc: values.nproc === undefined ? undefined : wholeFlag("nproc", values.nproc, 1),
    problem: {
      nx: wholeFlag("nx", values.nx, DEFAULTS.nx),
      ny: wholeFlag("ny", values.ny, DEFAULTS.ny),
      nc: wholeFlag("nc", values.nc, DEFAULTS.nc),
      lambda,
    },
  };
}

async function main(argv: string[]): Promise<number> {
  let line;
  try {
    line = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`scatter: ${error.message}\nRun with --help to see the options.`);
    return 2;
  }
  if (line.help) {
    console.log(USAGE);
    return 0;
  }
  const { problem, nproc, backend } = line;
  const size = `${problem.nx} × ${problem.ny}, nc ${problem.nc}, lambda ${problem.lambda}`;
  let result: ScatterResult;
  let where = "serially";
  if (nproc === undefined && backend === "worker") {
    result = await scatter(problem);
  } else {
    const started = performance.now();
    await using pool = backend === "mpi"
      ? await MpiPool.start({ workersPerRank: nproc ?? 1, imports: [import.meta.url] })
      : new Pool(nproc, { imports: [import.meta.url] });
    // The other ranks of an MPI job serve rank 0's pool inside MpiPool.start(); rank 0 prints.
    if (pool === null) return 0;
    const workers = pool.processes;
    // A few small tasks per worker, so each has imported this module before the clock starts.
    const warmUp = Array.from(
      { length: 2 * workers },
      (_, i) => ({ ...problem, start: i, count: 1 }),
    );
    await pool.map(computeFields, warmUp, 1);
    const ranks = pool instanceof MpiPool
      ? ` over ${pool.ranks} rank${pool.ranks === 1 ? "" : "s"}`
      : "";
    where = `on ${workers} worker${workers === 1 ? "" : "s"}${ranks} (pool up in ${
      ((performance.now() - started) / 1000).toFixed(3)
    } s)`;
    result = await scatter({ ...problem, pool });
  }
  if (line.checksum) {
    console.log(`Sum of scattered field |amplitudes|^2: ${result.checksum}`);
  }
  console.log(`Compute time: ${(result.ms / 1000).toFixed(3)} s ${where}, ${size}`);
  return 0;
}

if (import.meta.main) {
  Deno.exitCode = await main(Deno.args);
}
