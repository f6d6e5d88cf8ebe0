/**
 * `bench/results.svg`: the scoreboard's chart, drawn headless with vega-lite and vega's
 * `view.toSVG()` as the notebooks draw theirs (`notebooks/charts.ts`): the speedup vs workers
 * of Monte Carlo Pi on the left, and for every workload of the peers section our time ÷ each
 * peer's on the right (below 1: we are faster).
 *
 * @module
 */

import * as vega from "vega";
import * as vl from "vega-lite";
import type { PeersResults } from "./peers.ts";
import { PEERS, peerWorkloads } from "./peers.ts";
import type { SpeedupResults } from "./speedup.ts";

/**
 * Compiles a vega-lite specification and renders it to an SVG string, headless.
 *
 * @param spec The specification.
 * @returns The SVG.
 */
export async function renderSvg(spec: vl.TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The chart's specification.
 *
 * @param speedup The speedup sweep.
 * @param peers The peers section.
 * @param cores The machine's cores (the ideal line levels off there).
 * @returns The vega-lite specification.
 */
export function scoreboardSpec(
  speedup: SpeedupResults,
  peers: PeersResults,
  cores: number,
): vl.TopLevelSpec {
  const maxWorkers = Math.max(...speedup.pools.map((p) => p.workers));
  const curve = [
    ...speedup.pools.map((p) => ({ workers: p.workers, speedup: p.speedup, kind: "ours" })),
    { workers: 1, speedup: 1, kind: "ideal" },
    { workers: Math.min(cores, maxWorkers), speedup: Math.min(cores, maxWorkers), kind: "ideal" },
    { workers: maxWorkers, speedup: Math.min(cores, maxWorkers), kind: "ideal" },
  ];
  const ratios: { workload: string; peer: string; ratio: number }[] = [];
  for (const w of peerWorkloads(peers)) {
    for (const name of PEERS) {
      const side = peers.peers[name];
      if ("skipped" in side) continue;
      ratios.push({ workload: w.label, peer: name, ratio: w.value(peers.ours) / w.value(side) });
    }
  }
  const trials = speedup.trials.toExponential(0).replace("+", "");
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    resolve: { scale: { color: "independent", strokeDash: "independent" } },
    hconcat: [
      {
        title: `Speedup vs workers: Pi ${trials}, warm Pool (${cores} cores)`,
        width: 300,
        height: 240,
        data: { values: curve },
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "workers", type: "quantitative", axis: { tickMinStep: 1 } },
          y: { field: "speedup", type: "quantitative", title: "speedup over serial" },
          color: {
            field: "kind",
            type: "nominal",
            title: "",
            scale: { domain: ["ours", "ideal"], range: ["#1f77b4", "#999999"] },
          },
          strokeDash: {
            field: "kind",
            type: "nominal",
            title: "",
            scale: { domain: ["ours", "ideal"], range: [[1, 0], [4, 4]] },
          },
        },
      },
      {
        title: "Our time ÷ each peer's (below 1: ours is faster)",
        width: 300,
        height: { step: 12 },
        data: {
          values: ratios.length > 0 ? ratios : [{ workload: "peers skipped", peer: "", ratio: 1 }],
        },
        layer: [
          {
            mark: { type: "bar" },
            encoding: {
              y: {
                field: "workload",
                type: "nominal",
                title: null,
                sort: null,
                axis: { labelLimit: 320 },
              },
              yOffset: { field: "peer", type: "nominal" },
              x: {
                field: "ratio",
                type: "quantitative",
                title: "ours ÷ peer (log)",
                scale: { type: "log" },
              },
              // Bars grow from 1 (a log scale has no 0): left of it ours is faster.
              x2: { datum: 1 },
              color: { field: "peer", type: "nominal", title: "peer" },
            },
          },
          {
            data: { values: [{ one: 1 }] },
            mark: { type: "rule", color: "#333", strokeDash: [3, 3] },
            encoding: { x: { field: "one", type: "quantitative" } },
          },
        ],
      },
    ],
  } as vl.TopLevelSpec;
}
