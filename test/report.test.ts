// report.js: curves read generically from a JSONL log, nice ticks and their labels, the bitmap
// font, a chart whose line lands where its values say, and the CLI on a tiny log.
import t from "tap";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { glyphRows, textWidth } from "../src/report/font.js";
import { Canvas, formatTick, lineChart, niceTicks } from "../src/report/plot.js";
import { movingMean, parseTrainingLog } from "../src/report/training-log.js";
import { readRgb } from "../src/io/image.js";
import { runTool } from "./inpaint-fixtures.js";
import { tempDir } from "./tempdir.js";

t.test("every numeric field but step and time becomes a curve", async (t) => {
  const text = [
    '{"step": 0, "time": 1.5, "d_loss": -2, "g_loss": 10, "phase": "warmup"}',
    "",
    '{"step": 10, "time": 3, "d_loss": -1.5, "g_loss": 9, "losses": {"l1": 0.4, "ae": 0.2}}',
    '{"step": 20, "d_loss": -1', // a trainer still writing its last line
  ].join("\n");
  const log = parseTrainingLog(text);
  t.equal(log.xLabel, "step");
  t.equal(log.lines, 2, "the unfinished last line is skipped");
  t.same([...log.curves.keys()], ["d_loss", "g_loss", "losses.l1", "losses.ae"], "nested objects give dotted keys; strings are ignored");
  t.same(log.curves.get("d_loss"), { x: [0, 10], y: [-2, -1.5] });
  t.same(log.curves.get("losses.ae"), { x: [10], y: [0.2] }, "a key that appears later starts there");
  t.same(parseTrainingLog('{"loss": 3}\n{"loss": 2}\n').curves.get("loss"), { x: [1, 2], y: [3, 2] }, "line numbers without a step");
  t.throws(() => parseTrainingLog('{"a": 1}\nnope\n{"a": 2}', "run/log.jsonl"), /^run\/log\.jsonl line 2 is not JSON/);
  t.throws(() => parseTrainingLog('[1, 2]\n{"a": 1}'), /line 1 is not a JSON object/);
  t.throws(() => parseTrainingLog('{"step": 1, "time": 2, "note": "x"}\n'), /has no numeric fields besides step and time \(1 lines read\)/);
  t.same(movingMean([1, 2, 3, 10], 3), [1.5, 2, 5, 6.5], "centred mean, shorter at the ends");
});

t.test("non-finite values are kept and reported with the step they start at", async (t) => {
  const text = [
    '{"step": 1, "losses": {"g": 1.5, "d": 2}, "note": null}',
    '{"step": 2, "losses": {"g": "NaN", "d": 2.5}, "note": null}',
    '{"step": 3, "losses": {"g": "Infinity", "d": null}, "note": null}',
    '{"step": 4, "losses": {"g": "-Infinity", "d": "NaN"}}',
  ].join("\n");
  const log = parseTrainingLog(text);
  t.same(log.curves.get("losses.g"), { x: [1, 2, 3, 4], y: [1.5, NaN, Infinity, -Infinity] }, "written as strings by the trainer");
  t.same(log.curves.get("losses.d"), { x: [1, 2, 3, 4], y: [2, 2.5, NaN, NaN] }, "null (older logs) in a numeric field");
  t.notOk(log.curves.has("note"), "a field that is only ever null is no curve");
  t.same([...log.nonFinite], [["losses.g", { count: 3, from: 2 }], ["losses.d", { count: 2, from: 3 }]]);
  t.equal(parseTrainingLog('{"step": 1, "a": 2}').nonFinite.size, 0);
});

t.test("ticks at 1, 2 or 5 times a power of ten, labelled with the digits they need", async (t) => {
  t.same(niceTicks(0, 2950, 6), { ticks: [0, 500, 1000, 1500, 2000, 2500], step: 500 });
  t.same(niceTicks(-4.9, 0.1, 5).ticks, [-4, -3, -2, -1, 0]);
  const small = niceTicks(0.00012, 0.00098, 4);
  t.equal(small.step, 0.0002);
  t.same(small.ticks.map((v) => formatTick(v, small.step)), ["2e-4", "4e-4", "6e-4", "8e-4"]);
  t.same([formatTick(0.25, 0.05), formatTick(1500, 500), formatTick(-1.5, 0.5), formatTick(0, 1), formatTick(2.5e6, 5e5)], ["0.25", "1500", "-1.5", "0", "2.5e6"]);
});

t.test("font and canvas", async (t) => {
  const letters = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"];
  t.ok(letters.every((c) => glyphRows(c).join() !== glyphRows("?").join()), "every letter and digit has its own glyph");
  t.equal(new Set(letters.map((c) => glyphRows(c).join())).size, letters.length, "no two glyphs alike");
  t.same(letters.filter((c) => glyphRows(c).length === 9).join(""), "gjpqy", "descenders reach two rows below the line");
  t.same(glyphRows("\u00e9"), glyphRows("?"), "an unknown character draws as ?");
  t.equal(glyphRows("1").length, 7);
  t.equal(textWidth("ab", 2), 22, "5 columns per glyph, 1 between, times the scale");
  const canvas = new Canvas(8, 9);
  canvas.text(1, 1, "l", [0, 0, 0]);
  // "l" is 01100 / 00100 x5 / 01110: its first row has ink at columns 1 and 2.
  const ink = (x: number, y: number) => canvas.data[3 * (y * 8 + x)] === 0;
  t.same([0, 1, 2, 3, 4].map((c) => ink(1 + c, 1)), [false, true, true, false, false]);
  t.same([0, 1, 2, 3, 4].map((c) => ink(1 + c, 7)), [false, true, true, true, false]);
});

t.test("a chart's line goes where its values say", async (t) => {
  const red = [255, 0, 0] as const;
  const chart = lineChart({ title: "rise", xLabel: "step", series: [{ x: [0, 50, 100], y: [0, 5, 10], colour: red }] });
  t.same([chart.width, chart.height], [640, 400]);
  const points: [number, number][] = [];
  for (let p = 0; p < chart.width * chart.height; p++) {
    if (chart.data[3 * p] === 255 && chart.data[3 * p + 1] === 0 && chart.data[3 * p + 2] === 0) points.push([p % chart.width, Math.floor(p / chart.width)]);
  }
  t.ok(points.length > 300, `a drawn line (${points.length} red pixels)`);
  const leftmost = points.reduce((a, p) => (p[0] < a[0] ? p : a));
  const rightmost = points.reduce((a, p) => (p[0] > a[0] ? p : a));
  t.ok(leftmost[1] > rightmost[1] + 300, "rising values go up the picture");
  // A straight line: every red pixel within a pixel of the segment between the ends.
  const [[x0, y0], [x1, y1]] = [leftmost, rightmost];
  const off = Math.max(...points.map(([x, y]) => Math.abs(y - (y0 + ((y1 - y0) * (x - x0)) / (x1 - x0)))));
  t.ok(off <= 1, `straight within ${off.toFixed(2)} px`);
  const flat = lineChart({ title: "flat", xLabel: "step", series: [{ x: [1, 2], y: [NaN, Infinity], colour: red }] });
  t.notOk(flat.data.some((v, i) => i % 3 === 1 && v === 0 && flat.data[i - 1] === 255), "non-finite values are not drawn");
});

t.test("report.js writes one PNG per curve; bad logs are one-line errors", async (t) => {
  const dir = tempDir(t);
  const lines = Array.from({ length: 80 }, (_, i) => JSON.stringify({ step: i, time: i / 2, d_loss: Math.sin(i / 5), "g loss": 3 - i / 40 }));
  writeFileSync(join(dir, "log.jsonl"), lines.join("\n") + "\n");
  const run = runTool("report", ["--log", join(dir, "log.jsonl"), "--out", join(dir, "out")]);
  t.equal(run.status, 0, run.stderr);
  t.same(readdirSync(join(dir, "out")).sort(), ["d_loss.png", "g_loss.png"], "file names from the keys");
  t.match(run.stdout, /g_loss\.png \(80 points; last 1\.025, min 1\.025, max 3\.000\)/, "a summary per curve");
  const png = readRgb(join(dir, "out", "d_loss.png"));
  t.same([png.width, png.height], [640, 400]);
  t.equal(run.stderr, "", "no warning for a finite log");
  writeFileSync(join(dir, "nan.jsonl"), '{"step": 5, "d_loss": 1}\n{"step": 6, "d_loss": "NaN"}\n');
  const nan = runTool("report", ["--log", join(dir, "nan.jsonl"), "--out", join(dir, "nan")]);
  t.equal(nan.status, 0, "the charts are drawn");
  t.match(nan.stdout, /d_loss\.png \(2 points; 1 non-finite from step 6; last 1\.000/);
  t.match(nan.stderr, /^report: .*nan\.jsonl has non-finite values \(NaN or infinite\), not drawn: d_loss from step 6; the run diverged there/);
  writeFileSync(join(dir, "empty.jsonl"), '{"step": 1}\n');
  const empty = runTool("report", ["--log", join(dir, "empty.jsonl"), "--out", join(dir, "out2")]);
  t.equal(empty.status, 1);
  t.match(empty.stderr, /^report: .*empty\.jsonl has no numeric fields besides step and time/);
  const missing = runTool("report", ["--log", join(dir, "none.jsonl"), "--out", join(dir, "out2")]);
  t.match(missing.stderr, /^report: cannot read the log .*none\.jsonl: ENOENT/);
  t.equal(runTool("report", ["--out", dir]).status, 2, "usage error without --log");
});
