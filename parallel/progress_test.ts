import assert from "node:assert/strict";
import {
  formatBar,
  formatClock,
  formatHtml,
  formatProgress,
  formatRate,
  JupyterDisplay,
} from "./_progress_display.ts";
import { progress, ProgressBar } from "./progress.ts";

Deno.test("formatProgress() reads as tqdm: percent, bar, count, elapsed<remaining, rate", () => {
  const line = formatProgress({ count: 50, total: 200, elapsed: 10_000, description: "scatter" });
  assert.equal(line, `scatter:  25%|█████               | 50/200 [00:10<00:30, 5.00 it/s]`);
  assert.equal(
    formatProgress({ count: 7, total: undefined, elapsed: 2000, description: undefined }),
    "7 [00:02, 3.50 it/s]",
  );
  assert.equal(
    formatProgress({ count: 0, total: 10, elapsed: 0, description: undefined }),
    "  0%|                    | 0/10 [00:00<?, ? it/s]",
  );
});

Deno.test("formatBar(), formatClock() and formatRate() draw the pieces", () => {
  assert.equal(formatBar(0), " ".repeat(20));
  assert.equal(formatBar(1), "█".repeat(20));
  assert.equal(formatBar(0.5), "█".repeat(10) + " ".repeat(10));
  assert.equal(formatBar(0.0625, 4), "▎   ");
  assert.equal(formatBar(2), "█".repeat(20));
  assert.equal(formatClock(61_000), "01:01");
  assert.equal(formatClock(3_723_000), "1:02:03");
  assert.equal(formatClock(Infinity), "?");
  assert.equal(formatRate(10_000, 1000), "10000 it/s");
  assert.equal(formatRate(1, 4000), "4.00 s/it");
  assert.equal(formatRate(0, 1000), "? it/s");
});

Deno.test("formatHtml() shows a <progress> element and escapes the label", () => {
  const html = formatHtml({ count: 3, total: 4, elapsed: 1000, description: "<b>" });
  assert.match(html, /<progress value="3" max="4"/);
  assert.match(html, /&#60;b&#62;/);
  assert.match(html, /75%/);
  assert.doesNotMatch(
    formatHtml({ count: 3, total: undefined, elapsed: 1, description: undefined }),
    /value=/,
  );
});

Deno.test("ProgressBar on a terminal redraws one line in place, then ends it", async () => {
  let out = "";
  const bar = new ProgressBar({
    total: 3,
    display: "terminal",
    interval: 0,
    write: (text) => out += text,
  });
  assert.equal(bar.display, "terminal");
  bar.update();
  bar.update(2);
  await bar.close();
  await bar.close(); // idempotent
  const frames = out.split("\r").filter((f) => f !== "");
  assert.equal(frames.length, 4, "the start, two updates, the close");
  assert.ok(frames.every((f) => f.includes("\x1b[K")));
  assert.match(frames[0]!, /^ {2}0%\|/);
  assert.match(frames.at(-1)!, /^100%\|█{20}\| 3\/3 .*\n$/);
  assert.equal(out.split("\n").length, 2, "one newline, at the end");
  bar.update(); // after close: ignored
  assert.equal(bar.count, 3);
});

Deno.test("ProgressBar redraws at most once per interval", async () => {
  const writes: string[] = [];
  const bar = new ProgressBar({
    display: "terminal",
    interval: 60_000,
    write: (t) => writes.push(t),
  });
  for (let i = 0; i < 1000; i++) bar.update();
  assert.equal(writes.length, 1, "only the first drawing");
  await bar.close();
  assert.equal(writes.length, 2);
  assert.match(writes[1]!, /1000 \[/);
});

Deno.test("ProgressBar in lines mode prints plain lines, the last one at close", async () => {
  const writes: string[] = [];
  const bar = new ProgressBar({ display: "lines", write: (t) => writes.push(t) });
  bar.update(5);
  assert.equal(writes.length, 0, "a quick job prints only its last line");
  bar.total = 5;
  assert.equal(bar.total, 5);
  await bar.close();
  assert.equal(writes.length, 1);
  assert.match(writes[0]!, /^100%\|█{20}\| 5\/5 \[.*\]\n$/);
  assert.ok(!writes[0]!.includes("\r"));
});

Deno.test("ProgressBar refuses unknown displays, Jupyter outside the kernel, bad totals", () => {
  assert.throws(
    () => new ProgressBar({ display: "html" as "lines" }),
    { name: "RangeError", message: /"display" must be/ },
  );
  assert.throws(
    () => new ProgressBar({ display: "jupyter" }),
    { name: "RangeError", message: /needs the Deno Jupyter kernel/ },
  );
  assert.throws(() => new ProgressBar({ total: -1, display: "lines" }), {
    name: "RangeError",
    message: /"total"/,
  });
  assert.throws(() => new ProgressBar({ interval: -1, display: "lines" }), RangeError);
});

Deno.test("a bar given a write function prints lines (no terminal codes)", async () => {
  let out = "";
  const bar = new ProgressBar({ write: (t) => out += t });
  assert.equal(bar.display, "lines");
  await bar.close();
  assert.ok(!out.includes("\r"));
  assert.ok(!out.includes("\x1b"), "no escape codes");
  assert.match(out, /^0 \[00:\d\d, \? it\/s\]\n$/, "one plain line, written at close");
});

Deno.test("JupyterDisplay shows one output, then updates it in place, in order", async () => {
  const sent: { kind: string; content: Record<string, unknown> }[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  const jupyter = {
    async broadcast(kind: string, content: Record<string, unknown>) {
      if (sent.length === 0) await gate; // a slow kernel: later updates must wait
      sent.push({ kind, content });
    },
  };
  const display = new JupyterDisplay(jupyter, 0);
  const state = { count: 0, total: 2, elapsed: 0, description: "cells" };
  display.update(state, true);
  display.update({ ...state, count: 1, elapsed: 500 });
  const closed = display.close({ ...state, count: 2, elapsed: 1000 });
  release();
  await closed;
  assert.deepEqual(sent.map((m) => m.kind), [
    "display_data",
    "update_display_data",
    "update_display_data",
  ]);
  for (const { content } of sent) {
    assert.deepEqual(content.transient, { display_id: display.id });
    assert.deepEqual(content.metadata, {});
  }
  const last = sent[2]!.content.data as Record<string, string>;
  assert.match(last["text/plain"]!, /^cells: 100%\|█{20}\| 2\/2/);
  assert.match(last["text/html"]!, /<progress value="2" max="2"/);
});

Deno.test("JupyterDisplay survives a kernel that refuses a message, and sends the next", async () => {
  const asked: string[] = [];
  const display = new JupyterDisplay({
    broadcast(kind: string) {
      asked.push(kind);
      return asked.length === 1 ? Promise.reject(new Error("gone")) : Promise.resolve();
    },
  }, 0);
  display.update({ count: 0, total: 1, elapsed: 0, description: undefined }, true);
  const closed = display.close({ count: 1, total: 1, elapsed: 1, description: undefined });
  assert.equal(await closed, undefined, "close() resolves although a broadcast was refused");
  assert.deepEqual(asked, ["display_data", "update_display_data"], "the refusal stops nothing");
  // A kernel that refuses everything, even by throwing: close() still resolves.
  const refused: string[] = [];
  const broken = new JupyterDisplay({
    broadcast(kind: string) {
      refused.push(kind);
      throw new Error("gone");
    },
  }, 0);
  broken.update({ count: 0, total: 1, elapsed: 0, description: undefined }, true);
  await broken.close({ count: 1, total: 1, elapsed: 1, description: undefined });
  assert.deepEqual(refused, ["display_data", "update_display_data"]);
});

Deno.test("progress() passes items through, with the array's length as total", async () => {
  const writes: string[] = [];
  const out: number[] = [];
  for await (const x of progress([1, 2, 3], { display: "lines", write: (t) => writes.push(t) })) {
    out.push(x);
  }
  assert.deepEqual(out, [1, 2, 3]);
  assert.equal(writes.length, 1);
  assert.match(writes[0]!, /100%\|█{20}\| 3\/3/);
});

Deno.test("progress() takes async iterables, and closes the bar on an early break", async () => {
  async function* ticks() {
    for (let i = 0;; i++) yield i;
  }
  const writes: string[] = [];
  let seen = 0;
  for await (const _ of progress(ticks(), { display: "lines", write: (t) => writes.push(t) })) {
    if (++seen === 5) break;
  }
  assert.equal(writes.length, 1);
  assert.match(writes[0]!, /^5 \[/, "no total: count, elapsed and rate");
});

Deno.test("progress() closes the bar when the input throws", async () => {
  function* failing() {
    yield 1;
    throw new Error("input broke");
  }
  const writes: string[] = [];
  await assert.rejects(async () => {
    for await (const _ of progress(failing(), { display: "lines", write: (t) => writes.push(t) })) {
      // consume
    }
  }, /input broke/);
  assert.equal(writes.length, 1);
  assert.match(writes[0]!, /^1 \[/, "the closing line counts the one item read");
});
