/**
 * The sample grid of a training run (written by loop.ts every --sample-every iterations, shown
 * by the page's Train tab): one row per image, five columns: the input with its
 * hole shown white, the coarse output, the refined output pasted into the hole, the attention
 * flow (colour-coded, upscaled to the image size) and the ground truth.
 *
 * The images come from a stream of their own (seeded from the run's seed), drawn afresh with
 * the same state each time, so every grid of a run shows the same images and masks and the
 * training streams are untouched (resume stays exact).
 */
import { noGrad } from "../autograd/graph.js";
import { affine, add, mul } from "../autograd/ops/elementwise.js";
import { floatToRgb, type RgbImage } from "../io/rgb-image.js";
import { tileImages, upscale } from "../io/picture.js";
import { composite, type Generator } from "../models/generator.js";
import { flowColors } from "../io/flow.js";
import type { Device } from "../tensor/device.js";
import { tidy } from "../tensor/scope.js";
import type { ImageDataset } from "../data/dataset.js";
import { maskTensor, sampleMasks, type MaskKind } from "../data/masks.js";
import { Rng } from "../data/rng.js";

/** Gap between cells, in pixels, and its grey level. */
const GAP = 2;
const GAP_GREY = 128;
/** Rows in a grid at most (the batch is smaller when training with fewer). */
const MAX_ROWS = 4;
/** The sample stream's number beside the run's seed (the training streams use 1-3). */
const SAMPLE_STREAM = 4;

export interface SampleOptions {
  seed: number;
  rows: number;
  mask: MaskKind;
}

/** Runs the generator on the fixed sample batch and draws the grid. */
export async function sampleGrid(device: Device, generator: Generator, dataset: ImageDataset, options: SampleOptions): Promise<RgbImage> {
  const rows = Math.min(MAX_ROWS, options.rows);
  const { height, width } = dataset;
  const rng = Rng.fromSeed(options.seed, SAMPLE_STREAM);
  const image = dataset.batchArray(rng, rows);
  const masks = sampleMasks(rng, { batch: rows, height, width, kind: options.mask });
  const outputs = tidy(() => noGrad(() => {
    const x = device.tensor(image, [rows, 3, height, width]);
    const m = maskTensor(device, masks);
    const { coarse, refined, offsets } = generator.forward(x, m);
    // The input as the network sees it, with the hole painted white (1) to show it.
    const holed = add(mul(x, affine(m, -1, 1)), m);
    return { holed, coarse, complete: composite(x, refined, m), offsets };
  }));
  const [holed, coarse, complete, offsets] = await Promise.all([outputs.holed, outputs.coarse, outputs.complete, outputs.offsets].map((t) => t.read()));
  const offsetShape = outputs.offsets.shape as unknown as [number, number, number, number];
  for (const t of Object.values(outputs)) t.dispose();
  const flows = flowColors(offsets!, offsetShape);
  const plane = 3 * height * width;
  const picture = (planar: Float32Array, r: number) => floatToRgb({ width, height, data: planar.subarray(r * plane, (r + 1) * plane) });
  const grid = Array.from({ length: rows }, (_, r) => [
    picture(holed!, r), picture(coarse!, r), picture(complete!, r), upscale(flows[r]!, height / flows[r]!.height), picture(image, r),
  ]);
  return tileImages(grid, { gap: GAP, background: GAP_GREY });
}
