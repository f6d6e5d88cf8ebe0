/**
 * Tables and charts for the notebooks: a nodejs-polars DataFrame of a speedup measurement, and
 * vega-lite charts compiled and rendered to SVG by vega, headless (`view.toSVG()`), for
 * `Deno.jupyter.display`. Nothing here starts workers; the notebooks measure, these draw.
 *
 * @module
 */

import pl from "nodejs-polars";
import * as vega from "vega";
import * as vl from "vega-lite";
import { deflateSync } from "node:zlib";
import type { Timing } from "./timing.ts";

/** A vega-lite specification (the top-level form that `vl.compile` takes). */
export type ChartSpec = vl.TopLevelSpec;

/** One row of a speedup measurement: the worker count and its times. */
export interface SpeedupRow {
  /** How many workers ran it. */
  workers: number;
  /** Its times, in milliseconds. */
  timing: Timing;
}

/**
 * Rounds for a table: `digits` after the point, but never a non-zero value to 0 — a value too
 * small for `digits` keeps two significant digits (a 4 µs map is 0.0043 ms, not 0).
 */
function round(x: number, digits: number): number {
  if (x !== 0 && Math.abs(x) < 10 ** (1 - digits)) return Number(x.toPrecision(2));
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * The speedup table: workers, time (min and median, ms), speedup (serial min over min) and
 * efficiency (speedup per worker), with the serial run as the first row (`workers` 0 shown as
 * "serial"). Times keep one digit after the point, speedups two; values too small for that
 * keep two significant digits.
 */
export function speedupTable(serial: Timing, rows: readonly SpeedupRow[]): pl.DataFrame {
  return pl.DataFrame({
    workers: ["serial", ...rows.map((r) => String(r.workers))],
    "min (ms)": [serial.min, ...rows.map((r) => r.timing.min)].map((x) => round(x, 1)),
    "median (ms)": [serial.median, ...rows.map((r) => r.timing.median)].map((x) => round(x, 1)),
    speedup: [1, ...rows.map((r) => serial.min / r.timing.min)].map((x) => round(x, 2)),
    efficiency: [1, ...rows.map((r) => serial.min / r.timing.min / r.workers)].map((x) =>
      round(x, 2)
    ),
  });
}

/** Compiles a vega-lite specification and renders it to an SVG string, headless. */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Shows an SVG in the notebook's output (a `display_data` saved in the notebook). */
export function showSvg(svg: string): void {
  const jupyter = (Deno as unknown as {
    jupyter?: { display(data: Record<string, string>, options: { raw: boolean }): void };
  }).jupyter;
  if (jupyter === undefined) throw new Error("showSvg() runs in Deno's Jupyter kernel only");
  jupyter.display({ "image/svg+xml": svg }, { raw: true });
}

/** Options for {@linkcode speedupChart}. */
export interface SpeedupChartOptions {
  /** The chart's title. @default {"Speedup"} */
  title?: string;
  /**
   * The machine's cores: the ideal line then levels off at this many workers (more workers
   * than cores share them), instead of rising as speedup = workers. @default {Infinity}
   */
  cores?: number;
}

/**
 * The speedup plot: measured speedup (from the minimum times, and from the medians) against the
 * worker count, beside the ideal line (speedup = workers).
 */
export function speedupChart(
  serial: Timing,
  rows: readonly SpeedupRow[],
  options: SpeedupChartOptions = {},
): ChartSpec {
  const maxWorkers = Math.max(1, ...rows.map((r) => r.workers));
  const values = [
    ...rows.map((r) => ({ workers: r.workers, speedup: serial.min / r.timing.min, kind: "min" })),
    ...rows.map((r) => ({
      workers: r.workers,
      speedup: serial.median / r.timing.median,
      kind: "median",
    })),
    ...idealLine(maxWorkers, options.cores ?? Infinity),
  ];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: options.title ?? "Speedup",
    width: 360,
    height: 240,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "workers", type: "quantitative", title: "workers", axis: { tickMinStep: 1 } },
      y: { field: "speedup", type: "quantitative", title: "speedup over serial" },
      color: {
        field: "kind",
        type: "nominal",
        title: "",
        scale: { domain: ["min", "median", "ideal"], range: ["#1f77b4", "#ff7f0e", "#999999"] },
      },
      strokeDash: {
        field: "kind",
        type: "nominal",
        title: "",
        scale: { domain: ["min", "median", "ideal"], range: [[1, 0], [1, 0], [4, 4]] },
      },
    },
  };
}

/** The ideal speedup's corners: speedup = workers, level from `cores` workers on. */
function idealLine(
  maxWorkers: number,
  cores: number,
): { workers: number; speedup: number; kind: string }[] {
  if (!(cores >= 1)) throw new RangeError(`cores must be at least 1, got ${cores}`);
  const corner = Math.min(maxWorkers, cores);
  const line = [{ workers: 1, speedup: 1 }, { workers: corner, speedup: corner }];
  if (corner < maxWorkers) line.push({ workers: maxWorkers, speedup: corner });
  return line.map((p) => ({ ...p, kind: "ideal" }));
}

/** Options for {@linkcode lineChart}. */
export interface LineChartOptions {
  /** The field on the x axis. */
  x: string;
  /** The field on the y axis. */
  y: string;
  /** A field whose values each get a line of their own. */
  color?: string;
  /** The chart's title. */
  title?: string;
  /** Axis titles; default: the field names. */
  xTitle?: string;
  /** Axis titles; default: the field names. */
  yTitle?: string;
  /** Logarithmic axes. @default {false} */
  xLog?: boolean;
  /** Logarithmic axes. @default {false} */
  yLog?: boolean;
  /** A horizontal reference line at this y (e.g. speedup 1, the break-even). */
  ruleY?: number;
}

/** A line chart of rows of data (points marked), with an optional horizontal reference line. */
export function lineChart(
  values: readonly Record<string, unknown>[],
  options: LineChartOptions,
): ChartSpec {
  const line = {
    mark: { type: "line" as const, point: true },
    encoding: {
      x: {
        field: options.x,
        type: "quantitative" as const,
        title: options.xTitle ?? options.x,
        scale: { type: options.xLog ? "log" as const : "linear" as const },
      },
      y: {
        field: options.y,
        type: "quantitative" as const,
        title: options.yTitle ?? options.y,
        scale: { type: options.yLog ? "log" as const : "linear" as const },
      },
      ...(options.color === undefined
        ? {}
        : { color: { field: options.color, type: "nominal" as const } }),
    },
  };
  const layers = options.ruleY === undefined ? [line] : [line, {
    data: { values: [{ y: options.ruleY }] },
    mark: { type: "rule" as const, strokeDash: [4, 4], color: "#999999" },
    encoding: { y: { field: "y", type: "quantitative" as const } },
  }];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    ...(options.title === undefined ? {} : { title: options.title }),
    width: 420,
    height: 260,
    data: { values: [...values] },
    layer: layers,
  } as ChartSpec;
}

/** Options for {@linkcode heatmap}. */
export interface HeatmapOptions {
  /** The chart's title. */
  title?: string;
  /** A vega colour scheme. @default {"viridis"} */
  scheme?: string;
  /** The legend's title. @default {"value"} */
  legend?: string;
  /** The x and y of each column and row (default: their indices). */
  xs?: ArrayLike<number>;
  /** The x and y of each column and row (default: their indices). */
  ys?: ArrayLike<number>;
  /** The chart's width in pixels (the height follows the aspect ratio). @default {360} */
  width?: number;
}

/**
 * A heatmap of a field of `nx` × `ny` values (`values[j * nx + i]`, i along x, j along y upwards)
 * drawn as one raster image (a PNG inside the SVG) with axes and a colour legend: the form for
 * large fields, whose SVG stays small (a few bytes per value) where {@linkcode heatmap}'s
 * rectangles take hundreds.
 */
export function fieldImage(
  values: ArrayLike<number>,
  nx: number,
  ny: number,
  options: HeatmapOptions = {},
): ChartSpec {
  if (values.length !== nx * ny) {
    throw new RangeError(`fieldImage() needs nx * ny = ${nx * ny} values, got ${values.length}`);
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) hi = lo + 1;
  const colour = vega.scheme(options.scheme ?? "viridis") as (t: number) => string;
  const rgba = new Uint8Array(nx * ny * 4);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const o = ((ny - 1 - j) * nx + i) * 4; // the image's first row is the top (largest y)
      rgba.set(parseColour(colour((values[j * nx + i]! - lo) / (hi - lo))), o);
      rgba[o + 3] = 255;
    }
  }
  const png = encodePng(rgba, nx, ny);
  const at = (coords: ArrayLike<number> | undefined, i: number) => coords?.[i] ?? i;
  const dx = step(options.xs, nx) / 2;
  const dy = step(options.ys, ny) / 2;
  const x0 = at(options.xs, 0) - dx;
  const x1 = at(options.xs, nx - 1) + dx;
  const y0 = at(options.ys, 0) - dy;
  const y1 = at(options.ys, ny - 1) + dy;
  const width = options.width ?? 360;
  const height = Math.round(width * (y1 - y0) / (x1 - x0));
  const x = { field: "x", type: "quantitative" as const, scale: { domain: [x0, x1], nice: false } };
  const y = { field: "y", type: "quantitative" as const, scale: { domain: [y0, y1], nice: false } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    ...(options.title === undefined ? {} : { title: options.title }),
    width,
    height,
    layer: [
      {
        data: { values: [{ x: x0, y: y1, url: `data:image/png;base64,${base64(png)}` }] },
        mark: { type: "image", width, height, align: "left", baseline: "top", aspect: false },
        encoding: { x, y, url: { field: "url", type: "nominal" } },
      },
      { // invisible marks at the extremes, for the colour legend
        data: { values: [{ x: x0, y: y0, v: lo }, { x: x0, y: y0, v: hi }] },
        mark: { type: "point", opacity: 0 },
        encoding: {
          x,
          y,
          color: {
            field: "v",
            type: "quantitative",
            title: options.legend ?? "value",
            scale: { scheme: options.scheme ?? "viridis", domain: [lo, hi] },
          },
        },
      },
    ],
    config: { view: { stroke: null } },
  } as ChartSpec;
}

/** The red, green and blue of a colour as vega's schemes give it (`#rrggbb` or `rgb(r, g, b)`). */
function parseColour(css: string): [number, number, number] {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(css);
  if (hex !== null) return [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16), parseInt(hex[3]!, 16)];
  const rgb = /^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(css);
  if (rgb !== null) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  throw new Error(`cannot read the colour ${css}`);
}

/** A PNG file of 8-bit RGBA pixels, row by row from the top. */
function encodePng(rgba: Uint8Array, width: number, height: number): Uint8Array {
  const raw = new Uint8Array(height * (width * 4 + 1)); // each row: filter type 0, then pixels
  for (let r = 0; r < height; r++) {
    raw.set(rgba.subarray(r * width * 4, (r + 1) * width * 4), r * (width * 4 + 1) + 1);
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter, no interlace
  const chunks = [
    chunk("IHDR", header),
    chunk("IDAT", new Uint8Array(deflateSync(raw))),
    chunk("IEND", new Uint8Array(0)),
  ];
  const signature = [137, 80, 78, 71, 13, 10, 26, 10];
  const out = new Uint8Array(8 + chunks.reduce((n, c) => n + c.length, 0));
  out.set(signature);
  let at = 8;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** One PNG chunk: length, type, data, CRC-32 of type and data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 as PNG (and zlib) define it. */
function crc32(bytes: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Base64 of bytes. */
function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/**
 * A heatmap of a field of `nx` × `ny` values stored row by row (`values[j * nx + i]`, i along x),
 * one rectangle per value: keep it to a few thousand values (downsample larger fields).
 */
export function heatmap(
  values: ArrayLike<number>,
  nx: number,
  ny: number,
  options: HeatmapOptions = {},
): ChartSpec {
  if (values.length !== nx * ny) {
    throw new RangeError(`heatmap() needs nx * ny = ${nx * ny} values, got ${values.length}`);
  }
  const at = (coords: ArrayLike<number> | undefined, i: number) => coords?.[i] ?? i;
  const dx = step(options.xs, nx) / 2;
  const dy = step(options.ys, ny) / 2;
  const cells: { x: number; x2: number; y: number; y2: number; v: number }[] = [];
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const x = at(options.xs, i);
      const y = at(options.ys, j);
      cells.push({ x: x - dx, x2: x + dx, y: y - dy, y2: y + dy, v: values[j * nx + i]! });
    }
  }
  const width = options.width ?? 360;
  const spanX = at(options.xs, nx - 1) - at(options.xs, 0) + 2 * dx;
  const spanY = at(options.ys, ny - 1) - at(options.ys, 0) + 2 * dy;
  const height = Math.round(width * spanY / spanX);
  const scale = (lo: number, hi: number) => ({ domain: [lo, hi], nice: false, zero: false });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    ...(options.title === undefined ? {} : { title: options.title }),
    width,
    height,
    data: { values: cells },
    mark: { type: "rect" },
    encoding: {
      x: {
        field: "x",
        type: "quantitative",
        title: "x",
        scale: scale(at(options.xs, 0) - dx, at(options.xs, nx - 1) + dx),
      },
      x2: { field: "x2" },
      y: {
        field: "y",
        type: "quantitative",
        title: "y",
        scale: scale(at(options.ys, 0) - dy, at(options.ys, ny - 1) + dy),
      },
      y2: { field: "y2" },
      color: {
        field: "v",
        type: "quantitative",
        title: options.legend ?? "value",
        scale: { scheme: options.scheme ?? "viridis" },
      },
    },
    config: { view: { stroke: null } },
  } as ChartSpec;
}

/** The spacing of evenly spaced coordinates (1 for indices). */
function step(coords: ArrayLike<number> | undefined, n: number): number {
  if (coords === undefined || n < 2) return 1;
  return (coords[n - 1]! - coords[0]!) / (n - 1);
}

/** Options for {@linkcode pointsChart}. */
export interface PointsChartOptions {
  /** The chart's title. */
  title?: string;
  /** A field naming each point's group (coloured apart, e.g. hit or miss). */
  color?: string;
  /** The chart's side in pixels. @default {300} */
  size?: number;
}

/** A scatter of points `{ x, y, … }` on a square chart (the dart board). */
export function pointsChart(
  points: readonly Record<string, unknown>[],
  options: PointsChartOptions = {},
): ChartSpec {
  const size = options.size ?? 300;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    ...(options.title === undefined ? {} : { title: options.title }),
    width: size,
    height: size,
    data: { values: [...points] },
    // no aria label per point: thousands of them would triple the SVG and help no reader
    mark: { type: "circle", size: 8, opacity: 0.8, aria: false },
    encoding: {
      x: { field: "x", type: "quantitative", scale: { domain: [0, 1] } },
      y: { field: "y", type: "quantitative", scale: { domain: [0, 1] } },
      ...(options.color === undefined
        ? {}
        : { color: { field: options.color, type: "nominal", title: "" } }),
    },
  } as ChartSpec;
}
