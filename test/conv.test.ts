// The convolution family against its TypeScript twins, over a sweep of kernel sizes,
// strides, dilations, padding modes and odd sizes, for every kernel variant; the adjoint
// identities; the activation epilogue; and finite-difference checks of first and second
// derivatives.
import t from "tap";
import type { Test } from "tap";
import {
  activation, conv2d, conv2dBackwardFilter, conv2dBackwardInput, convTranspose2d, grad, gradcheck, gradgradcheck,
  leakyRelu, requireGrad, samePadding, tidy, type ActivationFunction, type ConvOptions, type Tensor,
} from "../src/index.js";
import type { ConvVariant } from "../src/autograd/ops/conv-params.js";
import { conv2dBackwardFilterRef, conv2dBackwardInputRef, conv2dRef, samePaddingRef, type RefConvParams } from "./reference/conv.js";
import { unaryFn } from "./reference/elementwise.js";
import type { NdArray } from "./reference/layout.js";
import { assertClose, randomValues, recordLaunches, runnableWithLanes, testDevice, type Tolerance } from "./helpers.js";
import { filterKernelNames, LANES_TILES, lanesKernelNames, lanesMissing, lanesWidth, windowKernelNames } from "../src/autograd/ops/lanes.js";

const device = await testDevice();

/** Sums of up to a few hundred float32 products of values in [-1, 1]: rounding stays below 1e-5 absolute. */
const CONV: Tolerance = { atol: 2e-5, rtol: 1e-4 };
/** Inner products of whole tensors (a few thousand terms) in float32. */
const ADJOINT: Tolerance = { atol: 1e-4, rtol: 1e-4 };
/** Every kernel family this adapter runs; the lanes kernels at the adapter's subgroup width, where there is one. */
const VARIANTS = runnableWithLanes<ConvVariant>(device, "conv2d", ["direct", "gemm", "lanes"]);

interface Case {
  name: string;
  x: [number, number, number, number];
  cout: number;
  k: [number, number];
  options: ConvOptions;
}

let seed = 100;
function upload(shape: readonly number[]): { t: Tensor; a: NdArray } {
  const data = randomValues(shape.reduce((a, b) => a * b, 1), seed++);
  return { t: device.tensor(data, shape), a: { data, shape } };
}

const pairOf = (v: number | readonly [number, number] | undefined): [number, number] =>
  v === undefined ? [1, 1] : typeof v === "number" ? [v, v] : [v[0], v[1]];

/** The reference's reading of a case's options, with TF 'SAME' computed here, not by the engine. */
function refParams(c: Case): RefConvParams {
  const [stride, dilation] = [pairOf(c.options.stride), pairOf(c.options.dilation)];
  const pad = c.options.padding ?? 0;
  const padding: [number, number, number, number] = pad === "same"
    ? [...samePaddingRef(c.x[2], c.k[0], stride[0], dilation[0]), ...samePaddingRef(c.x[3], c.k[1], stride[1], dilation[1])]
    : pad === "valid" ? [0, 0, 0, 0] : typeof pad === "number" ? [pad, pad, pad, pad] : [pad[0], pad[1], pad[2], pad[3]];
  return { kernel: c.k, stride, dilation, padding, padMode: c.options.padMode ?? "zero" };
}

/** The sweep: every kernel size, stride, dilation and padding mode, on small odd and even images. */
function sweep(): Case[] {
  const cases: Case[] = [];
  const sizes: [number, number, number, number][] = [[1, 3, 7, 9], [3, 2, 8, 6], [1, 5, 9, 8]];
  let i = 0;
  for (const k of [1, 3, 4, 5])
    for (const stride of [1, 2])
      for (const dilation of [1, 2, 4])
        for (const padMode of ["zero", "reflect", "symmetric"] as const) {
          if (k === 1 && dilation > 1) continue;
          // Sizes cycle slower than pad modes, so every mode meets every size and batch.
          const x = sizes[Math.floor(i++ / 3) % sizes.length]!;
          const cout = 2 + (i % 4);
          // Alternate TF 'same' padding with explicit asymmetric amounts.
          const padding = i % 2 === 0 ? ("same" as const) : ([1, 0, 2, 1] as const);
          const c: Case = { name: `k${k} s${stride} d${dilation} ${padMode} pad ${padding} x[${x}] cout ${cout}`, x, cout, k: [k, k], options: { stride, dilation, padding, padMode } };
          const p = refParams(c);
          const tooWide = Math.max(...p.padding) >= Math.min(x[2], x[3]);
          const span = dilation * (k - 1) + 1;
          if ((padMode !== "zero" && tooWide) || x[2] + p.padding[0] + p.padding[1] < span || x[3] + p.padding[2] + p.padding[3] < span) continue;
          cases.push(c);
        }
  // Bigger than one gemm tile in every direction, with ragged edges.
  cases.push({ name: "37 <- 19 channels, 3x3 same, batch 2", x: [2, 19, 11, 13], cout: 37, k: [3, 3], options: { padding: "same" } });
  cases.push({ name: "70 output channels (the tallest gemm tile), stride 2", x: [2, 3, 5, 6], cout: 70, k: [3, 3], options: { stride: 2, padding: "same" } });
  cases.push({ name: "critic-like 5x5 stride 2, 20 -> 12 channels, batch 2", x: [2, 20, 10, 9], cout: 12, k: [5, 5], options: { stride: 2, padding: "same" } });
  // Stride 3 with dilation 2: each stride phase of the transposed form takes every tap,
  // one input row apart per tap, unlike stride 2 with dilation 1.
  cases.push({ name: "stride 3, dilation 2", x: [1, 4, 13, 14], cout: 10, k: [3, 3], options: { stride: 3, dilation: 2, padding: [2, 1, 0, 3] } });
  cases.push({ name: "rectangular 3x5 kernel, stride [2, 1], dilation [1, 2]", x: [2, 3, 9, 11], cout: 4, k: [3, 5], options: { stride: [2, 1], dilation: [1, 2], padding: [1, 2, 3, 0] } });
  // The atrous layers' large rates, on images big enough for them.
  cases.push({ name: "dilation 8, same", x: [1, 2, 19, 21], cout: 3, k: [3, 3], options: { dilation: 8, padding: "same" } });
  cases.push({ name: "dilation 16, same", x: [1, 2, 34, 33], cout: 2, k: [3, 3], options: { dilation: 16, padding: "same" } });
  // Taps that read only padding for every output: the lanes kernels drop them.
  cases.push({ name: "dilation 16 on a 9 x 10 map: only the centre tap reaches it", x: [1, 3, 9, 10], cout: 4, k: [3, 3], options: { dilation: 16, padding: "same" } });
  cases.push({ name: "dilation 4 on 3-pixel columns: the outer tap rows read only padding", x: [2, 2, 3, 11], cout: 3, k: [3, 3], options: { dilation: 4, padding: "same" } });
  // Planes of 1024 outputs: where the lanes filter gradient reads gy channels-last.
  cases.push({ name: "32 x 32 outputs, batch 2", x: [2, 3, 32, 32], cout: 5, k: [3, 3], options: { padding: "same" } });
  cases.push(...WINDOW_CASES, ...FILTER_CASES, ...NARROW_CASES);
  return cases;
}

/**
 * Rows wide enough for the lanes window kernels (conv2d_window_*), ragged in rows, columns
 * and tiles: forward convolutions with 2, 3 and 5 taps along x, input gradients whose
 * stride phases take 3, 2 and 1 of them, more channels than the tallest window tile, the
 * dilated 3x3 windows and the stride-2 3- and 5-tap ones at every tile height, and maps 7,
 * 8, 13 and 16 pixels wide for the multi-row tiles; between them every window kernel of the
 * widths 4, 8 and 16 ("the window kernels run" checks that).
 */
const WINDOW_CASES: Case[] = [
  { name: "window: 3x3 on 26-pixel rows, 11 -> 21 channels, batch 2", x: [2, 11, 5, 26], cout: 21, k: [3, 3], options: { padding: "same" } },
  { name: "window: 5x5 on 50-pixel rows, 3 -> 15 channels", x: [1, 3, 6, 50], cout: 15, k: [5, 5], options: { padding: "same" } },
  { name: "window: 5x5 stride 2 on 64-pixel rows, 13 -> 4 channels", x: [1, 13, 4, 64], cout: 4, k: [5, 5], options: { stride: 2, padding: "same" } },
  { name: "window: 2x2 valid on 25-pixel rows, 30 -> 6 channels", x: [1, 30, 4, 25], cout: 6, k: [2, 2], options: { padding: "valid" } },
  { name: "window: 5x3 on 30-pixel rows, 14 -> 3 channels", x: [1, 14, 3, 30], cout: 3, k: [5, 3], options: { padding: "same" } },
  { name: "window: 3x5 on 28-pixel rows, 6 -> 70 channels", x: [1, 6, 4, 28], cout: 70, k: [3, 5], options: { padding: "same" } },
  { name: "window: 3x3 stride 2 on 48-pixel rows, 3 -> 9 channels", x: [1, 3, 3, 48], cout: 9, k: [3, 3], options: { stride: 2, padding: "same" } },
  { name: "window: 3x3 on 30-pixel rows, 7 -> 4 channels", x: [1, 7, 3, 30], cout: 4, k: [3, 3], options: { padding: "same" } },
  { name: "window: 3x3 stride 2 on 62-pixel rows, 5 -> 19 channels, batch 2", x: [2, 5, 3, 62], cout: 19, k: [3, 3], options: { stride: 2, padding: "same" } },
  { name: "window: 5x5 stride 2 on 57-pixel rows, 3 -> 40 channels", x: [1, 3, 5, 57], cout: 40, k: [5, 5], options: { stride: 2, padding: "same" } },
  { name: "window: 3x5 stride 2 on 53-pixel rows, 9 -> 7 channels", x: [1, 9, 3, 53], cout: 7, k: [3, 5], options: { stride: 2, padding: "same" } },
  { name: "window: 5x3 stride 2 valid on 64-pixel rows, 4 -> 6 channels", x: [1, 4, 6, 64], cout: 6, k: [5, 3], options: { stride: 2, padding: "valid" } },
  { name: "window: 3x3 stride 2 on 50-pixel rows, 2 -> 3 channels", x: [1, 2, 3, 50], cout: 3, k: [3, 3], options: { stride: 2, padding: "same" } },
  { name: "window: 5x5 stride 2 on 49-pixel rows, 2 -> 11 channels", x: [1, 2, 5, 49], cout: 11, k: [5, 5], options: { stride: 2, padding: "same" } },
  ...[2, 4, 8, 16].flatMap((dilation): Case[] => [
    { name: `window: dilation ${dilation} on 30-pixel rows, 11 -> 21 channels`, x: [1, 11, 3, 30], cout: 21, k: [3, 3], options: { dilation, padding: "same" } },
    { name: `window: dilation ${dilation} on 27-pixel rows, 7 -> 3 channels`, x: [1, 7, 2, 27], cout: 3, k: [3, 3], options: { dilation, padding: "same" } },
  ]),
  // Multi-row tiles (the _r2 and _r4 kernels): rows of 16 and 13 outputs (two-row tiles where
  // tiles have 32 columns), an odd number of rows in all (the last tile holds one) and, with
  // batch 2, tiles whose rows lie in different images.
  ...[1, 2, 4, 8].flatMap((dilation): Case[] => [
    { name: `two rows: 3x3 dilation ${dilation} on 16-pixel rows, 12 -> 3 channels, batch 2`, x: [2, 12, 5, 16], cout: 3, k: [3, 3], options: { dilation, padding: "same" } },
    { name: `two rows: 3x3 dilation ${dilation} on 13-pixel rows, 5 -> 21 channels`, x: [1, 5, 5, 13], cout: 21, k: [3, 3], options: { dilation, padding: "same" } },
  ]),
  ...[3, 12, 21].map((cout): Case => (
    { name: `two rows: 3x3 stride 2 onto 16-pixel rows, 4 -> ${cout} channels, batch 2`, x: [2, 4, 5, 32], cout, k: [3, 3], options: { stride: 2, padding: "same" } })),
  { name: "two rows: 3x3 stride 2 onto 13-pixel rows, 6 -> 9 channels", x: [1, 6, 7, 26], cout: 9, k: [3, 3], options: { stride: 2, padding: "same" } },
  // Rows of 8 and 7 outputs: four-row tiles where tiles have 32 columns, two-row ones at width
  // 4 (16 columns); 5 and 10 rows leave the last four-row tile ragged.
  { name: "several rows: 3x3 on 8-pixel rows, 12 -> 3 channels, batch 2", x: [2, 12, 5, 8], cout: 3, k: [3, 3], options: { padding: "same" } },
  { name: "several rows: 3x3 on 7-pixel rows, 5 -> 21 channels", x: [1, 5, 5, 7], cout: 21, k: [3, 3], options: { padding: "same" } },
  ...[3, 7, 12, 21].map((cout): Case => (
    { name: `several rows: 5x5 stride 2 onto 8-pixel rows, 4 -> ${cout} channels, batch 2`, x: [2, 4, 5, 16], cout, k: [5, 5], options: { stride: 2, padding: "same" } })),
  { name: "several rows: 5x5 stride 2 onto 7-pixel rows, 6 -> 9 channels, batch 2", x: [2, 6, 5, 14], cout: 9, k: [5, 5], options: { stride: 2, padding: "same" } },
];

/**
 * Filter gradients for the lanes filter kernels (conv2d_filter_*): 3 and 5 taps along x, stride
 * 1 and 2, output rows of 16 and 24 pixels (multiples of every tile's steps per iteration),
 * column groups that leave the last tile ragged, and 3, 7, 12 and 20 output channels, which
 * between them reach every tile height of the widths 4, 8 and 16 ("the filter kernels run"
 * checks that).
 */
const FILTER_CASES: Case[] = [3, 7, 12, 20].flatMap((cout): Case[] => [
  { name: `filter: 3x3 on 16-pixel rows, 5 -> ${cout} channels, batch 2`, x: [2, 5, 4, 16], cout, k: [3, 3], options: { padding: "same" } },
  { name: `filter: 5x3 on 24-pixel rows, 4 -> ${cout} channels`, x: [1, 4, 6, 24], cout, k: [5, 3], options: { padding: "same" } },
  { name: `filter: 5x5 on 24-pixel rows, 3 -> ${cout} channels`, x: [1, 3, 6, 24], cout, k: [5, 5], options: { padding: "same" } },
  { name: `filter: 5x5 stride 2 on 32-pixel rows, 2 -> ${cout} channels, batch 2`, x: [2, 2, 6, 32], cout, k: [5, 5], options: { stride: 2, padding: "same" } },
]);

/**
 * GEMMs of at most 16 columns, for the narrow lanes tiles (conv2d_lanes_*_n16, at the widths
 * that have them): 5x5 stride-2 convolutions with 3 x 3 outputs (9 columns; the stride
 * phases of their input gradients take 6 and 9), with 5, 12, 20 and 40 output channels, so
 * every tile height runs.
 */
const NARROW_CASES: Case[] = [5, 12, 20, 40].map((cout) => (
  { name: `narrow: 5x5 stride 2 on a 5 x 6 map, 7 -> ${cout} channels`, x: [1, 7, 5, 6], cout, k: [5, 5], options: { stride: 2, padding: "same" } }
));

const CASES = sweep();
/** The cases sweep() appends after the generated ones. */
const BIG_CASES = 10 + WINDOW_CASES.length + FILTER_CASES.length + NARROW_CASES.length;

t.test("samePadding matches TF 'SAME'", async (t) => {
  t.same(samePadding(8, 3, 2, 1), [0, 1], "k3 s2 on an even size: 0 before, 1 after");
  t.same(samePadding(7, 3, 2, 1), [1, 1], "k3 s2 on an odd size: 1 and 1");
  t.same(samePadding(64, 5, 2, 1), [1, 2], "k5 s2 on an even size: 1 before, 2 after");
  t.same(samePadding(64, 3, 1, 4), [4, 4], "dilation r pads r on each side");
  t.same(samePadding(9, 4, 1, 1), [1, 2], "an even kernel puts the odd pixel after");
  t.same(samePadding(3, 1, 2, 1), [0, 0], "a 1x1 kernel needs none");
});

t.test("conv2d matches the reference on the sweep, every variant", async (t) => {
  t.ok(CASES.length > 40, `the sweep has ${CASES.length} cases`);
  for (const variant of VARIANTS) {
    for (const c of CASES) {
      const x = upload(c.x);
      const w = upload([c.cout, c.x[1], ...c.k]);
      const bias = upload([c.cout]);
      const y = conv2d(x.t, w.t, { ...c.options, variant }, bias.t);
      const expected = conv2dRef(x.a, w.a, refParams(c), bias.a);
      t.same(y.shape, expected.shape, `${variant} ${c.name}: shape`);
      assertClose(t, await y.read(), expected.data, CONV, `${variant} ${c.name}`);
      [x.t, w.t, bias.t, y].forEach((a) => a.dispose());
    }
  }
});

t.test("conv2dBackwardInput matches the reference on the zero-padded sweep, every variant", async (t) => {
  for (const variant of VARIANTS) {
    for (const c of CASES.filter((c) => (c.options.padMode ?? "zero") === "zero")) {
      const p = refParams(c);
      const w = upload([c.cout, c.x[1], ...c.k]);
      const ho = conv2dRef({ data: new Float64Array(c.x.reduce((a, b) => a * b)), shape: c.x }, w.a, p).shape;
      const gy = upload(ho);
      const gx = conv2dBackwardInput(gy.t, w.t, c.x, { ...c.options, variant });
      assertClose(t, await gx.read(), conv2dBackwardInputRef(gy.a, w.a, c.x, p).data, CONV, `${variant} ${c.name}`);
      [gy.t, w.t, gx].forEach((a) => a.dispose());
    }
  }
});

/** A filter-gradient case's x, weight shape and output gradient (uploaded), and the reference gradient. */
function filterOperands(c: Case) {
  const p = refParams(c);
  const x = upload(c.x);
  const wShape = [c.cout, c.x[1], ...c.k];
  const outShape = conv2dRef(x.a, { data: new Float64Array(wShape.reduce((a, b) => a * b)), shape: wShape }, p).shape;
  const gy = upload(outShape);
  return { x: x.t, gy: gy.t, wShape, outShape, expected: conv2dBackwardFilterRef(x.a, gy.a, wShape, p).data };
}

t.test("conv2dBackwardFilter matches the reference on the sweep", async (t) => {
  for (const variant of VARIANTS) {
    for (const c of CASES) {
      const { x, gy, wShape, expected } = filterOperands(c);
      const gw = conv2dBackwardFilter(x, gy, wShape, { ...c.options, variant });
      // The reduction runs over batch * ho * wo products: a little more rounding.
      assertClose(t, await gw.read(), expected, { atol: 5e-5, rtol: 1e-4 }, `${variant} ${c.name}`);
      [x, gy, gw].forEach((a) => a.dispose());
    }
  }
});

const noLanes = lanesWidth(device) === null ? `no lanes kernels run here: ${lanesMissing(device)}` : false;

/** Runs `cases` on the lanes variant and checks that they launch exactly the `family` kernels `expected` names. */
async function familyRuns(t: Test, family: string, expected: string[], cases: Case[], run: (c: Case, x: Tensor, w: Tensor) => void): Promise<void> {
  const { launches } = recordLaunches(device, () => {
    for (const c of cases) tidy(() => run(c, upload(c.x).t, upload([c.cout, c.x[1], ...c.k]).t));
  });
  const ran = new Set(launches.map((l) => l.kernel));
  t.same([...ran].filter((name) => name.startsWith(family)).sort(), [...expected].sort(), `the cases use each of the ${expected.length} ${family}* kernels of width ${lanesWidth(device)}`);
}

t.test("the window kernels run: every tile height and tap count of this subgroup width", { skip: noLanes }, async (t) => {
  const expected = windowKernelNames(lanesWidth(device)!);
  await familyRuns(t, "conv2d_window_", expected, WINDOW_CASES, (c, x, w) => {
    const y = conv2d(x, w, { ...c.options, variant: "lanes" });
    conv2dBackwardInput(y, w, c.x, { ...c.options, variant: "lanes" });
  });
});

t.test("the filter kernels run: every tile height and window of this subgroup width", { skip: noLanes }, async (t) => {
  const expected = filterKernelNames(lanesWidth(device)!);
  await familyRuns(t, "conv2d_filter_", expected, FILTER_CASES, (c, x, w) => {
    conv2dBackwardFilter(x, conv2d(x, w, c.options), w.shape, { ...c.options, variant: "lanes" });
  });
});

const noNarrow = noLanes || (LANES_TILES[lanesWidth(device)!].convNarrowCols === null
  ? `width ${lanesWidth(device)} has no narrow conv tiles (lanes_core.TILES says why)` : false);

t.test("the narrow lanes tiles run: every tile height of this subgroup width", { skip: noNarrow }, async (t) => {
  const width = lanesWidth(device)!;
  const expected = lanesKernelNames(width).filter((name) => /_n\d+$/.test(name));
  await familyRuns(t, `conv2d_lanes_w${width}_`, expected, NARROW_CASES, (c, x, w) => {
    conv2d(x, w, { ...c.options, variant: "lanes" });
  });
});

/**
 * Filter gradients whose output-gradient planes are 1024 floats apart (32 x 32, also as a
 * stride-2 layer's output) and one whose planes are not, so the packed variant copies twice
 * and reads the third in place.
 */
const PACKED_CASES: Case[] = [
  { name: "3x3 same, 5 -> 3 channels onto 32 x 32", x: [2, 5, 32, 32], cout: 3, k: [3, 3], options: { padding: "same" } },
  { name: "5x5 stride 2, 3 -> 6 channels onto 32 x 32", x: [1, 3, 64, 64], cout: 6, k: [5, 5], options: { stride: 2, padding: "same" } },
  { name: "3x3 same, 4 -> 5 channels onto 31 x 33", x: [1, 4, 31, 33], cout: 5, k: [3, 3], options: { padding: "same" } },
];
/** Float32 sums of up to 2048 products of values in [-1, 1]. */
const LONG_SUM: Tolerance = { atol: 2e-4, rtol: 1e-4 };

t.test("lanes-packed filter gradients read aliased output-gradient planes from a channels-last copy", { skip: noLanes }, async (t) => {
  for (const c of PACKED_CASES) {
    const { x, gy, wShape, outShape, expected } = filterOperands(c);
    const aliased = (outShape[2]! * outShape[3]!) % 1024 === 0;
    for (const variant of ["lanes", "lanes-packed"] as const) {
      const { result: gw, launches } = recordLaunches(device, () => conv2dBackwardFilter(x, gy, wShape, { ...c.options, variant }));
      const copies = launches.filter((l) => l.kernel === "copy_strided").length;
      t.equal(copies, variant === "lanes-packed" && aliased ? 1 : 0, `${variant} ${c.name}: ${copies} channels-last copies`);
      assertClose(t, await gw.read(), expected, LONG_SUM, `${variant} ${c.name}`);
      gw.dispose();
    }
    [x, gy].forEach((a) => a.dispose());
  }
  // The other directions have no row operand to pack: the packed variant runs them as "lanes".
  const c = PACKED_CASES[0]!;
  const [x, w] = [upload(c.x).t, upload([c.cout, c.x[1], ...c.k]).t];
  for (const variant of ["lanes", "lanes-packed"] as const) {
    const { result, launches } = recordLaunches(device, () => {
      const y = conv2d(x, w, { ...c.options, variant });
      return [y, conv2dBackwardInput(y, w, c.x, { ...c.options, variant })];
    });
    t.notOk(launches.some((l) => l.kernel === "copy_strided"), `${variant}: forward and input gradient make no copy`);
    result.forEach((r) => r.dispose());
  }
  [x, w].forEach((a) => a.dispose());
});

t.test("mirror padding: the input gradient of conv2d folds back through pad", async (t) => {
  for (const padMode of ["reflect", "symmetric"] as const) {
    const c: Case = { name: padMode, x: [2, 3, 7, 6], cout: 4, k: [3, 3], options: { padding: [2, 1, 1, 2], padMode, dilation: [1, 2] } };
    const p = refParams(c);
    const x = upload(c.x);
    const w = upload([c.cout, c.x[1], ...c.k]);
    const gy = upload(conv2dRef(x.a, w.a, p).shape);
    const [gx] = tidy(() => grad(conv2d(requireGrad(x.t), w.t, c.options), [x.t], { gradOutputs: [gy.t] }));
    assertClose(t, await gx!.read(), conv2dBackwardInputRef(gy.a, w.a, c.x, p).data, CONV, `${padMode}: d/dx`);
    [x.t, w.t, gy.t, gx!].forEach((a) => a.dispose());
  }
  const gy = device.tensor(randomValues(2 * 2 * 5 * 5, 1), [2, 2, 5, 5]);
  const w = device.tensor(randomValues(2 * 2 * 9, 2), [2, 2, 3, 3]);
  t.throws(() => conv2dBackwardInput(gy, w, [2, 2, 5, 5], { padding: 1, padMode: "reflect" }), /conv2dBackwardInput: reflect padding/, "the direct transposed form refuses mirror padding");
  [gy, w].forEach((a) => a.dispose());
});

/** Sum of elementwise products, in float64 on the CPU. */
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * b[i]!, 0);

t.test("adjoint identities on random shapes: <conv(x, w), y> = <x, dInput(y, w)> = <w, dFilter(x, y)>", async (t) => {
  let state = 12345;
  const pick = (n: number) => ((state = (state * 1103515245 + 12345) >>> 0) % n);
  for (let trial = 0; trial < 12; trial++) {
    const k: [number, number] = [1 + pick(5), 1 + pick(5)];
    const stride: [number, number] = [1 + pick(3), 1 + pick(2)];
    const dilation: [number, number] = [1 + pick(3), 1 + pick(2)];
    const padding: [number, number, number, number] = [pick(3), pick(3), pick(3), pick(3)];
    const xShape: [number, number, number, number] = [1 + pick(3), 1 + pick(5), 8 + pick(6), 8 + pick(6)];
    const cout = 1 + pick(6);
    const options = { stride, dilation, padding, variant: VARIANTS[trial % VARIANTS.length] };
    const x = upload(xShape);
    const w = upload([cout, xShape[1], ...k]);
    const y = conv2d(x.t, w.t, options);
    const v = upload(y.shape);
    const gx = conv2dBackwardInput(v.t, w.t, xShape, options);
    const gw = conv2dBackwardFilter(x.t, v.t, w.t.shape, options);
    const lhs = dot(await y.read(), v.a.data);
    const name = `trial ${trial}: x[${xShape}] w[${w.t.shape}] ${JSON.stringify(options)}`;
    assertClose(t, [dot(x.a.data, await gx.read())], [lhs], ADJOINT, `${name}: input adjoint`);
    assertClose(t, [dot(w.a.data, await gw.read())], [lhs], ADJOINT, `${name}: filter adjoint`);
    [x.t, w.t, y, v.t, gx, gw].forEach((a) => a.dispose());
  }
});

t.test("convTranspose2d: PyTorch's sizes and weight layout, 'same' padding and an explicit output size", async (t) => {
  const x = upload([2, 3, 4, 5]);
  const w = upload([3, 2, 4, 4]); // [cin, cout, kh, kw]
  const p: RefConvParams = { kernel: [4, 4], stride: [2, 2], dilation: [1, 1], padding: [1, 1, 1, 1], padMode: "zero" };
  const y = convTranspose2d(x.t, w.t, { stride: 2, padding: 1 });
  t.same(y.shape, [2, 2, 8, 10], "(H - 1) * 2 - 2 + 3 + 1 = 2H");
  assertClose(t, await y.read(), conv2dBackwardInputRef(x.a, w.a, [2, 2, 8, 10], p).data, CONV, "values");
  // A 3x3 kernel at stride 2 makes 'same' asymmetric (0 before, 1 after), unlike padding 1.
  const w3 = upload([3, 2, 3, 3]);
  const same = convTranspose2d(x.t, w3.t, { stride: 2, padding: "same" });
  t.same(same.shape, [2, 2, 8, 10], "'same' gives H * stride");
  const pSame: RefConvParams = { ...p, kernel: [3, 3], padding: [...samePaddingRef(8, 3, 2, 1), ...samePaddingRef(10, 3, 2, 1)] };
  t.same(pSame.padding, [0, 1, 0, 1], "the reference pads 'same' 0 before and 1 after here");
  assertClose(t, await same.read(), conv2dBackwardInputRef(x.a, w3.a, [2, 2, 8, 10], pSame).data, CONV, "'same' values: the adjoint of a 'same' convolution of the output size");
  const sized = convTranspose2d(x.t, w.t, { stride: 2, padding: 1 }, [9, 11]);
  t.same(sized.shape, [2, 2, 9, 11], "outputSize picks the other size that maps back to H");
  assertClose(t, await sized.read(), conv2dBackwardInputRef(x.a, w.a, [2, 2, 9, 11], p).data, CONV, "explicit output size values: the last row and column get only the taps that reach them");
  t.throws(() => convTranspose2d(x.t, w.t, { stride: 2, padding: 1 }, [12, 10]), /conv2dBackwardInput: a convolution of/, "an output size that does not map back is refused");
  [x.t, w.t, w3.t, y, same, sized].forEach((a) => a.dispose());
});

t.test("errors name the op and the shapes", async (t) => {
  const x = device.tensor(randomValues(2 * 3 * 5 * 5, 3), [2, 3, 5, 5]);
  const w = device.tensor(randomValues(4 * 2 * 9, 4), [4, 2, 3, 3]);
  t.throws(() => conv2d(x, w), /conv2d: the weight \[4, 2, 3, 3\] must be \[cout, cin, kh, kw\] with cin = 3/);
  const w3 = device.tensor(randomValues(4 * 3 * 9, 5), [4, 3, 3, 3]);
  t.throws(() => conv2d(x, w3, { dilation: 4 }), /conv2d: the input \[2, 3, 5, 5\] is smaller than the dilated kernel/);
  t.throws(() => conv2d(x, w3, {}, w3), /conv2d: the bias \[4, 3, 3, 3\] must be \[4\]/);
  t.throws(() => conv2dBackwardFilter(x, x, [4, 3, 3, 3]), /conv2dBackwardFilter: a convolution of \[2, 3, 5, 5\] by \[4, 3, 3, 3\]/);
  [x, w, w3].forEach((a) => a.dispose());
});

const GRAD_CASES: { name: string; x: [number, number, number, number]; cout: number; k: number; options: ConvOptions }[] = [
  { name: "k3 s2 same (asymmetric)", x: [2, 2, 6, 5], cout: 3, k: 3, options: { stride: 2, padding: "same" } },
  { name: "k3 d2 explicit padding", x: [1, 2, 6, 7], cout: 2, k: 3, options: { dilation: 2, padding: [2, 1, 0, 2] } },
  { name: "k4 s2 reflect", x: [1, 2, 6, 6], cout: 2, k: 4, options: { stride: 2, padding: [1, 2, 2, 1], padMode: "reflect" } },
];

t.test("gradcheck: conv2d with respect to x, w and bias", async (t) => {
  for (const variant of VARIANTS) {
    for (const c of GRAD_CASES) {
      const x = upload(c.x).t;
      const w = upload([c.cout, c.x[1], c.k, c.k]).t;
      const b = upload([c.cout]).t;
      const result = await gradcheck((x, w, b) => conv2d(x!, w!, { ...c.options, variant }, b), [x, w, b]);
      t.ok(result.ok, `${variant} ${c.name} (worst excess ${result.worstExcess.toExponential(2)})`);
      [x, w, b].forEach((a) => a.dispose());
    }
  }
});

t.test("gradcheck: conv2dBackwardInput and conv2dBackwardFilter with respect to both inputs", async (t) => {
  for (const variant of VARIANTS) {
    for (const c of GRAD_CASES.filter((c) => !c.options.padMode)) {
      const x = upload(c.x).t;
      const wShape = [c.cout, c.x[1], c.k, c.k];
      const w = upload(wShape).t;
      const y = conv2d(x, w, c.options);
      const gy = upload(y.shape).t;
      y.dispose();
      const options = { ...c.options, variant };
      const input = await gradcheck((gy, w) => conv2dBackwardInput(gy!, w!, c.x, options), [gy, w]);
      t.ok(input.ok, `${variant} ${c.name}: backwardInput (worst excess ${input.worstExcess.toExponential(2)})`);
      const filter = await gradcheck((x, gy) => conv2dBackwardFilter(x!, gy!, wShape, options), [x, gy]);
      t.ok(filter.ok, `${variant} ${c.name}: backwardFilter (worst excess ${filter.worstExcess.toExponential(2)})`);
      [x, w, gy].forEach((a) => a.dispose());
    }
  }
});

/**
 * x, w and bias of case c for a check through an activation whose slope jumps at 0: drawn
 * from seeds of their own from `firstSeed` on (not the shared counter, which depends on the
 * variants this adapter runs and on every case drawn before), the first draw whose
 * pre-activations take both signs and all keep `margin` from 0. A finite-difference step
 * (gradcheck's eps 1e-3, gradgradcheck's 1e-2) in any input then moves a pre-activation by
 * less than the margin, so no central difference straddles the kink.
 */
function kinkFreeInputs(c: Case, margin: number, firstSeed: number): [Tensor, Tensor, Tensor] {
  const shapes = [c.x, [c.cout, c.x[1], ...c.k], [c.cout]];
  for (let draw = 0; ; draw++) {
    const [x, w, b] = shapes.map((shape, i) => ({ data: randomValues(shape.reduce((p, d) => p * d, 1), firstSeed + 10 * draw + i), shape }));
    const pre = Array.from(conv2dRef(x!, w!, refParams(c), b!).data);
    if (pre.some((v) => v < 0) && pre.some((v) => v > 0) && pre.every((v) => Math.abs(v) >= margin)) {
      return [x!, w!, b!].map((a) => device.tensor(a.data, a.shape)) as [Tensor, Tensor, Tensor];
    }
  }
}

t.test("gradgradcheck: the critic's layer leakyRelu(conv2d(x, w)) and the backward ops", async (t) => {
  const layer: Case = { name: "critic layer", x: [1, 2, 6, 6], cout: 2, k: [5, 5], options: { stride: 2, padding: "same" } };
  const [x, w, b] = kinkFreeInputs(layer, 0.05, 900);
  const critic = await gradgradcheck((x, w, b) => leakyRelu(conv2d(x!, w!, { stride: 2, padding: "same" }, b), 0.2), [x, w, b]);
  t.ok(critic.ok, `k5 s2 same + leakyRelu (worst excess ${critic.worstExcess.toExponential(2)})`);
  const gy = upload([1, 2, 3, 3]).t;
  const options: ConvOptions = { stride: 2, padding: "same" };
  const input = await gradgradcheck((gy, w) => conv2dBackwardInput(gy!, w!, [1, 2, 6, 6], options), [gy, w]);
  t.ok(input.ok, `backwardInput twice (worst excess ${input.worstExcess.toExponential(2)})`);
  const filter = await gradgradcheck((x, gy) => conv2dBackwardFilter(x!, gy!, [2, 2, 5, 5], options), [x, gy]);
  t.ok(filter.ok, `backwardFilter twice (worst excess ${filter.worstExcess.toExponential(2)})`);
  [x, w, b, gy].forEach((a) => a.dispose());
  t.equal(device.memory().liveTensors, 0, "nothing leaks");
});


/** Activations for the convolution's epilogue; leaky ReLU's slope is not 0.2, so a slope fixed in a kernel fails. */
const FUSED: readonly { f: ActivationFunction; ref: (v: number) => number }[] = [
  { f: { kind: "elu", parameter: 0.7 }, ref: unaryFn("elu", 0.7) },
  { f: { kind: "leakyRelu", parameter: 0.3 }, ref: unaryFn("leakyRelu", 0.3) },
  { f: { kind: "relu", parameter: 0 }, ref: unaryFn("relu") },
];

/**
 * x, w and bias for case c from the shared counter and the reference's pre-activations, drawn
 * again while those all lie on one side of 0: there an activation is linear, and a small
 * case's draw can land there.
 */
function uploadBothSigns(c: Case) {
  for (;;) {
    const [x, w, bias] = [upload(c.x), upload([c.cout, c.x[1], ...c.k]), upload([c.cout])];
    const expected = Array.from(conv2dRef(x.a, w.a, refParams(c), bias.a).data);
    if (expected.some((v) => v < 0) && expected.some((v) => v > 0)) return { x, w, bias, expected };
    [x.t, w.t, bias.t].forEach((a) => a.dispose());
  }
}

t.test("conv2d with an activation epilogue matches activation(reference) in float64 on the sweep, every variant", async (t) => {
  for (const variant of VARIANTS) {
    for (const [i, c] of CASES.entries()) {
      // One activation per case of the sweep, rotated so that each meets every padding mode
      // and size (those cycle with period 3 too); all three on the cases bigger than a tile.
      for (const { f, ref } of i >= CASES.length - BIG_CASES ? FUSED : [FUSED[(i + Math.floor(i / 3)) % FUSED.length]!]) {
        const { x, w, bias, expected } = uploadBothSigns(c);
        const y = conv2d(x.t, w.t, { ...c.options, variant }, bias.t, f);
        assertClose(t, await y.read(), expected.map(ref), CONV, `${variant} ${f.kind} ${c.name}`);
        [x.t, w.t, bias.t, y].forEach((a) => a.dispose());
      }
    }
  }
});

t.test("gradcheck: conv2d with each activation epilogue, with respect to x, w and bias", async (t) => {
  for (const variant of VARIANTS) {
    for (const c of GRAD_CASES) {
      for (const { f } of FUSED) {
        const [x, w, b] = kinkFreeInputs({ ...c, k: [c.k, c.k] }, 0.01, 5000);
        const result = await gradcheck((x, w, b) => conv2d(x!, w!, { ...c.options, variant }, b, f), [x, w, b]);
        t.ok(result.ok, `${variant} ${f.kind} ${c.name} (worst excess ${result.worstExcess.toExponential(2)})`);
        [x, w, b].forEach((a) => a.dispose());
      }
      if (variant !== VARIANTS[0]) break; // the others on the first case only: the vjp is the same code
    }
  }
});

t.test("gradgradcheck: the critic's fused layer conv2d + leakyRelu, and conv2d + elu", async (t) => {
  // ELU with DeepFill's alpha 1, whose slope is continuous at 0: with another alpha the
  // first derivative jumps there, and a finite difference across the jump means nothing.
  // Leaky ReLU's first derivative jumps at 0 too, so the data are fixed (not drawn from the
  // shared seed counter, which depends on the variants this adapter runs) and chosen so that
  // every pre-activation is far from 0: no finite difference (eps 1e-2) crosses a kink.
  const activations: ActivationFunction[] = [{ kind: "leakyRelu", parameter: 0.3 }, { kind: "elu", parameter: 1 }];
  const fixed = (shape: number[], seed: number) => ({ data: randomValues(shape.reduce((a, b) => a * b, 1), seed), shape });
  const [xa, wa, ba] = [fixed([1, 2, 6, 6], 649), fixed([2, 2, 5, 5], 1649), fixed([2], 2649)];
  const pre = Array.from(conv2dRef(xa, wa, { kernel: [5, 5], stride: [2, 2], dilation: [1, 1], padding: [1, 2, 1, 2], padMode: "zero" }, ba).data);
  t.ok(pre.every((v) => Math.abs(v) > 0.5) && pre.some((v) => v < 0), "pre-activations of both signs, none within 0.5 of 0");
  for (const f of activations) {
    const [x, w, b] = [xa, wa, ba].map((a) => device.tensor(a.data, a.shape));
    const result = await gradgradcheck((x, w, b) => conv2d(x!, w!, { stride: 2, padding: "same" }, b, f), [x, w, b]);
    t.ok(result.ok, `k5 s2 same + ${f.kind} (worst excess ${result.worstExcess.toExponential(2)})`);
    [x, w, b].forEach((a) => a.dispose());
  }
  t.equal(device.memory().liveTensors, 0, "nothing leaks");
});

t.test("the fused activation equals the separate op, values and gradients; a negative parameter is refused", async (t) => {
  const options: ConvOptions = { stride: 2, padding: "same" };
  for (const { f } of FUSED) {
    const x = requireGrad(upload([2, 3, 9, 7]).t);
    const w = requireGrad(upload([5, 3, 3, 3]).t);
    const b = requireGrad(upload([5]).t);
    const gy = upload([2, 5, 5, 4]).t;
    const [fused, ...fusedGrads] = tidy(() => {
      const y = conv2d(x, w, options, b, f);
      return [y, ...grad(y, [x, w, b], { gradOutputs: [gy] })];
    });
    const [separate, ...separateGrads] = tidy(() => {
      const y = activation(conv2d(x, w, options, b), f);
      return [y, ...grad(y, [x, w, b], { gradOutputs: [gy] })];
    });
    assertClose(t, await fused!.read(), await separate!.read(), CONV, `${f.kind}: values`);
    for (const [i, name] of ["x", "w", "bias"].entries()) {
      assertClose(t, await fusedGrads[i]!.read(), await separateGrads[i]!.read(), ADJOINT, `${f.kind}: d/d${name}`);
    }
    [x, w, b, gy, fused!, separate!, ...fusedGrads, ...separateGrads].forEach((a) => a!.dispose());
  }
  const x = upload([1, 1, 3, 3]).t;
  const w = upload([1, 1, 1, 1]).t;
  t.throws(() => conv2d(x, w, {}, undefined, { kind: "leakyRelu", parameter: -0.1 }), /leakyRelu: the parameter must be >= 0/, "a negative slope is named");
  [x, w].forEach((a) => a.dispose());
  t.equal(device.memory().liveTensors, 0, "nothing leaks");
});
