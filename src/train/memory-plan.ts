/**
 * The GPU memory a training run needs, planned before its first iteration: the parameters,
 * their gradients and Adam's two moments (exact, from the networks' parameter shapes), the
 * activations one iteration holds (an estimate, walked over the layer lists), and the
 * contextual-attention scores of one chunk (attention/chunks.ts). A buffer larger than the
 * adapter's storage binding is an error WebGPU reports only from inside the first step, so
 * the run is refused up front with the batch (or the size) that fits.
 *
 * The iteration's peak is the larger of its two kinds of step (trainer.ts):
 * - the generator step records the generator's pass (each convolution keeps its activated
 *   output for the backward pass, an x2 resize its resized map, the attention its
 *   patches and every chunk's scores) and both critics' passes over the batch;
 * - a critic step runs both critics over real and fake together (2B images), then the
 *   gradient penalty's critic pass over B images, its input gradient (recorded, for the
 *   double backward) and the backward through both, counted as three recorded passes.
 */
import { chunkRows } from "../models/attention/chunks.js";
import { largestBinding, type BindingLimits } from "../tensor/limits.js";
import type { Critic } from "../models/critics.js";
import type { Generator } from "../models/generator.js";
import type { ConvLayer } from "../models/layers.js";
import type { Tensor } from "../tensor/tensor.js";
import { bboxSize } from "../data/masks.js";

/**
 * The pool's slack and the backward pass's transients over the walk (gradient maps, the
 * elementwise temporaries, buffers freed in an open batch that are reused only after it is
 * submitted, small tensors rounded up to the pool's size classes): one iteration's growth of
 * the pool, less the parameters' gradients, measured 2.6 to 3.8 times the walk (lavapipe,
 * since the layers' activations became the convolutions' epilogue; 32x32 batch 1 widths 4/8
 * the most, 48x48 batch 2 widths 4/8 the least; the ratio falls as the maps grow, and larger
 * runs were not measured, so there the estimate is likely higher still).
 * test/memory-plan.test.ts checks the estimate stays above the measurement.
 */
const ACTIVATION_MARGIN = 4.2;

/** The networks a run trains. */
export interface Networks {
  generator: Generator;
  globalCritic: Critic;
  localCritic: Critic;
}

/** Bytes, per part; the exact parts are unrounded element counts times 4. */
export interface MemoryPlan {
  parameters: number;
  gradients: number;
  /** Adam's first and second moments. */
  adam: number;
  /** Estimated peak of one iteration's activations and temporaries (ACTIVATION_MARGIN included). */
  activations: number;
  /** The score-sized tensor one chunk of contextual attention holds. */
  scoresPerChunk: number;
  /** The largest single buffer of an iteration, and what it is. */
  largestBuffer: number;
  largestWhat: string;
}

export interface RunShape {
  batch: number;
  height: number;
  width: number;
}

const MIB = 2 ** 20;

const mib = (bytes: number) => (bytes / MIB < 10 ? String(Number((bytes / MIB).toPrecision(2))) : (bytes / MIB).toFixed(0));

const parameterBytes = (params: ReadonlyMap<string, Tensor>) => [...params.values()].reduce((a, p) => a + p.size * 4, 0);

/** Per-image floats a recorded pass keeps, and the largest single map (per image) with its name. */
class Walk {
  kept = 0;
  largest = 0;
  largestWhat = "";

  /** One buffer of `floats`; `copies` of it when several tensors of that size are kept. */
  keep(floats: number, what: string, copies = 1): void {
    this.kept += copies * floats;
    if (floats > this.largest) [this.largest, this.largestWhat] = [floats, what];
  }

  /** A convolution stack recorded for backward: each layer's output (its activation is the kernel's epilogue), an x2 resize's map. */
  stack(layers: readonly ConvLayer[], [h, w]: [number, number], cin: number, network = ""): [number, number, number] {
    for (const layer of layers) {
      const [cout, layerCin] = layer.weight.shape as [number, number];
      if (layerCin !== cin) throw new Error(`memoryPlan: ${layer.name} reads ${layerCin} channels, the walk has ${cin}`);
      if (layer.name.endsWith("_upsample")) {
        [h, w] = [2 * h, 2 * w];
        this.keep(cin * h * w, `the x2 resize before ${network}${layer.name} (${cin}x${h}x${w})`);
      }
      [h, w] = [Math.ceil(h / layer.stride), Math.ceil(w / layer.stride)];
      this.keep(cout * h * w, `the output of ${network}${layer.name} (${cout}x${h}x${w})`);
      cin = cout;
    }
    return [cin, h, w];
  }
}

/** The generator's recorded pass on one image. */
function generatorWalk(generator: Generator, height: number, width: number): Walk {
  const walk = new Walk();
  const plane = height * width;
  const s = generator.stages;
  // The image, the mask and their guides, the coarse and refined outputs and the composites: 33 planes, the widest the 5-channel inputs.
  walk.keep(5 * plane, "the generator's 5-channel input", 33 / 5);
  const [encoded, h4, w4] = walk.stack(s.coarseEncoder, [height, width], 5);
  walk.stack(s.coarseDecoder, [h4, w4], encoded);
  const [hallucinated] = walk.stack(s.hallucination, [height, width], 5);
  const [features] = walk.stack(s.attentionEncoder, [height, width], 5);
  const patches = (height / 8) * (width / 8);
  walk.keep(features * 16 * patches, `the attention's 4x4 patches (${features * 16}x${patches})`);
  walk.keep(features * 9 * patches, "the attention's 3x3 matching patches", 3);
  // Each chunk leaves its attention with the graph (its raw and fused scores are released), a separate buffer per chunk.
  walk.kept += patches * patches;
  walk.keep(features * (plane / 16), "the attention's output", 2);
  const [attended] = walk.stack(s.attentionDecoder, [height / 4, width / 4], features);
  walk.keep((hallucinated + attended) * (plane / 16), "the refinement decoder's input");
  walk.stack(s.decoder, [height / 4, width / 4], hallucinated + attended);
  return walk;
}

/** Both critics' recorded passes on one image (the global on the image, the local on the hole's box). */
function criticsWalk(networks: Networks, height: number, width: number): Walk {
  const walk = new Walk();
  const box = bboxSize(height, width);
  for (const [critic, h, w] of [[networks.globalCritic, height, width], [networks.localCritic, box.height, box.width]] as const) {
    walk.keep(3 * h * w, `the ${critic.name}'s input`);
    const [c, hc, wc] = walk.stack(critic.convs, [h, w], critic.inputChannels, `${critic.name}.`);
    walk.keep(c * hc * wc, `the ${critic.name}'s flattened map`);
  }
  return walk;
}

/**
 * The plan of one run at `shape`. The networks give the parameters and layer lists; the
 * critics may be built for another size than `shape` (the walk only reads their channels),
 * so sizes other than the run's can be tried with the same networks.
 */
export function memoryPlan(networks: Networks, shape: RunShape, limits: BindingLimits): MemoryPlan {
  const { batch: b, height, width } = shape;
  const parameters = parameterBytes(networks.generator.parameters) + parameterBytes(networks.globalCritic.parameters) + parameterBytes(networks.localCritic.parameters);
  const g = generatorWalk(networks.generator, height, width);
  const d = criticsWalk(networks, height, width);
  const generatorStep = b * (g.kept + d.kept);
  const criticStep = (2 + 3) * b * d.kept; // critics over real and fake, then the penalty's three passes
  const activations = Math.ceil(Math.max(generatorStep, criticStep) * 4 * ACTIVATION_MARGIN);

  const [h8, w8] = [height / 8, width / 8];
  const halo = ((networks.generator.attention.fuseK ?? 3) - 1) / 2;
  const geometry = { batch: b, height: h8, width: w8, patches: h8 * w8, halo };
  const binding = largestBinding(limits);
  const rowBytes = b * w8 * h8 * w8 * 4;
  // chunkRows refuses a single row over the binding; here that row is the largest buffer, reported as such.
  const rows = (1 + 2 * halo) * rowBytes > binding ? 1 : chunkRows({ limits: limits as GPUSupportedLimits }, geometry, networks.generator.attention.chunkSize ?? "auto");
  const scoresPerChunk = (Math.min(rows, h8) + 2 * halo) * rowBytes;

  // The critics see 2B images at once (real and fake together).
  const candidates: [number, string][] = [
    [b * g.largest * 4, g.largestWhat],
    [2 * b * d.largest * 4, d.largestWhat],
    [scoresPerChunk, "one chunk of attention scores"],
  ];
  const [largestBuffer, largestWhat] = candidates.reduce((a, c) => (c[0] > a[0] ? c : a));
  return { parameters, gradients: parameters, adam: 2 * parameters, activations, scoresPerChunk, largestBuffer, largestWhat };
}

/** The plan in two lines, for the start of a run. */
export function describePlan(plan: MemoryPlan, limits: BindingLimits): string {
  const total = plan.parameters + plan.gradients + plan.adam + plan.activations;
  return `memory plan: parameters ${mib(plan.parameters)} MiB, gradients ${mib(plan.gradients)} MiB, Adam state ${mib(plan.adam)} MiB, ` +
    `activations ~${mib(plan.activations)} MiB (total ~${mib(total)} MiB), attention scores ${mib(plan.scoresPerChunk)} MiB per chunk\n` +
    `largest buffer ${mib(plan.largestBuffer)} MiB, ${plan.largestWhat} (the adapter's binding limit: ${mib(largestBinding(limits))} MiB)`;
}

/** The largest buffer of a run at `shape` fits one storage binding of the adapter. */
function fits(networks: Networks, shape: RunShape, limits: BindingLimits): boolean {
  return memoryPlan(networks, shape, limits).largestBuffer <= largestBinding(limits);
}

/**
 * Throws one line when a buffer of the run at `shape` exceeds the adapter's storage binding,
 * naming the largest --batch that fits (or, when not even one image does, the largest square
 * --size at batch 1). `resumed`: the batch and size are the checkpoint's, so the fix is a new run.
 */
export function checkMemoryPlan(networks: Networks, shape: RunShape, limits: BindingLimits, resumed = false): void {
  const plan = memoryPlan(networks, shape, limits);
  const binding = largestBinding(limits);
  if (plan.largestBuffer <= binding) return;
  let batch = shape.batch - 1;
  while (batch >= 1 && !fits(networks, { ...shape, batch }, limits)) batch--;
  let side = 8 * Math.floor(Math.min(shape.height, shape.width) / 8);
  if (batch === 0) while (side >= 16 && !fits(networks, { batch: 1, height: side, width: side }, limits)) side -= 8;
  const flag = batch >= 1 ? `--batch ${batch}` : side >= 16 ? `--batch 1 --size ${side}` : null;
  const fix = flag === null ? "no batch or size fits this adapter" : resumed ? `start a new run with ${flag} (a resumed run keeps its checkpoint's batch and size)` : `pass ${flag} to fit`;
  throw new Error(`a ${shape.height}x${shape.width} batch of ${shape.batch} needs a ${mib(plan.largestBuffer)} MiB buffer (${plan.largestWhat}), ` +
    `over the adapter's ${mib(binding)} MiB storage binding; ${fix}`);
}
