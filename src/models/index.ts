/** DeepFill v1: the generator, the critics, their layers, the losses and the fused ops they need. */
export { ParameterStore, ConvLayer, DenseLayer, activate, type Activation, type ConvLayerOptions } from "./layers.js";
export { Generator, composite, type GeneratorOptions, type GeneratorOutput, type AttentionOptions } from "./generator.js";
export { Critic, localCritic, globalCritic, type CriticOptions } from "./critics.js";
export {
  borderDiscountValues, nearestKnownDiscountValues, borderDiscount, nearestKnownDiscount,
  l1Loss, aeLoss, wganCriticLoss, wganGeneratorLoss, gradientPenaltyLoss, type ReconstructionOptions,
} from "./losses.js";
export { type Box } from "./boxes.js";
export { cropBoxes, uncropBoxes } from "./ops/crop-boxes.js";
export { attentionSoftmax, NEGLIGIBLE_ATTENTION } from "./ops/attention-softmax.js";
export { diagonalSum } from "./ops/diagonal-sum.js";
export { gradientPenalty, gradientPenaltyBackward } from "./ops/gradient-penalty.js";
export { reconstructionL1, type ReconstructionL1Options } from "./ops/reconstruction-l1.js";
