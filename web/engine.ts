/**
 * The engine as the page uses it, the one file of web/ that imports the library (its browser
 * entry, src/browser.ts): opening the GPU with the bundled kernels, loading a generator from a
 * checkpoint's bytes, filling holes region by region, and a training run on decoded images.
 */
import kernels from "kernels:wgsl";
import {
  checkWorkingSize, chooseTrainingKernels, createDevice, encodeTrainer, inpaintRegions, largestFittingSide, makeConfig, readGeneratorCheckpoint, readLosses, sampleGrid, startBrowserEngine,
  Trainer, ImageDataset, noGrad, tidy,
  type CheckpointBytes, type Device, type Generator, type HoleMask, type KernelPlan, type Losses, type RgbImage, type TrainConfig,
} from "../src/browser";

export type { Device, HoleMask, Losses, RgbImage };
export { maskFromRgb } from "../src/browser";

/** GPU memory one region may take: inpaint.js's default budget (--memory-budget 2). */
const MEMORY_BUDGET_BYTES = 2 * 2 ** 30;
/** The region size for a checkpoint that does not say its training size (inpaint.js's default). */
const DEFAULT_WORK_SIZE = 256;

/** Opens the GPU the browser offers, with the kernels bundled into the page. */
export async function openDevice(): Promise<Device> {
  startBrowserEngine(kernels);
  return createDevice();
}

export interface LoadedModel {
  generator: Generator;
  step: number;
  cnum: number;
  /** The longest side a region runs at: the size the checkpoint was trained at. */
  workSize: number;
  label: string;
  dispose(): void;
}

/** A generator from a checkpoint's two files; one-line errors for anything that is not one. */
export async function loadModel(device: Device, tensors: Uint8Array, sidecar: string, label: string): Promise<LoadedModel> {
  try {
    JSON.parse(sidecar);
  } catch {
    throw new Error(`${label}: the .json is not JSON, so not a checkpoint's sidecar; open the pair train.js writes (step-*.json with its .safetensors)`);
  }
  let loaded;
  try {
    loaded = await readGeneratorCheckpoint(device, tensors, sidecar);
  } catch (error) {
    throw new Error(`${label}: ${(error as Error).message}`);
  }
  return { ...loaded, workSize: loaded.trainedSize ?? DEFAULT_WORK_SIZE, label, dispose: () => loaded.generator.dispose() };
}

export interface Filled {
  input: RgbImage;
  coarse: RgbImage;
  refined: RgbImage;
  flow: RgbImage;
}

/** Fills the holes as inpaint.js does (regions at up to the training size), refusing up front a size the adapter cannot take. */
export async function fill(model: LoadedModel, image: RgbImage, mask: HoleMask, onRegion: (index: number, count: number) => void): Promise<Filled> {
  const device = model.generator.store.device;
  // Regions are at most workSize on a side, and a smaller image makes smaller ones.
  const [width, height] = [Math.min(image.width, model.workSize), Math.min(image.height, model.workSize)];
  try {
    checkWorkingSize(model.generator, width, height, device.limits, MEMORY_BUDGET_BYTES);
  } catch {
    // checkWorkingSize words its fix for inpaint.js's flags; a page's user can only change the image.
    const fits = largestFittingSide(model.generator, device.limits, MEMORY_BUDGET_BYTES, Math.max(width, height));
    throw new Error(fits === 0
      ? `this GPU's limits are too small for any region of this width-${model.cnum} generator; use a smaller checkpoint or another browser or GPU`
      : `this GPU's limits are too small for a ${width}×${height} region of this width-${model.cnum} generator; the largest that fits is ${fits}×${fits}: open an image (or a crop) no larger than that`);
  }
  const result = await inpaintRegions(model.generator, image, mask, { workSize: model.workSize, flow: true, onRegion: (_, index, count) => onRegion(index, count) });
  const input = { width: image.width, height: image.height, data: new Uint8Array(image.data) };
  for (let p = 0; p < mask.data.length; p++) if (mask.data[p]) input.data.fill(255, 3 * p, 3 * p + 3);
  return { input, coarse: result.coarse, refined: result.image, flow: result.flow! };
}

/** The generator on raw inputs (x in [-1, 1], planar [1, 3, H, W]; mask [1, 1, H, W]): what the page's hook compares with Node. */
export async function forward(model: LoadedModel, x: Float32Array, mask: Float32Array, height: number, width: number): Promise<{ coarse: Float32Array; refined: Float32Array }> {
  const device = model.generator.store.device;
  const out = tidy(() => noGrad(() => model.generator.forward(device.tensor(x, [1, 3, height, width]), device.tensor(mask, [1, 1, height, width]))));
  try {
    return { coarse: await out.coarse.read(), refined: await out.refined.read() };
  } finally {
    for (const t of [out.coarse, out.refined, out.offsets]) t.dispose();
  }
}

/** What a page may change of the tiny preset (the hook's tests run smaller and shorter). */
export type TrainOverrides = Partial<Pick<TrainConfig, "height" | "width" | "batch" | "cnum" | "criticCnum" | "seed">>;

/**
 * A training run on images decoded in the page, one operation at a time. Its kernels are
 * settled as train.js settles them: tuned for the run's shapes (the winners kept in the
 * browser's localStorage) and pinned on the device (the Inpaint tab's too), or the ops'
 * defaults without `tune`; its checkpoints record them in the `kernels` field train.js's have.
 */
export class TrainingRun {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(readonly trainer: Trainer, readonly dataset: ImageDataset, readonly kernels: KernelPlan) {}

  static async create(device: Device, faces: readonly RgbImage[], overrides: TrainOverrides, options: { tune: boolean }): Promise<TrainingRun> {
    const config = makeConfig("tiny", overrides);
    const dataset = ImageDataset.fromImages(faces.map((image, i) => ({ name: `face ${i}`, image })), { height: config.height, width: config.width }, "the default faces");
    const trainer = new Trainer(device, config, dataset);
    try {
      const kernels = await chooseTrainingKernels(device, config, dataset, { noTune: !options.tune, resumed: null });
      trainer.kernels = kernels.record;
      return new TrainingRun(trainer, dataset, kernels);
    } catch (error) {
      trainer.dispose();
      throw error;
    }
  }

  get iteration(): number {
    return this.trainer.iteration;
  }

  /** Runs `task` after every operation queued before it (a save never lands inside a step). */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** One iteration, waiting for the GPU; its losses when asked for. */
  async step(withLosses: boolean): Promise<Losses | null> {
    const result = this.trainer.step(withLosses);
    if (result) return readLosses(result);
    await this.trainer.device.sync();
    return null;
  }

  sampleGrid(): Promise<RgbImage> {
    const { config } = this.trainer;
    return sampleGrid(this.trainer.device, this.trainer.generator, this.dataset, { seed: config.seed, rows: config.batch, mask: config.mask });
  }

  /** The checkpoint train.js would write now: { safetensors, json } and its base name. */
  checkpoint(): Promise<CheckpointBytes> {
    return encodeTrainer(this.trainer);
  }

  dispose(): void {
    this.trainer.dispose();
  }
}
