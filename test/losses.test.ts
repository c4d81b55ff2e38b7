// DeepFill losses: the discount maps' known values, the L1 terms against direct loops, the WGAN
// terms and the fused gradient-penalty kernel against its float64 reference (the penalty
// through a whole critic is critic-penalty.test.ts).
import type { Test } from "tap";
import {
  aeLoss, borderDiscount, borderDiscountValues, cropBoxes, grad, gradcheck, gradgradcheck, gradientPenalty, gradientPenaltyBackward,
  l1Loss, nearestKnownDiscountValues, reconstructionL1, requireGrad, SecondOrderNotSupportedError, tidy, wganCriticLoss,
  uncropBoxes, wganGeneratorLoss, type Box, type ReconstructionL1Options, type Tensor,
} from "../src/index.js";
import { assertClose, FORWARD, GRAD, leakCheckedTest, randomValues, testDevice } from "./helpers.js";
import { gradientPenaltyBackwardReference, gradientPenaltyReference } from "./reference/gradient-penalty.js";
import { reconstructionL1Reference } from "./reference/reconstruction-l1.js";

const device = await testDevice();
const test = (name: string, body: (t: Test) => Promise<void>) => leakCheckedTest(device, name, body);

/** 1 inside the rectangle [top, bottom) x [left, right) of an h x w plane, else 0. */
function rectangle(h: number, w: number, top: number, bottom: number, left: number, right: number): Float32Array {
  return Float32Array.from({ length: h * w }, (_, p) => {
    const y = Math.floor(p / w);
    const x = p % w;
    return y >= top && y < bottom && x >= left && x < right ? 1 : 0;
  });
}

test("the official discount map at 128x128, gamma 0.9: its known mean, minimum and edges", async (t) => {
  const values = borderDiscountValues(128, 128, 0.9);
  const meanValue = values.reduce((s, v) => s + v, 0) / values.length;
  t.ok(Math.abs(meanValue - 0.253) < 5e-4, `mean ${meanValue.toFixed(5)} is about 0.253`);
  t.ok(Math.abs(Math.min(...values) - 0.00118) < 5e-6, `minimum ${Math.min(...values).toExponential(4)} is about 0.00118 (0.9^64)`);
  t.equal(values[5]!, 1, "the top row is 1");
  t.ok(Math.abs(values[127 * 128 + 60]! - 0.9) < 1e-7, "the last row is gamma (the official off-by-one)");
  const gentle = borderDiscountValues(128, 128, 0.99);
  const gentleMean = gentle.reduce((s, v) => s + v, 0) / gentle.length;
  t.ok(Math.abs(gentleMean - 0.816) < 5e-4, `gamma 0.99 gives mean ${gentleMean.toFixed(4)}, about 0.816`);
  const onDevice = borderDiscount(device, 6, 5);
  t.same(onDevice.shape, [1, 1, 6, 5], "device map shape");
  assertClose(t, await onDevice.read(), borderDiscountValues(6, 5), FORWARD, "device map equals the values");
  onDevice.dispose();
});

test("nearest-known discount: chessboard distance to the closest known pixel, per image", async (t) => {
  // Image 0: a 3x4 hole in a 5x6 plane; image 1: a single hole pixel in a corner.
  const holes = new Float32Array([...rectangle(5, 6, 1, 4, 1, 5), ...rectangle(5, 6, 0, 1, 0, 1)]);
  const values = nearestKnownDiscountValues(holes, [2, 5, 6], 0.5);
  // Hole rows 1-3, columns 1-4: every hole pixel touches the border of the hole but the middle row's inner two.
  const expected0 = [
    1, 1, 1, 1, 1, 1,
    1, 0.5, 0.5, 0.5, 0.5, 1,
    1, 0.5, 0.25, 0.25, 0.5, 1,
    1, 0.5, 0.5, 0.5, 0.5, 1,
    1, 1, 1, 1, 1, 1,
  ];
  const expected1 = Array.from({ length: 30 }, (_, p) => (p === 0 ? 0.5 : 1));
  t.same(Array.from(values), [...expected0, ...expected1], "gamma^distance, 1 on known pixels");
  t.throws(() => nearestKnownDiscountValues(new Float32Array(4).fill(1), [1, 2, 2]), /no known pixel/, "an all-hole image is refused");
});

test("cropBoxes: one box for the batch or one per image", async (t) => {
  const x = device.tensor(Array.from({ length: 2 * 1 * 4 * 5 }, (_, i) => i), [2, 1, 4, 5]);
  const shared = cropBoxes(x, [{ top: 1, left: 2, height: 2, width: 2 }]);
  t.same(Array.from(await shared.read()), [7, 8, 12, 13, 27, 28, 32, 33], "shared box");
  const each = tidy(() => cropBoxes(x, [{ top: 0, left: 0, height: 2, width: 2 }, { top: 2, left: 3, height: 2, width: 2 }]));
  t.same(Array.from(await each.read()), [0, 1, 5, 6, 33, 34, 38, 39], "a box per image");
  t.throws(() => cropBoxes(x, [{ top: 3, left: 0, height: 2, width: 2 }]), /does not fit the 4x5 image/, "a box off the image is refused");
  [x, shared, each].forEach((a) => a.dispose());
});

test("cropBoxes and uncropBoxes match loops on shapes off the 16-element runs, and are each other's adjoint", async (t) => {
  const shape = [3, 2, 21, 37] as const;
  const [b, c, h, w] = shape;
  const boxes = [{ top: 0, left: 7, height: 13, width: 30 }, { top: 8, left: 0, height: 13, width: 30 }, { top: 3, left: 5, height: 13, width: 30 }];
  const xs = randomValues(b * c * h * w, 21);
  const gs = randomValues(b * c * 13 * 30, 22);
  const expectedCrop = new Float32Array(gs.length);
  const expectedUncrop = new Float32Array(xs.length);
  for (let n = 0; n < b; n++) {
    for (let k = 0; k < c; k++) {
      for (let i = 0; i < 13; i++) {
        for (let j = 0; j < 30; j++) {
          const full = ((n * c + k) * h + boxes[n]!.top + i) * w + boxes[n]!.left + j;
          const crop = ((n * c + k) * 13 + i) * 30 + j;
          expectedCrop[crop] = xs[full]!;
          expectedUncrop[full] = gs[crop]!;
        }
      }
    }
  }
  const [crop, uncrop, shared] = tidy(() => [
    cropBoxes(device.tensor(xs, shape), boxes),
    uncropBoxes(device.tensor(gs, [b, c, 13, 30]), boxes, h, w),
    cropBoxes(device.tensor(xs, shape), [boxes[2]!]),
  ]);
  t.same([...(await crop!.read())], [...expectedCrop], "crop: every image to its own box");
  t.same([...(await uncrop!.read())], [...expectedUncrop], "uncrop: each crop at its box, zero elsewhere");
  t.same([...(await shared!.read())].slice(0, 390), [...xs].filter((_, p) => {
    const [y, x] = [Math.floor(p / w) % h, p % w];
    return p < c * h * w && y >= 3 && y < 16 && x >= 5 && x < 35;
  }).slice(0, 390), "one box for the batch: the first image's crop");
  t.throws(() => uncropBoxes(crop!, boxes, 12, 37), /does not fit the 12x37 image/, "a box off the image is refused");
  [crop, uncrop, shared].forEach((a) => a!.dispose());
});

test("cropBoxes passes gradcheck and gradgradcheck (its vjp is uncropBoxes and back)", async (t) => {
  const boxes = [{ top: 1, left: 0, height: 2, width: 3 }, { top: 0, left: 2, height: 2, width: 3 }];
  const x = device.tensor(randomValues(2 * 2 * 3 * 5, 23), [2, 2, 3, 5]);
  const first = await gradcheck((a) => cropBoxes(a, boxes), [x], GRAD);
  t.ok(first.ok, `gradcheck (worst excess ${first.worstExcess.toExponential(2)})`);
  const second = await gradgradcheck((a) => cropBoxes(a, boxes), [x], GRAD);
  t.ok(second.ok, `gradgradcheck (worst excess ${second.worstExcess.toExponential(2)})`);
  x.dispose();
});

test("l1 and ae losses equal direct loops on tiny tensors", async (t) => {
  const [b, c, h, w] = [2, 3, 6, 7];
  const n = b * c * h * w;
  const xs = randomValues(n, 1);
  const x1s = randomValues(n, 2);
  const x2s = randomValues(n, 3);
  const masks = new Float32Array([...rectangle(h, w, 1, 5, 2, 6), ...rectangle(h, w, 0, 3, 0, 4)]);
  const boxes: Box[] = [{ top: 1, left: 2, height: 4, width: 4 }, { top: 0, left: 0, height: 4, width: 4 }];
  const discount = randomValues(16, 4, 0, 1);
  let l1Coarse = 0;
  let l1Fine = 0;
  let aeCoarse = 0;
  let aeFine = 0;
  let known = 0;
  for (let i = 0; i < b; i++) {
    for (let k = 0; k < c; k++) {
      for (let y = 0; y < h; y++) {
        for (let xx = 0; xx < w; xx++) {
          const idx = ((i * c + k) * h + y) * w + xx;
          const m = masks[(i * h + y) * w + xx]!;
          aeCoarse += Math.abs(xs[idx]! - x1s[idx]!) * (1 - m);
          aeFine += Math.abs(xs[idx]! - x2s[idx]!) * (1 - m);
          if (k === 0) known += 1 - m;
          const dy = y - boxes[i]!.top;
          const dx = xx - boxes[i]!.left;
          if (dy >= 0 && dy < 4 && dx >= 0 && dx < 4) {
            l1Coarse += Math.abs(xs[idx]! - x1s[idx]!) * discount[dy * 4 + dx]!;
            l1Fine += Math.abs(xs[idx]! - x2s[idx]!) * discount[dy * 4 + dx]!;
          }
        }
      }
    }
  }
  const cropCount = b * c * 16;
  const expectedL1 = (1.2 * l1Coarse) / cropCount + l1Fine / cropCount;
  const expectedAe = ((1.2 * aeCoarse) / n + aeFine / n) / (known / (b * h * w));
  const results = tidy(() => {
    const x = device.tensor(xs, [b, c, h, w]);
    const x1 = device.tensor(x1s, [b, c, h, w]);
    const x2 = device.tensor(x2s, [b, c, h, w]);
    const mask = device.tensor(masks, [b, 1, h, w]);
    const d = device.tensor(discount, [1, 1, 4, 4]);
    return [l1Loss(x, x1, x2, boxes, d), aeLoss(x, x1, x2, mask), l1Loss(x, x1, x2, boxes, d, { coarseWeight: 1 })];
  });
  const [l1, ae, l1Plain] = await Promise.all(results.map((r) => r.item()));
  assertClose(t, [l1!], [expectedL1], FORWARD, "discounted L1 over the per-image boxes");
  assertClose(t, [ae!], [expectedAe], FORWARD, "L1 over known pixels over their share");
  assertClose(t, [l1Plain!], [(l1Coarse + l1Fine) / cropCount], FORWARD, "coarseWeight option");
  results.forEach((r) => r.dispose());
});

/**
 * The fused reconstruction op's cases: shapes that are not multiples of the 256 lanes or of the
 * backward kernel's 16-element row chunks, crops narrower and wider than the workgroup's
 * stride, one box or one per image, a shared or per-image weight, both normalisations.
 */
const RECONSTRUCTION_CASES: { shape: [number, number, number, number]; boxes: Box[]; weightBatch: number; options: ReconstructionL1Options }[] = [
  { shape: [3, 2, 9, 11], boxes: [{ top: 2, left: 3, height: 5, width: 7 }], weightBatch: 1, options: { coarseWeight: 1.2, normalize: "count" } },
  {
    shape: [2, 3, 40, 37], boxes: [{ top: 0, left: 4, height: 33, width: 30 }, { top: 7, left: 0, height: 33, width: 30 }], weightBatch: 2,
    options: { coarseWeight: 0.7, normalize: "count" },
  },
  { shape: [3, 3, 17, 19], boxes: [{ top: 0, left: 0, height: 17, width: 19 }], weightBatch: 3, options: { coarseWeight: 1.2, complement: true, normalize: "weight" } },
];

test("reconstructionL1 and its gradients match the float64 reference", async (t) => {
  for (const [index, { shape, boxes, weightBatch, options }] of RECONSTRUCTION_CASES.entries()) {
    const [b, c, h, w] = shape;
    const { height, width } = boxes[0]!;
    const n = b * c * h * w;
    const images = randomValues(n, 10 * index + 1);
    const coarses = randomValues(n, 10 * index + 2);
    const refineds = randomValues(n, 10 * index + 3);
    const weightCount = weightBatch * height * width;
    const weights = options.complement
      ? randomValues(weightCount, 10 * index + 4).map((v) => (v < 0.3 ? 1 : 0))
      : randomValues(weightCount, 10 * index + 4, 0, 1);
    const expected = reconstructionL1Reference(images, coarses, refineds, weights, shape, boxes, { complement: false, ...options });
    const [loss, dCoarse, dRefined] = tidy(() => {
      const coarse = requireGrad(device.tensor(coarses, shape));
      const refined = requireGrad(device.tensor(refineds, shape));
      const y = reconstructionL1(device.tensor(images, shape), coarse, refined, device.tensor(weights, [weightBatch, 1, height, width]), boxes, options);
      return [y, ...grad(y, [coarse, refined])] as Tensor[];
    });
    const label = `[${shape}], ${boxes.length} box(es), ${JSON.stringify(options)}`;
    assertClose(t, [await loss!.item()], [expected.loss], FORWARD, `loss, ${label}`);
    assertClose(t, await dCoarse!.read(), expected.dCoarse, FORWARD, `gradient w.r.t. coarse, ${label}`);
    assertClose(t, await dRefined!.read(), expected.dRefined, FORWARD, `gradient w.r.t. refined, ${label}`);
    [loss, dCoarse, dRefined].forEach((a) => a!.dispose());
  }
});

test("reconstructionL1 passes gradcheck for both estimates, refuses second order and differentiable constants", async (t) => {
  const shape = [2, 2, 5, 6];
  const boxes = [{ top: 1, left: 2, height: 3, width: 4 }, { top: 2, left: 0, height: 3, width: 4 }];
  const image = device.tensor(randomValues(120, 7), shape);
  const weight = device.tensor(randomValues(24, 8, 0.2, 1), [2, 1, 3, 4]);
  const options = { coarseWeight: 1.2, normalize: "count" } as const;
  // Estimates at least 0.1 from the image, so a finite-difference step never crosses the kink of |.|.
  const offsets = randomValues(120, 9).map((v) => v + (v >= 0 ? 0.1 : -0.1));
  const images = await image.read();
  const coarse = device.tensor(images.map((v, i) => v + offsets[i]!), shape);
  const refined = device.tensor(images.map((v, i) => v - offsets[i]!), shape);
  const result = await gradcheck((x, y) => reconstructionL1(image, x, y, weight, boxes, options), [coarse, refined], GRAD);
  t.ok(result.ok, `gradcheck (worst excess ${result.worstExcess.toExponential(2)})`);
  tidy(() => {
    const x = requireGrad(device.tensor(images, shape));
    const loss = reconstructionL1(image, x, refined, weight, boxes, options);
    t.throws(() => grad(loss, [x], { createGraph: true }), SecondOrderNotSupportedError, "createGraph through the fused op");
    t.throws(() => reconstructionL1(x, coarse, refined, weight, boxes, options), /must not require a gradient/, "a differentiable image is refused");
    t.throws(() => reconstructionL1(image, coarse, refined, device.tensor(new Float32Array(12), [1, 1, 4, 3]), boxes, options),
      /the weight must be \[1 or 2, 1, 3, 4\]/, "a weight of another size than the crop is refused");
  });
  [image, weight, coarse, refined].forEach((a) => a.dispose());
});

test("WGAN terms: critic mean(fake) - mean(real) from the joint scores, generator -mean(fake), and their gradients", async (t) => {
  const both = requireGrad(device.tensor([0.5, -1, 2, 1, 3, -0.5], [6, 1]));
  const fake = requireGrad(device.tensor([1, 3, -0.5], [3, 1]));
  const [d, g, dBoth, dFake] = tidy(() => {
    const d = wganCriticLoss(both);
    const g = wganGeneratorLoss(fake);
    return [d, g, ...grad(d, [both]), ...grad(g, [fake])];
  });
  assertClose(t, [await d!.item()], [3.5 / 3 - 1.5 / 3], FORWARD, "critic loss");
  assertClose(t, [await g!.item()], [-3.5 / 3], FORWARD, "generator loss");
  assertClose(t, await dBoth!.read(), [-1, -1, -1, 1, 1, 1].map((v) => v / 3), FORWARD, "critic loss gradient: -1/B on the real scores, 1/B on the fakes");
  assertClose(t, await dFake!.read(), [-1, -1, -1].map((v) => v / 3), FORWARD, "generator loss gradient");
  t.throws(() => wganCriticLoss(fake), /must be \[2B, 1\] \(B real, then B fake\), got \[3, 1\]/, "an odd number of scores is refused");
  [both, fake, d, g, dBoth, dFake].forEach((a) => a!.dispose());
});

/** Shapes that are not multiples of the 256-lane workgroup, one plane longer than it. */
const PENALTY_SHAPES = [[3, 5, 7, 9], [2, 2, 17, 19], [1, 1, 1, 1]];

test("gradient penalty kernel and its backward kernel match the float64 reference", async (t) => {
  for (const shape of PENALTY_SHAPES) {
    const [b, c, h, w] = shape as [number, number, number, number];
    const gs = randomValues(b * c * h * w, b * 7 + h, -0.5, 0.5);
    const masks = randomValues(b * h * w, w * 3 + 1, 0, 1).map((v) => (v < 0.6 ? 1 : 0));
    const g = device.tensor(gs, shape);
    const mask = device.tensor(masks, [b, 1, h, w]);
    const penalty = gradientPenalty(g, mask);
    t.same(penalty.shape, [], "the penalty is a scalar");
    assertClose(t, [await penalty.item()], [gradientPenaltyReference(gs, shape, masks)], FORWARD, `penalty on [${shape}]`);
    const gy = device.tensor([1.7], []);
    const dg = gradientPenaltyBackward(gy, g, mask);
    assertClose(t, await dg.read(), gradientPenaltyBackwardReference(1.7, gs, shape, masks), FORWARD, `backward on [${shape}]`);
    [g, mask, penalty, gy, dg].forEach((a) => a.dispose());
  }
});

test("a sample with no masked gradient: norm 0 adds (0 - 1)^2 and its gradient is 0, not NaN", async (t) => {
  const gs = randomValues(2 * 2 * 3 * 3, 11);
  const masks = new Float32Array([...new Float32Array(9), ...new Float32Array(9).fill(1)]);
  const g = device.tensor(gs, [2, 2, 3, 3]);
  const mask = device.tensor(masks, [2, 1, 3, 3]);
  const gy = device.tensor([1], [1]);
  const penalty = gradientPenalty(g, mask);
  const dgTensor = gradientPenaltyBackward(gy, g, mask);
  const dg = await dgTensor.read();
  assertClose(t, [await penalty.item()], [gradientPenaltyReference(gs, [2, 2, 3, 3], masks)], FORWARD, "penalty with an all-zero mask in sample 0");
  t.ok(dg.slice(0, 18).every((v) => v === 0), "sample 0's gradient is exactly 0");
  assertClose(t, dg, gradientPenaltyBackwardReference(1, gs, [2, 2, 3, 3], masks), FORWARD, "sample 1's gradient is the reference");
  [g, mask, gy, penalty, dgTensor].forEach((a) => a.dispose());
});

test("gradientPenalty passes gradcheck, and refuses second order with the named error", async (t) => {
  const masks = randomValues(2 * 3 * 4, 5, 0, 1).map((v) => (v < 0.5 ? 1 : 0));
  const mask = device.tensor(masks, [2, 1, 3, 4]);
  const g = device.tensor(randomValues(2 * 2 * 3 * 4, 6, -0.6, 0.6), [2, 2, 3, 4]);
  const result = await gradcheck((x) => gradientPenalty(x, mask), [g], GRAD);
  t.ok(result.ok, `gradcheck (worst excess ${result.worstExcess.toExponential(2)})`);
  tidy(() => {
    const x = requireGrad(device.tensor(randomValues(2 * 2 * 3 * 4, 6, -0.6, 0.6), [2, 2, 3, 4]));
    const penalty = gradientPenalty(x, mask);
    t.throws(() => grad(penalty, [x], { createGraph: true }), SecondOrderNotSupportedError, "createGraph through the fused op");
    t.throws(() => gradientPenalty(x, requireGrad(device.tensor(masks, [2, 1, 3, 4]))), /must not require a gradient/, "a differentiable mask is refused");
  });
  [mask, g].forEach((a) => a.dispose());
});
