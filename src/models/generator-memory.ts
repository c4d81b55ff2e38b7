/**
 * How much GPU memory one inference pass of the generator (generator.ts, no gradients, batch 1)
 * needs at a given size, found by walking its layers the way forward() allocates: what stays
 * alive until the pass ends (the inputs, each stage's output, the composites between them),
 * the two maps a convolution stack holds at a time (three across an x2 resize), and the
 * contextual-attention layer's patches and score chunks (attention/chunks.ts sizes those).
 * Every buffer is rounded up to the pool's size classes. A pass run in a fresh scope cannot
 * hold more than this plus the pool's slack (buffers freed in the open batch are reused only
 * after it is submitted), so callers leave a margin: INFERENCE_MARGIN.
 */
import { largestBinding, type BindingLimits } from "../tensor/limits.js";
import { sizeClass } from "../tensor/pool.js";
import { chunkRows } from "./attention/chunks.js";
import type { ConvLayer } from "./layers.js";
import type { Generator } from "./generator.js";

/**
 * The pool's slack over the live peak: the buffers a pass allocated were 1.06 to 2.25 times
 * the walk's peak (cnum 4, 8 and 16, 16x16 to 512x384; a buffer freed while its batch is
 * open is reused only after the submit); test/generator-memory.test.ts checks the estimate
 * stays above the measured allocation.
 */
export const INFERENCE_MARGIN = 3;

export interface InferenceFootprint {
  /** Bytes of GPU buffers the pass allocates at its peak, parameters included, with INFERENCE_MARGIN. */
  bytes: number;
  /** The largest single buffer (it must fit one storage binding). */
  largestBuffer: number;
}

/** The footprint of generator.forward on one height x width image (multiples of 8). */
export function inferenceFootprint(generator: Generator, height: number, width: number, limits: BindingLimits): InferenceFootprint {
  const plane = height * width;
  let live = 0;
  let peak = 0;
  let largestBuffer = 0;
  const buffer = (floats: number) => {
    largestBuffer = Math.max(largestBuffer, floats * 4);
    return sizeClass(floats * 4);
  };
  /** Allocations that stay until the pass ends. */
  const keep = (...floats: number[]) => {
    for (const f of floats) live += buffer(f);
    peak = Math.max(peak, live);
  };
  /** A moment at which `floats` are alive on top of what is kept. */
  const moment = (...floats: number[]) => {
    peak = Math.max(peak, live + floats.reduce((a, f) => a + buffer(f), 0));
  };
  const stack = (layers: readonly ConvLayer[], [h, w]: [number, number], cin: number): [number, number, number] => {
    let current = 0; // the map the next layer reads, when it is not the stack's (kept) input
    for (const layer of layers) {
      const [cout, layerCin] = layer.weight.shape as [number, number];
      if (layerCin !== cin) throw new Error(`inferenceFootprint: ${layer.name} reads ${layerCin} channels, the walk has ${cin}`);
      if (layer.name.endsWith("_upsample")) {
        [h, w] = [2 * h, 2 * w];
        moment(current, cin * h * w);
        current = cin * h * w;
      }
      [h, w] = [Math.ceil(h / layer.stride), Math.ceil(w / layer.stride)];
      moment(current, cout * h * w, cout * h * w); // input, the convolution, its activation
      current = cout * h * w;
      cin = cout;
    }
    keep(current);
    return [cin, h, w];
  };

  const parameters = [...generator.parameters.values()].reduce((a, p) => a + sizeClass(p.size * 4), 0);
  const stages = generator.stages;
  keep(3 * plane, plane); // image, mask
  keep(plane, 3 * plane, plane, 5 * plane); // 1 - mask, the blanked image, ones, the 5-channel input
  const [encoded, h4, w4] = stack(stages.coarseEncoder, [height, width], 5);
  stack(stages.coarseDecoder, [h4, w4], encoded);
  keep(3 * plane); // clipped coarse output
  keep(3 * plane, plane, 3 * plane, 3 * plane, plane, 5 * plane); // the composite and the refinement's input
  const [hallucinated] = stack(stages.hallucination, [height, width], 5);
  const [features] = stack(stages.attentionEncoder, [height, width], 5);
  keep(plane / 16); // the mask at 1/4
  // Contextual attention at rate 2 on the 1/4 map: 4x4 raw patches and 3x3 matching patches of the 1/8 map.
  const [h, w] = [height / 8, width / 8];
  const patches = h * w;
  const halo = ((generator.attention.fuseK ?? 3) - 1) / 2;
  // One row over the binding is what chunkRows refuses; here it is a buffer too large, reported as such.
  const oneRowOver = (1 + 2 * halo) * w * patches * 4 > largestBinding(limits);
  const rows = oneRowOver ? 1 : chunkRows({ limits: limits as GPUSupportedLimits }, { batch: 1, height: h, width: w, patches, halo }, generator.attention.chunkSize ?? "auto");
  const chunkScores = (rows + 2 * halo) * w * patches;
  const raw = features * 16 * patches;
  const matching = features * 9 * patches;
  moment(raw, features * patches, matching, matching, matching, features * patches, matching, ...Array(4).fill(chunkScores), raw, raw, (features * plane) / 16);
  keep((features * plane) / 16, 2 * patches); // the pasted map, the offsets
  const [attended] = stack(stages.attentionDecoder, [height / 4, width / 4], features);
  keep(((hallucinated + attended) * plane) / 16);
  stack(stages.decoder, [height / 4, width / 4], hallucinated + attended);
  keep(3 * plane);
  return { bytes: Math.ceil((peak + parameters) * INFERENCE_MARGIN), largestBuffer };
}
