import assert from "node:assert/strict";
import {
  fieldImage,
  heatmap,
  lineChart,
  pointsChart,
  renderSvg,
  speedupChart,
  speedupTable,
} from "./charts.ts";
import { formatMs, interleaved, summarize } from "./timing.ts";

Deno.test("summarize() gives the min and the median", () => {
  assert.deepEqual(summarize([5, 1, 3]), { times: [5, 1, 3], min: 1, median: 3 });
  assert.equal(summarize([4, 1, 3, 2]).median, 2.5);
  assert.throws(() => summarize([]), RangeError);
});

Deno.test("interleaved() runs each variant warmup + repeats times, rotating the order", async () => {
  const order: string[] = [];
  const t = await interleaved({ a: () => order.push("a"), b: () => order.push("b") }, {
    repeats: 3,
    warmup: 1,
  });
  assert.deepEqual(order, ["a", "b", "a", "b", "b", "a", "a", "b"]);
  assert.equal(t.a.times.length, 3);
  assert.equal(t.b.times.length, 3);
  await assert.rejects(() => interleaved({ a: () => 0 }, { repeats: 0 }), RangeError);
});

Deno.test("formatMs() picks the unit", () => {
  assert.equal(formatMs(0.85), "850 µs");
  assert.equal(formatMs(12.34), "12.3 ms");
  assert.equal(formatMs(1234), "1.23 s");
});

Deno.test("speedupTable() computes speedup and efficiency from the minimum times", () => {
  const serial = summarize([100, 120]);
  const df = speedupTable(serial, [
    { workers: 1, timing: summarize([100]) },
    { workers: 2, timing: summarize([50, 60]) },
  ]);
  assert.deepEqual(df.getColumn("workers").toArray(), ["serial", "1", "2"]);
  assert.deepEqual(df.getColumn("speedup").toArray(), [1, 1, 2]);
  assert.deepEqual(df.getColumn("efficiency").toArray(), [1, 1, 1]);
});

Deno.test("speedupTable() keeps small times and speedups visible", () => {
  const df = speedupTable(summarize([0.0043]), [{ workers: 2, timing: summarize([1.07]) }]);
  assert.deepEqual(df.getColumn("min (ms)").toArray(), [0.0043, 1.1]);
  assert.deepEqual(df.getColumn("speedup").toArray(), [1, 0.004]);
  assert.deepEqual(df.getColumn("efficiency").toArray(), [1, 0.002]);
  const big = speedupTable(summarize([123.456]), [{ workers: 1, timing: summarize([61.728]) }]);
  assert.deepEqual(big.getColumn("min (ms)").toArray(), [123.5, 61.7]);
  assert.deepEqual(big.getColumn("speedup").toArray(), [1, 2]);
});

Deno.test("speedupChart() levels the ideal line off at the machine's cores", () => {
  const serial = summarize([100]);
  const rows = [1, 2, 4].map((workers) => ({ workers, timing: summarize([100 / workers]) }));
  const ideal = (spec: ReturnType<typeof speedupChart>) =>
    (spec as { data: { values: { kind: string; workers: number; speedup: number }[] } }).data
      .values.filter((v) => v.kind === "ideal").map((v) => [v.workers, v.speedup]);
  assert.deepEqual(ideal(speedupChart(serial, rows)), [[1, 1], [4, 4]]);
  assert.deepEqual(ideal(speedupChart(serial, rows, { cores: 2 })), [[1, 1], [2, 2], [4, 2]]);
  assert.deepEqual(ideal(speedupChart(serial, rows, { cores: 8 })), [[1, 1], [4, 4]]);
  assert.throws(() => speedupChart(serial, rows, { cores: 0 }), RangeError);
});

Deno.test("every chart renders to SVG headless", async () => {
  const serial = summarize([100]);
  const charts = [
    speedupChart(serial, [{ workers: 1, timing: summarize([100]) }, {
      workers: 2,
      timing: summarize([55]),
    }]),
    lineChart([{ cost: 1, speedup: 0.5 }, { cost: 10, speedup: 1.8 }], {
      x: "cost",
      y: "speedup",
      xLog: true,
      ruleY: 1,
    }),
    heatmap([1, 2, 3, 4, 5, 6], 3, 2, { xs: [0, 0.5, 1], ys: [0, 0.5], title: "field" }),
    pointsChart([{ x: 0.1, y: 0.2, hit: "in" }, { x: 0.9, y: 0.9, hit: "out" }], {
      color: "hit",
    }),
  ];
  for (const spec of charts) {
    const svg = await renderSvg(spec);
    assert.match(svg, /^<svg[\s\S]*<\/svg>$/);
  }
  assert.throws(() => heatmap([1, 2, 3], 2, 2), RangeError);
});

Deno.test("fieldImage() draws a field as one PNG inside a small SVG", async () => {
  const nx = 50;
  const ny = 40;
  const values = Array.from({ length: nx * ny }, (_, k) => Math.sin(k / 7));
  const svg = await renderSvg(fieldImage(values, nx, ny, { title: "field" }));
  assert.match(svg, /data:image\/png;base64,iVBORw0KGgo/);
  assert.ok(svg.length < 40_000, `${svg.length} bytes`);
  assert.throws(() => fieldImage([1, 2, 3], 2, 2), RangeError);
});

Deno.test("pointsChart() draws thousands of points in a small SVG (no label per point)", async () => {
  const points = Array.from({ length: 2000 }, (_, i) => ({
    x: (i % 50) / 50,
    y: Math.floor(i / 50) / 40,
    dart: i % 3 === 0 ? "miss" : "hit",
  }));
  const svg = await renderSvg(pointsChart(points, { color: "dart" }));
  assert.equal((svg.match(/<path /g) ?? []).length >= 2000, true);
  assert.equal(svg.includes('aria-roledescription="circle"'), false);
  assert.ok(svg.length < 2000 * 200, `${svg.length} bytes for 2000 points`);
});
