// activationBackwardSum (kernels/activation_backward_sum.wgsl): the gradient below an
// activation and its per-channel sum in one pass, against float64 references, for each
// activation, on shapes that are not multiples of the workgroup's lanes; the launches it
// makes with and without a recorded graph; and the gradients of a convolution layer that
// goes through it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Test } from "tap";
import { conv2d, grad, gradcheck, requireGrad, tidy, type ActivationFunction, type Tensor } from "../src/index.js";
import { activationBackwardSum } from "../src/autograd/ops/activation-backward-sum.js";
import { withGrad } from "../src/autograd/graph.js";
import { conv2dRef, type RefConvParams } from "./reference/conv.js";
import { unaryFn } from "./reference/elementwise.js";
import type { NdArray } from "./reference/layout.js";
import { assertClose, FORWARD, leakCheckedTest, randomArray, recordLaunches, testDevice, type Tolerance } from "./helpers.js";

const device = await testDevice();
const test = (name: string, body: (t: Test) => Promise<void>) => leakCheckedTest(device, name, body);
/** A float32 sum of n terms of size about 1 may be off by about n * 6e-8 in absolute terms. */
const SUM: Tolerance = { atol: 1e-3, rtol: 1e-4 };

/** Each activation with its slope f'(x). */
const ACTIVATIONS: [ActivationFunction, (x: number) => number][] = [
  [{ kind: "relu", parameter: 0 }, (x) => (x > 0 ? 1 : 0)],
  [{ kind: "leakyRelu", parameter: 0.2 }, (x) => (x > 0 ? 1 : 0.2)],
  [{ kind: "elu", parameter: 0.8 }, (x) => (x > 0 ? 1 : 0.8 * Math.exp(x))],
];

/** float64 references: dx = g f'(x) and its sums over every axis but 1. */
function reference(x: NdArray, g: NdArray, slope: (x: number) => number): [NdArray, NdArray] {
  const [outer, kept] = [x.shape[0]!, x.shape[1]!];
  const inner = x.data.length / (outer * kept);
  const dx = Float64Array.from(x.data, (v, i) => g.data[i]! * slope(v));
  const sums = new Float64Array(kept);
  dx.forEach((v, i) => (sums[Math.floor(i / inner) % kept]! += v));
  return [{ data: dx, shape: x.shape }, { data: sums, shape: [kept] }];
}

test("the fused pass equals g f'(x) and its channel sums, in one launch where pixels come in vec4s", async (t) => {
  // Pixels per channel: 4 (fewer terms than lanes), 12, 100 and 1296 (past the 64 lanes, not
  // a multiple of them), and 15 and 6, which are not whole vec4s and take the two ops.
  const shapes = [[5, 2, 2, 2], [3, 5, 4, 3], [2, 7, 10, 10], [1, 3, 36, 36], [2, 3, 3, 5], [3, 4, 6]];
  for (const [i, shape] of shapes.entries()) {
    const x = randomArray(shape, 300 + i, -2, 2);
    const g = randomArray(shape, 400 + i);
    const inner = shape.slice(2).reduce((a, b) => a * b, 1);
    for (const [f, slope] of ACTIVATIONS) {
      const y = device.tensor(Float64Array.from(x.data, unaryFn(f.kind, f.parameter)), shape);
      const gt = device.tensor(g.data, shape);
      const { result: [dx, sums], launches } = recordLaunches(device, () => activationBackwardSum(f, gt, y));
      const fused = launches.some((l) => l.kernel === "activation_backward_sum");
      t.equal(fused, inner % 4 === 0, `${f.kind} ${JSON.stringify(shape)}: ${inner % 4 === 0 ? "one fused launch" : "the two ops"}`);
      const [dxRef, sumsRef] = reference(x, g, slope);
      assertClose(t, await dx.read(), dxRef.data, FORWARD, `${f.kind} ${JSON.stringify(shape)}: g f'(x)`);
      assertClose(t, await sums.read(), sumsRef.data, SUM, `${f.kind} ${JSON.stringify(shape)}: channel sums`);
      [y, gt, dx, sums].forEach((a) => a.dispose());
    }
  }
});

test("under a recorded graph it takes the two differentiable ops", async (t) => {
  const shape = [2, 3, 4, 4];
  const y = device.tensor(randomArray(shape, 501).data, shape);
  const g = requireGrad(device.tensor(randomArray(shape, 502).data, shape));
  const { result, launches } = recordLaunches(device, () => withGrad(() => activationBackwardSum({ kind: "elu", parameter: 1 }, g, y)));
  t.notOk(launches.some((l) => l.kernel === "activation_backward_sum"), "no fused launch while recording");
  t.ok(launches.some((l) => l.kernel === "activation_backward"), "the activation's own vjp instead");
  [y, g, ...result].forEach((a) => a.dispose());
});

test("a convolution layer's gradients through the fused pass pass gradcheck", async (t) => {
  // 4x4 outputs: whole vec4s, so the layer's vjp takes the fused kernel (checked below).
  // ReLU's and leaky ReLU's slopes jump at 0, so the inputs are the first draw whose
  // pre-activations all keep 0.01 from 0: a step of gradcheck's eps (1e-3) crosses no kink.
  const shapes = [[2, 2, 4, 4], [3, 2, 3, 3], [3]];
  const p: RefConvParams = { kernel: [3, 3], stride: [1, 1], dilation: [1, 1], padding: [1, 1, 1, 1], padMode: "zero" };
  let draw = 0;
  let arrays = shapes.map((shape, i) => randomArray(shape, 600 + i));
  while (!Array.from(conv2dRef(arrays[0]!, arrays[1]!, p, arrays[2]!).data).every((v) => Math.abs(v) >= 0.01)) {
    draw++;
    arrays = shapes.map((shape, i) => randomArray(shape, 600 + 10 * draw + i));
  }
  for (const [f] of ACTIVATIONS) {
    const [x, w, b] = arrays.map((a) => requireGrad(device.tensor(a.data, a.shape)));
    const layer = (x: Tensor, w: Tensor, b: Tensor) => conv2d(x, w, { padding: "same" }, b, f);
    const gy = device.tensor(randomArray([2, 3, 4, 4], 700).data, [2, 3, 4, 4]);
    const { launches } = recordLaunches(device, () => tidy(() => grad(layer(x!, w!, b!), [x!, w!, b!], { gradOutputs: [gy] })).forEach((a) => a?.dispose()));
    gy.dispose();
    t.ok(launches.some((l) => l.kernel === "activation_backward_sum"), `${f.kind}: the backward pass launches the fused kernel`);
    const result = await gradcheck((x, w, b) => layer(x!, w!, b!), [x!, w!, b!]);
    t.ok(result.ok, `${f.kind}: gradcheck w.r.t. x, w and bias (worst excess ${result.worstExcess.toExponential(2)})`);
    [x, w, b].forEach((a) => a!.dispose());
  }
});

test("its slopes are activation_backward's, case for case", async (t) => {
  // WGSL has no includes, so the fused kernel carries its own copy of the slope function.
  const kernels = fileURLToPath(new URL("../../kernels/", import.meta.url));
  const cases = (file: string) => readFileSync(`${kernels}/${file}`, "utf8").split("\n").filter((l) => /^\s*case [012]u:/.test(l)).map((l) => l.trim());
  const fused = cases("activation_backward_sum.wgsl");
  t.equal(fused.length, 3, "relu, elu and leaky ReLU");
  t.same(fused, cases("activation_backward.wgsl"), "the same three cases");
});
