/**
 * deepfill-webgpu: a tensor and autograd engine on WebGPU.
 *
 * createDevice() opens a GPU; device.tensor() uploads data; the ops below build tensors and,
 * for tensors marked with requireGrad(), a graph that grad() differentiates (twice with
 * createGraph). tidy() and keep() bound memory; device.memory() reports it.
 *
 * This is the package's Node entry: importing it installs the Node platform (the Dawn
 * binding, kernels/ read from disk). A page imports src/browser.ts instead.
 */
import { installNodePlatform } from "./platform/node.js";

installNodePlatform();

export { createDevice, Device, SETUP_HINT, type DeviceOptions, type MemoryStats, type AdapterSummary } from "./tensor/device.js";
export { WebGpuError } from "./tensor/gpu-error.js";
export type { KernelTime } from "./tensor/profiler.js";
export { Tensor } from "./tensor/tensor.js";
export { tidy, keep } from "./tensor/scope.js";
export type { Shape } from "./tensor/shape.js";
export * from "./autograd/index.js";
export * from "./autograd/ops/index.js";
export { contextualAttention, contextualAttentionOutput, type ContextualAttentionOptions, type ContextualAttentionResult } from "./models/contextual-attention.js";
export { flowColors, flowColour, flowPicture } from "./io/flow.js";
export { writeFlowPng } from "./io/flow-png.js";
export * from "./models/index.js";
