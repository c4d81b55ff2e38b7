/**
 * Contextual attention cases: the fused attention softmax on a 1024 x 1024 score block
 * (the 256^2 model's one image), forward and backward, and for comparison the chain of
 * generic ops it replaces; the whole layer at the model's
 * sizes, 256^2 input (64 x 64 x 128 maps, 1024 patches) and 512^2 (128 x 128 x 128, 4096
 * patches, marked slow), forward alone and forward plus backward to f = b.
 *
 * Peak memory goes in the note: the pool is trimmed, one run made, and the bytes the pool
 * then holds (in use plus released) counted, which is the most the run ever had allocated.
 */
import {
  attentionSoftmax, contextualAttention, detach, grad, mul, mulScalar, requireGrad, softmax, sum, tidy,
} from "../../src/index.js";
import { peakMiB, register, sineValues, type Prepared } from "../harness.js";

const PATCHES = 1024;

for (const direction of ["forward", "backward"] as const) {
  register({
    name: `attention softmax 1024x1024 ${direction}`,
    prepare: (device): Prepared => {
      const s = device.tensor(sineValues(PATCHES * PATCHES, 1, 0.3), [1, PATCHES, PATCHES]);
      const m = device.tensor(Float32Array.from({ length: PATCHES }, (_, i) => (i % 7 === 3 ? 0 : 1)), [1, PATCHES]);
      const g = device.tensor(sineValues(PATCHES * PATCHES, 2), s.shape);
      const x = requireGrad(s);
      const run = direction === "forward"
        ? () => attentionSoftmax(s, m, 10).dispose()
        : () => tidy(() => grad(attentionSoftmax(x, m, 10), [x], { gradOutputs: [g] })[0]!).dispose();
      const bytes = PATCHES * PATCHES * 4;
      return {
        run,
        // Forward: s read twice, a written. Backward: the forward again, then a and g read twice, ds written.
        bytes: direction === "forward" ? 3 * bytes : 8 * bytes,
        note: direction === "backward" ? "includes its forward" : undefined,
        dispose: () => [s, m, g].forEach((t) => t.dispose()),
      };
    },
  });
}

register({
  // What the fused kernel replaces: mask, scale, softmax, mask again as four generic ops.
  name: "attention softmax 1024x1024 forward as generic ops (comparison)",
  prepare: (device): Prepared => {
    const s = device.tensor(sineValues(PATCHES * PATCHES, 1, 0.3), [1, PATCHES, PATCHES]);
    const m = device.tensor(Float32Array.from({ length: PATCHES }, (_, i) => (i % 7 === 3 ? 0 : 1)), [1, 1, PATCHES]);
    return {
      run: () => tidy(() => mul(softmax(mulScalar(mul(s, m), 10), -1), m)).dispose(),
      bytes: 3 * PATCHES * PATCHES * 4,
      note: "bytes counted as for the fused kernel",
      dispose: () => [s, m].forEach((t) => t.dispose()),
    };
  },
});

/** The layer on [1, 128, size, size] maps with a centred square hole of half the side. */
function layerCase(size: number, backward: boolean, slow: boolean) {
  register({
    name: `contextual attention ${size}x${size}x128 (${size * 4}^2 model) ${backward ? "forward+backward" : "forward"}`,
    slow,
    repeats: 3,
    prepare: async (device): Promise<Prepared> => {
      const channels = 128;
      const x = requireGrad(device.tensor(sineValues(channels * size * size, 3), [1, channels, size, size]));
      const mask = new Float32Array(size * size);
      for (let y = size / 4; y < (3 * size) / 4; y++) mask.fill(1, y * size + size / 4, y * size + (3 * size) / 4);
      const m = device.tensor(mask, [1, 1, size, size]);
      const run = backward
        ? () => tidy(() => grad(sum(contextualAttention(x, x, m).output), [x])[0]!).dispose()
        // Without a graph the layer releases each chunk's temporaries as it goes.
        : () => tidy(() => contextualAttention(detach(x), detach(x), m).output).dispose();
      const n = (size / 2) ** 2;
      // Similarity n^2 * 9C and paste-back n^2 * 16C multiply-adds; fuse and softmax are O(n^2).
      const forwardFlops = 2 * n * n * channels * (9 + 16);
      return {
        run,
        // The backward pass does two products for each forward one.
        flops: backward ? 3 * forwardFlops : forwardFlops,
        note: `peak ${(await peakMiB(device, run)).toFixed(0)} MiB`,
        dispose: () => [x, m].forEach((t) => t.dispose()),
      };
    },
  });
}

layerCase(64, false, false);
layerCase(64, true, false);
layerCase(128, false, true);
layerCase(128, true, true);
