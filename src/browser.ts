/**
 * deepfill-webgpu in a browser: the library entry a page bundles (src/index.ts is Node's).
 *
 * startBrowserEngine(kernelSources) installs the browser platform (src/platform/browser.ts)
 * with the page's copy of kernels/*.wgsl (name without .wgsl -> text, read by the page's
 * bundler at build time); then createDevice() opens navigator.gpu's adapter and everything
 * below runs as in Node. Images come and go as RgbImage (interleaved 8-bit RGB: a canvas's
 * pixels without alpha); checkpoints as the bytes of the two files train.js writes.
 */
import { browserPlatform } from "./platform/browser.js";
import { installPlatform } from "./platform/platform.js";

/** Installs the browser platform; call once before createDevice(). */
export function startBrowserEngine(kernelSources: Readonly<Record<string, string>>): void {
  installPlatform(browserPlatform(kernelSources));
}

export { NoAdapterError, NoSuchAdapterError } from "./platform/platform.js";
// The engine: device, tensors, ops, autograd, models.
export { createDevice, Device, type DeviceOptions, type MemoryStats, type AdapterSummary } from "./tensor/device.js";
export { WebGpuError } from "./tensor/gpu-error.js";
export type { KernelTime } from "./tensor/profiler.js";
export { Tensor } from "./tensor/tensor.js";
export { tidy, keep } from "./tensor/scope.js";
export type { Shape } from "./tensor/shape.js";
export * from "./autograd/index.js";
export * from "./autograd/ops/index.js";
export * from "./models/index.js";
// Images and inpainting of any size, by regions.
export { floatToRgb, rgbToFloat, type RgbImage, type FloatImage } from "./io/rgb-image.js";
export { flowColors, flowColour, flowPicture } from "./io/flow.js";
export { inpaint, maskFromRgb, checkMask, flowImage, paddedSide, SIZE_MULTIPLE, type HoleMask, type InpaintResult } from "./infer/inpaint-image.js";
export { inpaintRegions, type RegionOptions, type RegionsResult } from "./infer/inpaint-regions.js";
export { planRegions, holeBoxes, type Box, type Region } from "./infer/regions.js";
export { checkWorkingSize, largestFittingSide } from "./infer/memory-check.js";
export { generatorFromCheckpoint, readGeneratorCheckpoint, type LoadedGenerator, type LoadGeneratorOptions } from "./infer/generator-checkpoint.js";
// Training: the Trainer, its configuration, its kernels, data and masks, and its checkpoint as bytes.
export { Trainer, readLosses, CRITIC_LOSSES, GENERATOR_LOSSES, WARMUP_LOSSES, type Losses, type RandomStates } from "./train/trainer.js";
export { PRESETS, TRAINING_DEFAULTS, makeConfig, presetForAdapter, resumeConfig, type TrainConfig, type PresetName } from "./train/config.js";
export { encodeTrainer, restoreTrainer, trainerCheckpoint, trainerTensors } from "./train/trainer-state.js";
export { chooseTrainingKernels, type KernelPlan, type KernelRecord } from "./train/kernel-choices.js";
export { sampleGrid, type SampleOptions } from "./train/sample-grid.js";
export { ImageDataset, type DatasetOptions, type NamedImage, type ScaleMode } from "./data/dataset.js";
export { MASK_KINDS, sampleMask, sampleMasks, maskTensor, type MaskKind, type MaskBatch, type MaskOptions } from "./data/masks.js";
export { Rng, type RngState } from "./data/rng.js";
export {
  encodeCheckpoint, readCheckpointBytes, checkTensorsMatch, assignTensors, NonFiniteTensorError,
  type CheckpointBytes, type CheckpointContents, type LoadedCheckpoint,
} from "./checkpoint/checkpoint-bytes.js";
