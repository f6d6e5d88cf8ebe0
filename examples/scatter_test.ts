import assert from "node:assert/strict";
import { Pool } from "@workers/multiprocessing";
import {
  computeField,
  computeFields,
  DEFAULTS,
  parameters,
  REFERENCE,
  scatter,
} from "./scatter.ts";

const SCRIPT = new URL("./scatter.ts", import.meta.url);
const SMALL = { nx: 16, ny: 12, nc: 32, lambda: 0.5 };

function hasPython(): boolean {
  try {
    return Deno.statSync("/usr/bin/python3").isFile;
  } catch {
    return false;
  }
}

function relative(a: number, b: number): number {
  return Math.abs(a / b - 1);
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT.pathname, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

Deno.test("scatter() matches the original program's checksum at 32 × 32, nc 64", async () => {
  const result = await scatter(REFERENCE);
  assert.ok(
    relative(result.checksum, REFERENCE.checksum) < 1e-4,
    `checksum ${result.checksum}, reference ${REFERENCE.checksum}`,
  );
  assert.equal(result.nx1, 33);
  assert.equal(result.ny1, 33);
  assert.equal(result.scattered.length, 2 * 33 * 33);
  assert.equal(result.incident.length, 2 * 33 * 33);
});

Deno.test("scatter() on 2 workers gives the serial field and checksum exactly", async () => {
  await using pool = new Pool(2, { imports: [SCRIPT] });
  const serial = await scatter(REFERENCE);
  const parallel = await scatter({ ...REFERENCE, pool });
  assert.equal(parallel.checksum, serial.checksum);
  assert.deepEqual(parallel.scattered, serial.scattered);
  assert.deepEqual(parallel.incident, serial.incident);
  // the same pool serves another problem, and an uneven chunk size changes nothing
  const again = await scatter({ ...SMALL, pool, chunksize: 7 });
  assert.deepEqual(again.scattered, (await scatter(SMALL)).scattered);
});

Deno.test("scatter() leaves the points inside the obstacle at zero, and only those", async () => {
  const { incident, scattered, x, y, nx1 } = await scatter(SMALL);
  let inside = 0;
  for (let k = 0; k < incident.length / 2; k++) {
    const zero = incident[2 * k] === 0 && incident[2 * k + 1] === 0;
    const px = x[k % nx1]!, py = y[Math.floor(k / nx1)]!;
    // the obstacle (x = cos(…), y = sin(…)) lies within the square |x|, |y| ≤ 1; the incident
    // wave has modulus 1 outside it
    if (zero) {
      inside++;
      assert.ok(Math.abs(px) < 1 && Math.abs(py) < 1, `(${px}, ${py}) is zero but outside`);
      assert.equal(scattered[2 * k], 0);
      assert.equal(scattered[2 * k + 1], 0);
    } else {
      assert.ok(Math.abs(Math.hypot(incident[2 * k]!, incident[2 * k + 1]!) - 1) < 1e-12);
    }
  }
  assert.ok(inside > 0, "no grid point inside the obstacle");
});

Deno.test("computeFields() packs computeField() for each point of its run", () => {
  const packed = computeFields({ ...SMALL, start: 40, count: 3 });
  assert.equal(packed.length, 12);
  for (let q = 0; q < 3; q++) {
    assert.deepEqual([...packed.subarray(4 * q, 4 * q + 4)], computeField(40 + q, SMALL));
  }
});

Deno.test(
  "computeField() agrees with a direct evaluation by scipy at one point",
  { ignore: !hasPython() },
  async () => {
    // The point (x_5, y_7) of the 32 × 32 grid, nc 64: the formulas of shared/scatter.md with
    // numpy and scipy.special.hankel1, one segment at a time.
    const python = `
import numpy as np
from scipy.special import hankel1
nx, ny, nc, lam = 32, 32, 64, 0.5
k = 2*np.pi/lam; kvec = np.array([k, 0.])
t = np.linspace(0., 1., nc + 1)
xc = np.cos(2*np.pi*t + 0.5*np.sin(2*np.pi*t + 0.9)); yc = np.sin(2*np.pi*t)
xg = np.linspace(xc.min() - 5*lam, xc.max() + 3*lam, nx + 1)
yg = np.linspace(yc.min() - 3*lam, yc.max() + 4*lam, ny + 1)
p = np.array([xg[5], yg[7]])
inc = np.exp(1j*kvec.dot(p))
sca = 0j
for m in range(nc):
    p0 = np.array([xc[m], yc[m]]); p1 = np.array([xc[m+1], yc[m+1]])
    d = p1 - p0; mid = 0.5*(p0 + p1); ds = np.hypot(*d)
    n = np.array([-d[1], d[0]])/ds
    r = p - mid; rr = np.hypot(*r); kr = k*rr
    g = 0.25j*hankel1(0, kr); dgdn = -0.25j*hankel1(1, kr)*k*n.dot(r)/rr
    e = np.exp(1j*kvec.dot(mid)); grad = 1j*n.dot(kvec)*e
    shadow = 1. if n.dot(kvec) > 0 else -1.
    sca += -ds*g*grad + shadow*ds*dgdn*e
print(repr(inc.real), repr(inc.imag), repr(sca.real), repr(sca.imag))
`;
    const { code, stdout, stderr } = await new Deno.Command("/usr/bin/python3", {
      args: ["-c", python],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const expected = new TextDecoder().decode(stdout).trim().split(/\s+/).map(Number);
    const actual = computeField(7 * 33 + 5, REFERENCE);
    const incident = Math.hypot(actual[0] - expected[0]!, actual[1] - expected[1]!);
    const scattered = Math.hypot(actual[2] - expected[2]!, actual[3] - expected[3]!);
    const size = Math.hypot(expected[2]!, expected[3]!);
    assert.ok(size > 0.01, `a point with some scattered wave (|scattered| = ${size})`);
    assert.ok(incident < 1e-12, `incident ${actual.slice(0, 2)} here, ${expected.slice(0, 2)}`);
    assert.ok(
      scattered / size < 1e-9,
      `scattered ${actual.slice(2)} here, ${expected.slice(2)} from scipy`,
    );
  },
);

Deno.test("bad parameters get a RangeError naming the argument", async () => {
  assert.throws(() => parameters({ nx: 0 }), /"nx" must be a whole number, at least 1, got 0/);
  assert.throws(() => parameters({ ny: 2.5 }), /"ny" must be a whole number/);
  assert.throws(() => parameters({ lambda: -1 }), /"lambda" must be a positive number/);
  assert.throws(() => computeField(-1, SMALL), /"k" must be a flat index of the grid/);
  assert.throws(() => computeField(17 * 13, SMALL), /from 0 to 220, got 221/);
  assert.throws(() => computeFields({ ...SMALL, start: 220, count: 2 }), /"count" must be/);
  await assert.rejects(scatter({ ...SMALL, chunksize: 0 }), /"chunksize" must be a whole number/);
  assert.deepEqual(parameters(), { ...DEFAULTS });
});

Deno.test("the command line prints the checksum computed on 2 workers", async () => {
  const { code, stdout, stderr } = await cli(
    "--nx",
    "32",
    "--ny",
    "32",
    "--nc",
    "64",
    "--checksum",
    "--nproc",
    "2",
  );
  assert.equal(code, 0, stderr);
  const match = /Sum of scattered field \|amplitudes\|\^2: ([\d.]+)/.exec(stdout);
  assert.ok(match !== null, stdout);
  assert.ok(relative(Number(match[1]), REFERENCE.checksum) < 1e-4, stdout);
  assert.match(stdout, /Compute time: \d+\.\d{3} s on 2 workers \(pool up in \d+\.\d{3} s\)/);
});

Deno.test("the command line runs serially without --nproc, and has --help", async () => {
  const serial = await cli("--nx", "8", "--ny", "8", "--nc", "16", "--lambda", "0.75");
  assert.equal(serial.code, 0, serial.stderr);
  assert.match(serial.stdout, /Compute time: \d+\.\d{3} s serially, 8 × 8, nc 16, lambda 0\.75/);
  assert.doesNotMatch(serial.stdout, /Sum of scattered field/);
  const help = await cli("--help");
  assert.equal(help.code, 0);
  for (const flag of ["--nx", "--ny", "--nc", "--lambda", "--nproc", "--checksum"]) {
    assert.ok(help.stdout.includes(flag), `--help mentions ${flag}`);
  }
});

Deno.test("the command line rejects bad flags with a clear error and exit code 2", async () => {
  const cases: [string[], RegExp][] = [
    [["--nx", "abc"], /--nx must be a whole number, at least 1, got "abc"/],
    [["--nproc", "0"], /--nproc must be a whole number, at least 1, got "0"/],
    [["--nc", "2.5"], /--nc must be a whole number, at least 1, got "2.5"/],
    [["--lambda=0"], /--lambda must be a positive number, got "0"/],
    [["--lambda", "x"], /--lambda must be a positive number, got "x"/],
    [["-nproc", "2"], /"-nproc" is the Python program's spelling: write --nproc/],
    [["--bogus"], /Unknown option '--bogus'/],
    [["--nproc"], /argument missing/],
    [["--backend", "loky"], /--backend must be "worker" or "mpi", got "loky"/],
    [["extra"], /Unexpected argument 'extra'/],
  ];
  for (const [args, message] of cases) {
    const { code, stdout, stderr } = await cli(...args);
    assert.equal(code, 2, `${args.join(" ")}: exit code ${code}`);
    assert.match(stderr, message, args.join(" "));
    assert.match(stderr, /Run with --help to see the options/);
    assert.equal(stdout, "");
  }
});
