export {
  full, zeros, ones, zerosLike, onesLike,
  add, sub, mul, div, pow, maximum, minimum, greater, greaterEqual, equal, where, lerp,
  neg, affine, addScalar, mulScalar, exp, log, sqrt, square, abs, powScalar,
  relu, leakyRelu, elu, activation, clip, sign, step, type ActivationFunction,
} from "./elementwise.js";
export { detach, reshape, broadcastTo, permute, transpose, slice, flip, pad, concat, type PadMode } from "./layout.js";
export { sum, mean, max, argmax, sumToShape } from "./reduce.js";
export { softmax } from "./softmax.js";
export { matmul, tuneMatmul, defaultMatmulKernel, MATMUL_KERNELS, type MatmulKernel, type MatmulOptions } from "./matmul.js";
export { unfold, fold, type PatchOptions } from "./patches.js";
export { resizeNearest, resizeNearestBackward, type ResizeOptions } from "./resize.js";
export { randomUniform, randomNormal, glorotUniform, glorotFans, type UniformOptions, type NormalOptions } from "./random.js";
export { conv2d, conv2dBackwardInput, conv2dBackwardFilter, convTranspose2d, samePadding, type ConvDirection, type ConvKernel, type ConvOptions, type ConvParams, type ConvVariant } from "./conv.js";
export { tuneConv } from "./conv-tune.js";
export { recordTunables, type TunableShape } from "./tunable-shapes.js";
export { tuneShape, tuneShapes, type TuneSummary } from "./tune-shapes.js";
export { adamUpdate, checkAdamSlot, type AdamSlot, type AdamStep } from "./adam-update.js";
