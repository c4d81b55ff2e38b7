// contextualAttention against the float64 reference of the whole layer (several masks, a
// mask per image, the shared-mask option, fuse off, rate 1), its gradients against finite
// differences of the reference and gradcheck, chunked against unchunked (one mask and a mask
// per image), and the copy test: a hole whose true content sits elsewhere in the background
// is filled from there.
import t from "tap";
import {
  contextualAttention, contextualAttentionOutput, grad, gradcheck, requireGrad, tidy, type ContextualAttentionOptions, type Device, type Tensor,
} from "../src/index.js";
import { assertClose, FORWARD, leakCheckedTest, randomValues, readAll, testDevice } from "./helpers.js";
import { attentionGradRef, contextualAttentionRef, DEFAULT_REF_OPTIONS, type AttentionRefOptions } from "./reference/attention.js";
import type { NdArray } from "./reference/layout.js";
import { copyScene } from "../src/models/attention/copy-scene.js";
import { chunkRows } from "../src/models/attention/chunks.js";

const device = await testDevice();

/** Masks [B, 1, H, W] with the box [top, bottom) x [left, right) of each image set to 1. */
function boxMasks(size: number, boxes: [number, number, number, number][]): NdArray {
  const data = new Float32Array(boxes.length * size * size);
  boxes.forEach(([top, bottom, left, right], i) => {
    for (let y = top; y < bottom; y++) for (let x = left; x < right; x++) data[(i * size + y) * size + x] = 1;
  });
  return { data, shape: [boxes.length, 1, size, size] };
}

const features = (shape: number[], seed: number, spread = 1): NdArray =>
  ({ data: randomValues(shape.reduce((p, d) => p * d, 1), seed, -spread, spread), shape });

const tensorOf = (x: NdArray) => device.tensor(x.data, x.shape);

interface Case {
  name: string;
  f: NdArray;
  b: NdArray;
  mask: NdArray;
  options?: ContextualAttentionOptions;
}

function refOptions(options: ContextualAttentionOptions = {}): AttentionRefOptions {
  const fuseK = options.fuseK ?? 3;
  return {
    ksize: options.ksize ?? 3, rate: options.rate ?? 2, fuseK: fuseK <= 1 ? 1 : fuseK,
    scale: options.softmaxScale ?? 10, sharedMask: options.sharedMask ?? false,
  };
}

const CASES: Case[] = [
  { name: "8x8, 3 channels, a different box per image", f: features([2, 3, 8, 8], 1), b: features([2, 3, 8, 8], 2),
    mask: boxMasks(8, [[2, 6, 2, 6], [0, 3, 4, 8]]) },
  { name: "12x12, 4 channels, one mask for the batch", f: features([2, 4, 12, 12], 3), b: features([2, 4, 12, 12], 4),
    mask: boxMasks(12, [[3, 9, 5, 10]]) },
  { name: "12x12, sharedMask takes item 0's mask", f: features([2, 4, 12, 12], 5), b: features([2, 4, 12, 12], 6),
    mask: boxMasks(12, [[6, 12, 0, 5], [1, 4, 1, 4]]), options: { sharedMask: true } },
  { name: "8x8, no hole", f: features([1, 3, 8, 8], 7), b: features([1, 3, 8, 8], 8), mask: boxMasks(8, [[0, 0, 0, 0]]) },
  { name: "8x8, fuse off, scale 5", f: features([2, 3, 8, 8], 9), b: features([2, 3, 8, 8], 10),
    mask: boxMasks(8, [[4, 8, 0, 8], [2, 5, 2, 5]]), options: { fuseK: 1, softmaxScale: 5 } },
  { name: "6x6, rate 1, ksize 5, fuse 5", f: features([1, 3, 6, 6], 11), b: features([1, 3, 6, 6], 12),
    mask: boxMasks(6, [[1, 3, 1, 4]]), options: { rate: 1, ksize: 5, fuseK: 5 } },
];

leakCheckedTest(device, "forward: output and offsets match the reference", async (t) => {
  for (const c of CASES) {
    const [output, offsets] = await readAll(() => {
      const r = contextualAttention(tensorOf(c.f), tensorOf(c.b), tensorOf(c.mask), c.options);
      return [r.output, r.offsets];
    });
    const ref = contextualAttentionRef(c.f, c.b, c.mask, refOptions(c.options));
    assertClose(t, output!, ref.output, FORWARD, `${c.name}: output`);
    t.same(Array.from(offsets!), Array.from(ref.offsets), `${c.name}: offsets`);
  }
});

leakCheckedTest(device, "the output alone, without the offsets, is the same output", async (t) => {
  for (const c of CASES) {
    const [whole, alone] = await readAll(() => {
      const [f, b, mask] = [tensorOf(c.f), tensorOf(c.b), tensorOf(c.mask)];
      return [contextualAttention(f, b, mask, c.options).output, contextualAttentionOutput(f, b, mask, c.options)];
    });
    t.same(Array.from(alone!), Array.from(whole!), `${c.name}: the same values`);
  }
});

leakCheckedTest(device, "the shared-mask option differs from a mask per image when the masks differ", async (t) => {
  const c = CASES[2]!;
  const [own] = await readAll(() => [contextualAttention(tensorOf(c.f), tensorOf(c.b), tensorOf(c.mask)).output]);
  const ref = contextualAttentionRef(c.f, c.b, c.mask, refOptions());
  assertClose(t, own!, ref.output, FORWARD, "a mask per image matches the per-image reference");
  const shared = contextualAttentionRef(c.f, c.b, c.mask, refOptions({ sharedMask: true })).output;
  t.ok(shared.some((v, i) => Math.abs(v - ref.output[i]!) > 1e-3), "and the shared-mask reference is different");
});

// float32 gradients against float64 finite differences; the softmax scale of 10 amplifies rounding.
const GRAD_REF = { atol: 2e-4, rtol: 2e-3 };

leakCheckedTest(device, "gradients with respect to f and b match finite differences of the reference", async (t) => {
  const sharedMask: Case = { name: "8x8, 2 channels, sharedMask with different masks", f: features([2, 2, 8, 8], 13),
    b: features([2, 2, 8, 8], 14), mask: boxMasks(8, [[0, 4, 4, 8], [3, 7, 0, 4]]), options: { sharedMask: true } };
  // Finite differences of the reference cost two layer evaluations per element: 8x8 maps only.
  for (const c of [CASES[0]!, sharedMask]) {
    // Smaller features keep the scaled softmax away from saturation, so the gradients are not all ~0.
    const f = { ...c.f, data: Float32Array.from(c.f.data, (v) => v * 0.3) };
    const b = { ...c.b, data: Float32Array.from(c.b.data, (v) => v * 0.3) };
    const v = randomValues(b.data.length, 99, -1, 1);
    const [df, db] = await readAll(() => {
      const ft = requireGrad(tensorOf(f));
      const bt = requireGrad(tensorOf(b));
      const { output } = contextualAttention(ft, bt, tensorOf(c.mask), c.options);
      return grad(output, [ft, bt], { gradOutputs: [device.tensor(v, output.shape)] });
    });
    const ref = attentionGradRef(f, b, c.mask, v, refOptions(c.options));
    assertClose(t, df!, ref.df, GRAD_REF, `${c.name}: df`);
    assertClose(t, db!, ref.db, GRAD_REF, `${c.name}: db`);
  }
});

leakCheckedTest(device, "f = b (as in DeepFill): the gradient sums every path", async (t) => {
  const c = CASES[0]!;
  const x = { ...c.f, data: Float32Array.from(c.f.data, (v) => v * 0.3) };
  const v = randomValues(x.data.length, 98, -1, 1);
  const [dx] = await readAll(() => {
    const xt = requireGrad(tensorOf(x));
    const { output } = contextualAttention(xt, xt, tensorOf(c.mask));
    return grad(output, [xt], { gradOutputs: [device.tensor(v, output.shape)] });
  });
  assertClose(t, dx!, attentionGradRef(x, x, c.mask, v, refOptions(), true).df, GRAD_REF, "dx");
});

leakCheckedTest(device, "gradcheck with respect to f and b", async (t) => {
  const f = device.tensor(randomValues(2 * 8 * 8, 21, -0.3, 0.3), [1, 2, 8, 8]);
  const b = device.tensor(randomValues(2 * 8 * 8, 22, -0.3, 0.3), [1, 2, 8, 8]);
  const mask = tensorOf(boxMasks(8, [[2, 6, 3, 7]]));
  const result = await gradcheck((a: Tensor, c: Tensor) => contextualAttention(a, c, mask).output, [f, b], { atol: 2e-3, rtol: 1e-2 });
  t.ok(result.ok, `gradcheck (worst excess ${result.worstExcess})`);
  [f, b, mask].forEach((x) => x.dispose());
});

leakCheckedTest(device, "second-order gradients through the layer are refused with the named error", async (t) => {
  const c = CASES[0]!;
  tidy(() => {
    const x = requireGrad(tensorOf(c.f));
    const { output } = contextualAttention(x, x, tensorOf(c.mask));
    t.throws(() => grad(output, [x], { gradOutputs: [output], createGraph: true }), { name: "SecondOrderNotSupportedError" });
  });
});

leakCheckedTest(device, "chunked and unchunked results agree (forward, offsets, gradients), with one mask and with a mask per image", async (t) => {
  const perImage: Case = { name: "12x12, 4 channels, a different box per image", f: features([2, 4, 12, 12], 13), b: features([2, 4, 12, 12], 14),
    mask: boxMasks(12, [[0, 6, 6, 12], [5, 11, 1, 7]]) };
  for (const c of [CASES[1]!, perImage]) {
    const v = randomValues(c.b.data.length, 97, -1, 1);
    const run = (chunkSize: number | "auto") => readAll(() => {
      const ft = requireGrad(tensorOf(c.f));
      const bt = requireGrad(tensorOf(c.b));
      const { output, offsets } = contextualAttention(ft, bt, tensorOf(c.mask), { chunkSize });
      return [output, offsets, ...grad(output, [ft, bt], { gradOutputs: [device.tensor(v, output.shape)] })];
    });
    const whole = await run("auto");
    const ref = contextualAttentionRef(c.f, c.b, c.mask, refOptions());
    // 6 x 6 downscaled positions: chunks of 1, 2 and 4 rows (the last one short); 7 rounds down to 1 row.
    for (const chunkSize of [6, 12, 24, 7]) {
      const chunked = await run(chunkSize);
      const name = `${c.name}, chunkSize ${chunkSize}`;
      assertClose(t, chunked[0]!, ref.output, FORWARD, `${name}: output matches the reference`);
      // Each position's scores, attention and paste-back are computed alike in any chunk (by one
      // matmul kernel: it is chosen per size class, and these tiny sizes share one), so the
      // forward pass is bit-identical; gradients of the shared patches sum per-chunk parts, in
      // another order than one product does, so they agree to rounding.
      t.ok(chunked[0]!.every((v, i) => v === whole[0]![i]), `${name}: output bit-identical`);
      t.same(Array.from(chunked[1]!), Array.from(whole[1]!), `${name}: offsets`);
      assertClose(t, chunked[2]!, whole[2]!, { atol: 1e-6, rtol: 1e-5 }, `${name}: df`);
      assertClose(t, chunked[3]!, whole[3]!, { atol: 1e-6, rtol: 1e-5 }, `${name}: db`);
    }
  }
});

leakCheckedTest(device, "without gradients only the two results stay alive", async (t) => {
  const c = CASES[0]!;
  const [f, b, mask] = [tensorOf(c.f), tensorOf(c.b), tensorOf(c.mask)];
  const before = device.memory().liveTensors;
  const { output, offsets } = contextualAttention(f, b, mask, { chunkSize: 4 });
  t.equal(device.memory().liveTensors, before + 2, "output and offsets only");
  [f, b, mask, output, offsets].forEach((x) => x.dispose());
});

leakCheckedTest(device, "chunks bound the peak memory of a forward pass", async (t) => {
  // 32x32 maps: 256 positions x 256 patches, 256 KiB per score tensor; one-row chunks hold 3 rows of it.
  const f = tensorOf(features([1, 2, 32, 32], 41));
  const mask = tensorOf(boxMasks(32, [[8, 20, 8, 20]]));
  const peak = async (chunkSize: number | "auto") => {
    await device.sync();
    device.trim();
    const held = () => device.memory().bytesInUse + device.memory().bytesPooled;
    const before = held();
    const { output, offsets } = contextualAttention(f, f, mask, { chunkSize });
    await device.sync();
    const bytes = held() - before;
    output.dispose();
    offsets.dispose();
    return bytes;
  };
  const whole = await peak("auto");
  const rows = await peak(16);
  t.ok(rows < whole / 2, `one-row chunks peak at ${rows} bytes, the whole map at ${whole}`);
  f.dispose();
  mask.dispose();
});

t.test("automatic chunks: the whole map when it fits, fewer rows under the budget, a named error past the binding", async (t) => {
  const limits = (bytes: number) => ({ limits: { maxStorageBufferBindingSize: bytes, maxBufferSize: bytes } }) as unknown as Device;
  const model256 = { batch: 1, height: 32, width: 32, patches: 1024, halo: 1 };
  t.equal(chunkRows(limits(2 ** 30), model256, "auto"), 32, "256^2 model, one image: a single chunk");
  // 512^2 at batch 16: 16 MiB a row, over the budget's share for even one row: one row at a time.
  const model512 = { batch: 16, height: 64, width: 64, patches: 4096, halo: 1 };
  t.equal(chunkRows(limits(2 ** 30), model512, "auto"), 1, "512^2 model, batch 16: one row per chunk");
  t.throws(() => chunkRows(limits(32 * 2 ** 20), model512, "auto"), /exceed the adapter's 32 MiB storage binding/);
  t.equal(chunkRows(limits(2 ** 30), model256, 100), 3, "100 positions round down to 3 rows of 32");
});

leakCheckedTest(device, "copy test: the hole is filled from the region its content was copied from", async (t) => {
  // The scene (src/models/attention/copy-scene.ts): the hole's neighbourhood is an exact copy
  // of the region `shift` downscaled columns to its right, and nowhere else matches.
  const scene = copyScene();
  const { size, channels, hole, shift } = scene;
  const small = size / 2;
  const [output, offsets] = await readAll(() => {
    const features = device.tensor(scene.features, [1, channels, size, size]);
    const r = contextualAttention(features, features, device.tensor(scene.mask, [1, 1, size, size]));
    return [r.output, r.offsets];
  });
  for (let y = hole[0]; y < hole[1]; y++) {
    for (let x = hole[0]; x < hole[1]; x++) {
      const at = y * small + x;
      t.same([offsets![at], offsets![small * small + at]], [y, x + shift], `offset of hole position (${y}, ${x})`);
    }
  }
  // Pixels covered only by raw patches of hole positions: full resolution [2 from + 1, 2 to - 1)^2.
  let worst = 0;
  for (let c = 0; c < channels; c++)
    for (let y = 2 * hole[0] + 1; y < 2 * hole[1] - 1; y++)
      for (let x = 2 * hole[0] + 1; x < 2 * hole[1] - 1; x++) {
        const i = (c * size + y) * size + x;
        worst = Math.max(worst, Math.abs(output![i]! - scene.features[i + 2 * shift]!));
      }
  t.ok(worst < 1e-4, `pasted pixels equal the source's (worst difference ${worst})`);
  // Outside the hole the best match of a position far from it is itself.
  t.same([offsets![0], offsets![small * small]], [0, 0], "a corner position matches itself");
});

leakCheckedTest(device, "bad arguments are named", async (t) => {
  tidy(() => {
    const f = device.tensor(new Float32Array(2 * 3 * 8 * 8), [2, 3, 8, 8]);
    const mask = device.tensor(new Float32Array(64), [1, 1, 8, 8]);
    t.throws(() => contextualAttention(f, device.tensor(new Float32Array(3 * 64), [1, 3, 8, 8]), mask), /must be NCHW maps of one shape/);
    t.throws(() => contextualAttention(f, f, device.tensor(new Float32Array(3 * 64), [3, 1, 8, 8])), /mask \[3, 1, 8, 8\]/);
    t.throws(() => contextualAttention(f, f, mask, { rate: 3 }), /rate 3 must be a positive integer dividing/);
    t.throws(() => contextualAttention(f, f, mask, { stride: 2 }), /only stride 1/);
    t.throws(() => contextualAttention(f, f, mask, { fuseK: 2 }), /fuseK must be an odd/);
    t.throws(() => contextualAttention(f, f, mask, { chunkSize: 0 }), /chunkSize must be/);
  });
});
