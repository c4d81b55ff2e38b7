/**
 * Evaluation over a folder of images: each image is shrunk (area averaging) so its shorter side
 * is `size`, centre-cropped to size x size, and given a hole from the training masks
 * (sampleMasks; box holes by default, the paper's Table 1) drawn from a fixed seed, so every method and every run sees the
 * same images and holes. Methods: the two baselines (baselines.ts) and, when given, a
 * generator. Metrics: metrics.ts.
 */
import type { RgbImage } from "../io/rgb-image.js";
import { readRgb } from "../io/image.js";
import { downscaleArea } from "../io/resize.js";
import type { Generator } from "../models/generator.js";
import { listImages } from "../data/image-folder.js";
import { sampleMasks, type MaskKind } from "../data/masks.js";
import { Rng } from "../data/rng.js";
import { laplaceFill, meanFill } from "./baselines.js";
import { inpaint, type HoleMask } from "./inpaint-image.js";
import { imageMetrics, meanMetrics, totalVariation, type Metrics } from "./metrics.js";

export interface EvalSample {
  file: string;
  truth: RgbImage;
  mask: HoleMask;
}

export interface EvalResult {
  /** Mean metrics per method, in the order run: "mean fill", "diffusion (Laplace)", then "model". */
  methods: Map<string, Metrics>;
  /** The ground truth's TV, what a method's TV is to be compared with. */
  truthTv: number;
  /** The completed images of the first `keepExamples` samples, per method. */
  examples: Map<string, RgbImage[]>;
  /** Every image's metrics per method, in sample order (for eval.json). */
  perImage: { file: string; metrics: Record<string, Metrics> }[];
}

/** The shorter side shrunk to `size`, then the centre size x size square. */
export function centreSquare(file: string, image: RgbImage, size: number): RgbImage {
  if (image.width < size || image.height < size) {
    throw new Error(`${file} is ${image.width}x${image.height}, smaller than the ${size}x${size} evaluation size; remove it or pass a smaller --size`);
  }
  const scale = size / Math.min(image.width, image.height);
  const [w, h] = [Math.max(size, Math.round(image.width * scale)), Math.max(size, Math.round(image.height * scale))];
  const shrunk = w === image.width && h === image.height ? image : downscaleArea(image, h, w);
  const [top, left] = [Math.floor((h - size) / 2), Math.floor((w - size) / 2)];
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) data.set(shrunk.data.subarray(((top + y) * w + left) * 3, ((top + y) * w + left + size) * 3), y * size * 3);
  return { width: size, height: size, data };
}

/** The first `count` images of `folder` (sorted by path) at size x size, each with its seeded hole (box by default, as the paper's table). */
export function loadSamples(folder: string, size: number, count: number, seed: number, kind: MaskKind = "box"): EvalSample[] {
  const files = listImages(folder).slice(0, count);
  const masks = sampleMasks(Rng.fromSeed(seed), { batch: files.length, height: size, width: size, kind });
  const plane = size * size;
  return files.map((file, i) => ({
    file,
    truth: centreSquare(file, readRgb(file), size),
    mask: { width: size, height: size, data: Uint8Array.from(masks.data.subarray(i * plane, (i + 1) * plane)) },
  }));
}

type Method = (sample: EvalSample) => Promise<RgbImage>;

/** Runs the baselines (and the generator, if any) on every sample; keeps the first `keepExamples` outputs. */
export async function evaluate(samples: readonly EvalSample[], generator: Generator | null, keepExamples = 0, onImage?: (done: number) => void): Promise<EvalResult> {
  const methods = new Map<string, Method>([
    ["mean fill", async (s) => meanFill(s.truth, s.mask)],
    ["diffusion (Laplace)", async (s) => laplaceFill(s.truth, s.mask).image],
  ]);
  if (generator) methods.set("model", async (s) => (await inpaint(generator, s.truth, s.mask)).image);
  const scores = new Map<string, Metrics[]>([...methods.keys()].map((name) => [name, []]));
  const examples = new Map<string, RgbImage[]>([...methods.keys()].map((name) => [name, []]));
  const perImage: EvalResult["perImage"] = [];
  for (const [i, sample] of samples.entries()) {
    const metrics: Record<string, Metrics> = {};
    for (const [name, method] of methods) {
      const completed = await method(sample);
      metrics[name] = imageMetrics(sample.truth, completed, sample.mask);
      scores.get(name)!.push(metrics[name]!);
      if (i < keepExamples) examples.get(name)!.push(completed);
    }
    perImage.push({ file: sample.file, metrics });
    onImage?.(i + 1);
  }
  return {
    methods: new Map([...scores].map(([name, list]) => [name, meanMetrics(list)])),
    truthTv: samples.reduce((a, s) => a + totalVariation(s.truth), 0) / samples.length,
    examples,
    perImage,
  };
}

/** The results as a fixed-width text table (l1, l2 and TV in percent, PSNR in dB). */
export function formatTable(result: EvalResult): string {
  const rows = [["method", "mean l1", "mean l2", "PSNR", "TV"]];
  const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
  for (const [name, m] of result.methods) rows.push([name, pct(m.l1), pct(m.l2), `${m.psnr.toFixed(2)} dB`, pct(m.tv)]);
  rows.push(["ground truth", "", "", "", pct(result.truthTv)]);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ").trimEnd();
  return [line(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}
