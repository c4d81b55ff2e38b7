/** DeepFill v1: the generator, the critics, their layers and the losses. */
export { ParameterStore, ConvLayer, DenseLayer, activate, type Activation, type ConvLayerOptions } from "./layers.js";
export { Generator, composite, type GeneratorOptions, type GeneratorOutput, type AttentionOptions } from "./generator.js";
export { Critic, localCritic, globalCritic, type CriticOptions } from "./critics.js";
export {
  cropBoxes, borderDiscountValues, nearestKnownDiscountValues, borderDiscount, nearestKnownDiscount,
  l1Loss, aeLoss, wganCriticLoss, wganGeneratorLoss, gradientPenaltyLoss, type Box, type ReconstructionOptions,
} from "./losses.js";
