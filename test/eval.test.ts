// Evaluation: the metrics against values worked by hand on 2x2 and 3x3 images, the two
// baselines against known solutions (a mean by hand; a linear ramp and x^2 - y^2, which the
// discrete Laplace equation reproduces exactly), the seeded samples, and eval.js end to end.
import t from "tap";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { laplaceFill, meanFill, solveLaplace } from "../src/infer/baselines.js";
import { centreSquare, evaluate, formatTable, loadSamples } from "../src/infer/evaluation.js";
import type { HoleMask } from "../src/infer/inpaint-image.js";
import { imageMetrics, meanMetrics, totalVariation, type Metrics } from "../src/infer/metrics.js";
import { readRgb, writePng } from "../src/io/image.js";
import { type RgbImage } from "../src/io/rgb-image.js";
import { testDevice } from "./helpers.js";
import { runTool, testImage, tinyCheckpoint } from "./inpaint-fixtures.js";
import { tempDir } from "./tempdir.js";

const image = (width: number, height: number, values: number[]): RgbImage => ({ width, height, data: Uint8Array.from(values) });
const holes = (width: number, height: number, values: number[]): HoleMask => ({ width, height, data: Uint8Array.from(values) });

t.test("metrics on a 2x2 image, worked by hand", async (t) => {
  const truth = image(2, 2, Array(12).fill(0));
  // Only pixel (0, 1) is a hole; the fill puts [255, 0, 51] there: errors 1, 0, 0.2 on [0, 1].
  const completed = image(2, 2, [0, 0, 0, 255, 0, 51, 0, 0, 0, 0, 0, 0]);
  const m = imageMetrics(truth, completed, holes(2, 2, [0, 1, 0, 0]));
  t.equal(m.l1.toFixed(12), (1.2 / 3).toFixed(12), "l1 = (1 + 0 + 0.2) / 3");
  t.equal(m.l2.toFixed(12), (1.04 / 3).toFixed(12), "l2 = (1 + 0 + 0.04) / 3");
  t.equal(m.psnr.toFixed(9), (10 * Math.log10(3 / 1.04)).toFixed(9), "PSNR = 10 log10(1 / l2)");
  // Horizontal pairs: row 0 differs by 255 + 0 + 51 = 306 over 3 channels x 2 pairs; vertical: column 1 the same.
  t.equal(m.tv.toFixed(12), (306 / 6 / 255 + 306 / 6 / 255).toFixed(12), "TV = 0.2 + 0.2");
});

t.test("metrics on 3x3: a perfect fill, a constant image, an average over images", async (t) => {
  const truth = testImage(3, 3);
  const mask = holes(3, 3, [0, 0, 0, 0, 1, 0, 0, 0, 0]);
  const perfect = imageMetrics(truth, truth, mask);
  t.same([perfect.l1, perfect.l2, perfect.psnr], [0, 0, 100], "no error, PSNR capped at 100 dB");
  t.equal(totalVariation(image(3, 3, Array(27).fill(77))), 0, "a flat image has no variation");
  // A vertical ramp 0, 51, 102 in every channel: horizontal differences 0, vertical 51 / 255 = 0.2.
  const rows = image(3, 3, [0, 51, 102].flatMap((v) => Array(9).fill(v)));
  t.equal(totalVariation(rows).toFixed(12), (0.2).toFixed(12), "TV of a ramp is its step");
  const mean = meanMetrics([{ l1: 0.1, l2: 0.01, psnr: 20, tv: 0.3 }, { l1: 0.3, l2: 0.03, psnr: 10, tv: 0.1 }]);
  t.same(Object.values(mean).map((v) => v.toFixed(12)), [0.2, 0.02, 15, 0.2].map((v) => v.toFixed(12)), "means per metric");
  t.throws(() => imageMetrics(truth, truth, holes(3, 3, Array(9).fill(0))), /no hole/);
  t.throws(() => imageMetrics(truth, testImage(3, 2), mask), /must have one size/);
});

t.test("mean fill: the known pixels' mean per channel", async (t) => {
  // 3x1: known [10, 20, 30] and [13, 0, 255]; the middle is a hole.
  const filled = meanFill(image(3, 1, [10, 20, 30, 99, 99, 99, 13, 0, 255]), holes(3, 1, [0, 1, 0]));
  t.same([...filled.data], [10, 20, 30, 12, 10, 143, 13, 0, 255], "means 11.5, 10, 142.5 rounded; known pixels kept");
  t.throws(() => meanFill(testImage(2, 2), holes(2, 2, [1, 1, 1, 1])), /all hole/);
});

t.test("Laplace fill reproduces harmonic functions exactly", async (t) => {
  const [w, h] = [11, 9];
  // Two holes inside the image (not touching its border, where the boundary rule is Neumann).
  const mask = holes(w, h, Array.from({ length: w * h }, (_, p) => {
    const [y, x] = [Math.floor(p / w), p % w];
    return (y >= 2 && y <= 5 && x >= 1 && x <= 4) || (y >= 3 && y <= 7 && x >= 7 && x <= 9) ? 1 : 0;
  }));
  // A linear ramp in 8 bits: every channel a different plane.
  const ramp = image(w, h, Array.from({ length: w * h * 3 }, (_, i) => {
    const [p, c] = [Math.floor(i / 3), i % 3];
    const [y, x] = [Math.floor(p / w), p % w];
    return [10 + 20 * x + 3 * y, 200 - 7 * y, 5 * x + 11 * y][c]!;
  }));
  const { image: filled, sweeps } = laplaceFill(ramp, mask);
  t.same([...filled.data], [...ramp.data], `the ramp comes back byte for byte (${sweeps} sweeps)`);
  // x^2 - y^2 is harmonic for the 5-point stencil too: (x+1)^2 + (x-1)^2 - 2x^2 = 2 = the y terms' -(-2).
  const values = Float64Array.from({ length: w * h }, (_, p) => {
    const [y, x] = [Math.floor(p / w), p % w];
    return mask.data[p] ? 0 : x * x - y * y;
  });
  solveLaplace(values, mask, { tolerance: 1e-12 });
  let worst = 0;
  values.forEach((v, p) => (worst = Math.max(worst, Math.abs(v - ((p % w) ** 2 - Math.floor(p / w) ** 2)))));
  t.ok(worst < 1e-8, `x^2 - y^2 solved to ${worst.toExponential(1)}`);
});

t.test("Laplace fill of a hole on the border: each hole pixel is the mean of its neighbours in the image", async (t) => {
  const truth = testImage(7, 6);
  const mask = holes(7, 6, Array.from({ length: 42 }, (_, p) => (p % 7 >= 4 && Math.floor(p / 7) <= 3 ? 1 : 0)));
  const values = Float64Array.from({ length: 42 }, (_, p) => (mask.data[p] ? 0 : truth.data[3 * p]!));
  solveLaplace(values, mask, { tolerance: 1e-12 });
  let worst = 0;
  for (let p = 0; p < 42; p++) {
    if (!mask.data[p]) continue;
    const [y, x] = [Math.floor(p / 7), p % 7];
    const around = [[y - 1, x], [y + 1, x], [y, x - 1], [y, x + 1]].filter(([yy, xx]) => yy! >= 0 && yy! < 6 && xx! >= 0 && xx! < 7);
    const mean = around.reduce((a, [yy, xx]) => a + values[yy! * 7 + xx!]!, 0) / around.length;
    worst = Math.max(worst, Math.abs(values[p]! - mean));
  }
  t.ok(worst < 1e-9, `largest residual ${worst.toExponential(1)}`);
  t.throws(() => solveLaplace(Float64Array.from(values, (_, p) => (mask.data[p] ? 0 : truth.data[3 * p]!)), mask, { tolerance: 0, maxSweeps: 3 }), /no convergence to 0 within 3 sweeps/);
});

t.test("samples: centre squares and box holes fixed by the seed", async (t) => {
  // 4x2: the shorter side is already 2, so the centre 2x2 is columns 1 and 2.
  const wide = image(4, 2, Array.from({ length: 24 }, (_, i) => i));
  t.same([...centreSquare("w.png", wide, 2).data], [3, 4, 5, 6, 7, 8, 15, 16, 17, 18, 19, 20]);
  t.throws(() => centreSquare("w.png", wide, 3), /w\.png is 4x2, smaller than the 3x3 evaluation size/);
  const dir = tempDir(t);
  for (const name of ["b.png", "a.png", "c.png"]) writePng(join(dir, name), testImage(40, 36));
  const first = loadSamples(dir, 32, 2, 7);
  t.same(first.map((s) => s.file.slice(-5)), ["a.png", "b.png"], "the first --count files by path");
  t.same(loadSamples(dir, 32, 2, 7).map((s) => [...s.mask.data]), first.map((s) => [...s.mask.data]), "same seed, same holes");
  t.notSame(loadSamples(dir, 32, 2, 8).map((s) => [...s.mask.data]), first.map((s) => [...s.mask.data]), "another seed, other holes");
  t.ok(first.every((s) => s.mask.data.some((v) => v === 1)), "every sample has a hole");
  const strokes = loadSamples(dir, 32, 2, 7, "free-form");
  t.ok(strokes.every((s, i) => s.mask.data.some((v) => v === 1) && s.mask.data.join() !== first[i]!.mask.data.join()), "free-form holes on request");
  const result = await evaluate(first, null, 1);
  t.same([...result.methods.keys()], ["mean fill", "diffusion (Laplace)"], "baselines only without a generator");
  const direct = meanMetrics(first.map((s) => imageMetrics(s.truth, meanFill(s.truth, s.mask), s.mask)));
  t.same(result.methods.get("mean fill"), direct, "the mean-fill row is the mean of per-image metrics");
  t.equal(result.examples.get("mean fill")!.length, 1, "one example kept");
  t.match(formatTable(result), /^method +mean l1 +mean l2 +PSNR +TV\n-+/);
});

t.test("eval.js: table, JSON and example grid with the model beside both baselines", async (t) => {
  const device = await testDevice();
  const dir = tempDir(t);
  mkdirSync(join(dir, "data"));
  for (const name of ["x.png", "y.png", "z.png"]) writePng(join(dir, "data", name), testImage(48, 40));
  await tinyCheckpoint(device, join(dir, "run"));
  const run = runTool("eval", ["--checkpoint", join(dir, "run"), "--data", join(dir, "data"), "--size", "32", "--count", "2", "--seed", "3", "--examples", "2", "--out", join(dir, "out")]);
  t.equal(run.status, 0, run.stderr);
  const json = JSON.parse(readFileSync(join(dir, "out", "eval.json"), "utf8"));
  t.same(Object.keys(json.metrics), ["mean fill", "diffusion (Laplace)", "model"]);
  t.same([json.count, json.size, json.seed, json.checkpoint.step], [2, 32, 3, 5]);
  const samples = loadSamples(join(dir, "data"), 32, 2, 3);
  t.same(json.metrics["mean fill"], meanMetrics(samples.map((s) => imageMetrics(s.truth, meanFill(s.truth, s.mask), s.mask))), "same samples as the library");
  t.same(json.perImage.map((p: { file: string }) => p.file.slice(-5)), ["x.png", "y.png"], "per-image metrics in sample order");
  t.same(meanMetrics(json.perImage.map((p: { metrics: Record<string, Metrics> }) => p.metrics.model!)), json.metrics.model, "the model's row is the mean of its per-image metrics");
  t.match(readFileSync(join(dir, "out", "eval.txt"), "utf8"), /\nmodel +\d+\.\d\d% +\d+\.\d\d% +\d+\.\d\d dB +\d+\.\d\d%\n/);
  const grid = readRgb(join(dir, "out", "examples.png"));
  t.same([grid.width, grid.height], [5 * 32 + 6 * 2, 2 * 32 + 3 * 2], "2 rows of original, input, 3 methods");

  const missing = runTool("eval", ["--data", join(dir, "nowhere")]);
  t.equal(missing.status, 1);
  t.match(missing.stderr, /^eval: data folder .*nowhere does not exist; pass a folder of PNG or JPEG images$/);
  const badKind = runTool("eval", ["--data", join(dir, "data"), "--mask-kind", "circles"]);
  t.equal(badKind.status, 2);
  t.match(badKind.stderr, /^eval: --mask-kind takes one of box, free-form, box\+free-form, got "circles"/);
  const badSize = runTool("eval", ["--data", join(dir, "data"), "--size", "big"]);
  t.equal(badSize.status, 2);
  t.match(badSize.stderr, /^eval: --size takes an integer from 8 to 4096, got "big" \(see eval --help\)$/);
});
