/**
 * Convolution cases, forward and both gradients each: the peers' reference shape (3x3,
 * 128 -> 128, 64x64) at batch 1 and 4 and dilation 1 to 16; the model's first layer (5x5,
 * 5 -> 32, 256x256); a stride-2 downsampling layer (3x3, 32 -> 64, 256x256); the global
 * critic's second layer (5x5 stride 2, 64 -> 128, 128x128); and the attention paste-back
 * (transposed 4x4 stride 2, 1024 -> 128, 32x32 -> 64x64). "auto" is what the model runs,
 * after tuneConv has timed the candidate kernels of that direction and shape (the note
 * names the winner and each candidate's time); the other variants of the reference shape
 * come with --all, for comparison. Each case also describes its work for the tfjs peer of
 * --peers (NHWC activations, HWIO filters; tfjs has no gradients of dilated convolutions).
 */
import {
  conv2d, conv2dBackwardFilter, conv2dBackwardInput, convTranspose2d, tuneConv,
  type ConvDirection, type ConvOptions, type ConvVariant, type Device, type Tensor,
} from "../../src/index.js";
import { register, sineValues, type Prepared } from "../harness.js";
import { hwioFrom, nhwcFrom, type Tfjs, type TfjsPeerCase, type TfjsTensor } from "../tfjs-peer.js";

export type Which = "forward" | "backwardInput" | "backwardFilter";
const ALL: Which[] = ["forward", "backwardInput", "backwardFilter"];

export interface Shape {
  label: string;
  x: [number, number, number, number];
  cout: number;
  k: number;
  options: ConvOptions;
}

const DIRECTION: Record<Which, ConvDirection> = { forward: "conv2d", backwardInput: "conv2dBackwardInput", backwardFilter: "conv2dBackwardFilter" };

/** tfjs's outputs back to our layouts: NHWC -> NCHW, HWIO -> [cout, cin, kh, kw]. */
const TO_NCHW = [0, 3, 1, 2];
const TO_OIHW = [3, 2, 0, 1];

/**
 * The same direction in tfjs: conv2d, conv2dTranspose (which is tfjs's conv2DBackpropInput)
 * and the Conv2DBackpropFilter kernel that tf.grad of conv2d runs. Every shape here pads
 * "same", TF's SAME as tfjs has it.
 */
export function tfjsCase(s: Shape, which: Which, values: { x: Float32Array; w: Float32Array; gy: Float32Array }, yShape: readonly number[], ours: () => Tensor): TfjsPeerCase | string {
  const [b, cin, h, w] = s.x;
  const stride = s.options.stride as number | undefined ?? 1;
  const dilation = s.options.dilation as number | undefined ?? 1;
  if (s.options.padding !== "same") throw new Error(`bench ${s.label}: the tfjs peer only knows "same" padding`);
  if (which !== "forward" && dilation > 1) return "tfjs has no gradients of dilated convolutions";
  const prepare = (tf: Tfjs) => {
    const x = nhwcFrom(tf, values.x, s.x);
    const wt = hwioFrom(tf, values.w, [s.cout, cin, s.k, s.k]);
    const gy = nhwcFrom(tf, values.gy, yShape);
    const runs: Record<Which, () => TfjsTensor> = {
      forward: () => tf.conv2d(x, wt, stride, "same", "NHWC", dilation),
      backwardInput: () => tf.conv2dTranspose(gy, wt, [b, h, w, cin], stride, "same"),
      backwardFilter: () => tf.engine().runKernel("Conv2DBackpropFilter", { x, dy: gy },
        { strides: stride, pad: "same", dataFormat: "NHWC", filterShape: [s.k, s.k, cin, s.cout] }),
    };
    return {
      run: runs[which],
      toOurs: (y: TfjsTensor) => tf.transpose(y, which === "backwardFilter" ? TO_OIHW : TO_NCHW),
      dispose: () => [x, wt, gy].forEach((t) => t.dispose()),
    };
  };
  return { layout: which === "backwardFilter" ? "NHWC, HWIO filter gradient" : "NHWC, HWIO filter", ours, prepare };
}

/** "won lanes (gemm 12.1 ms, lanes 4.2 ms)": the tuned choice for this case's class. */
async function tuneNote(device: Device, s: Shape, which: Which): Promise<string> {
  const [b, cin, h, w] = s.x;
  const { variant, ms } = await tuneConv(device, DIRECTION[which], [b, cin, h, w], [s.cout, cin, s.k, s.k], s.options);
  const times = Object.entries(ms).map(([name, t]) => `${name} ${t.toFixed(1)} ms`).join(", ");
  return `won ${variant}${times ? ` (${times})` : " (tuned earlier)"}`;
}

/**
 * The operands of one convolution, x [B, cin, H, W] and w [cout, cin, kh, kw] from fixed sine
 * values and gy shaped like its output, with the work of each direction and its FLOPs (one
 * multiply-add per output, input channel and tap, in every direction).
 */
export function convOperands(device: Device, input: readonly number[], weight: readonly number[], options: ConvOptions) {
  const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  const xValues = sineValues(size(input), 1);
  const wValues = sineValues(size(weight), 2);
  const x = device.tensor(xValues, [...input]);
  const w = device.tensor(wValues, [...weight]);
  const y = conv2d(x, w, options);
  const values = { x: xValues, w: wValues, gy: sineValues(y.size, 3) };
  const gy = device.tensor(values.gy, y.shape);
  const yShape = y.shape;
  const flops = 2 * y.size * weight[1]! * weight[2]! * weight[3]!;
  y.dispose();
  const runs: Record<ConvDirection, () => Tensor> = {
    conv2d: () => conv2d(x, w, options),
    conv2dBackwardInput: () => conv2dBackwardInput(gy, w, x.shape, options),
    conv2dBackwardFilter: () => conv2dBackwardFilter(x, gy, w.shape, options),
  };
  return { values, yShape, flops, runs, dispose: () => [x, w, gy].forEach((t) => t.dispose()) };
}

async function prepare(device: Device, s: Shape, which: Which, variant: ConvVariant): Promise<Prepared> {
  const note = variant === "auto" ? await tuneNote(device, s, which) : undefined;
  const cin = s.x[1];
  const { values, yShape, flops, runs, dispose } = convOperands(device, s.x, [s.cout, cin, s.k, s.k], { ...s.options, variant });
  const run = runs[DIRECTION[which]];
  return {
    run: () => run().dispose(),
    flops,
    note,
    tfjs: tfjsCase(s, which, values, yShape, run),
    dispose,
  };
}

function registerShape(s: Shape, variant: ConvVariant, slow = false): void {
  for (const which of ALL) {
    register({
      name: `conv ${s.label} ${which}${variant === "auto" ? "" : ` ${variant}`}`,
      slow,
      // One output per invocation takes seconds per run on a CPU adapter.
      repeats: variant === "direct" ? 3 : undefined,
      prepare: (device) => prepare(device, s, which, variant),
    });
  }
}

const reference = (batch: number, dilation: number): Shape => ({
  label: `3x3 128->128 64x64 b${batch}${dilation > 1 ? ` d${dilation}` : ""}`,
  x: [batch, 128, 64, 64], cout: 128, k: 3, options: { padding: "same", dilation },
});

for (const batch of [1, 4]) {
  for (const dilation of [1, 2, 4, 8, 16]) registerShape(reference(batch, dilation), "auto");
}
registerShape({ label: "5x5 5->32 256x256 b1", x: [1, 5, 256, 256], cout: 32, k: 5, options: { padding: "same" } }, "auto");
registerShape({ label: "3x3 s2 32->64 256x256 b1", x: [1, 32, 256, 256], cout: 64, k: 3, options: { stride: 2, padding: "same" } }, "auto");
registerShape({ label: "5x5 s2 64->128 128x128 b1 (critic)", x: [1, 64, 128, 128], cout: 128, k: 5, options: { stride: 2, padding: "same" } }, "auto");
for (const variant of ["gemm", "direct"] as const) registerShape(reference(1, 1), variant, true);

register({
  name: "convTranspose 4x4 s2 1024->128 32x32->64x64 b1",
  prepare: (device) => {
    const values = { x: sineValues(1024 * 32 * 32, 1), w: sineValues(1024 * 128 * 16, 2) };
    const x = device.tensor(values.x, [1, 1024, 32, 32]);
    const w = device.tensor(values.w, [1024, 128, 4, 4]);
    const run = () => convTranspose2d(x, w, { stride: 2, padding: 1 });
    return {
      run: () => run().dispose(),
      flops: 2 * 1024 * 128 * 16 * 32 * 32,
      // Padding 1 of a transposed convolution is the explicit padding of the convolution it undoes.
      tfjs: {
        layout: "NHWC, filter [kh, kw, cout, cin]",
        ours: run,
        prepare: (tf) => {
          const px = nhwcFrom(tf, values.x, [1, 1024, 32, 32]);
          const pw = hwioFrom(tf, values.w, [1024, 128, 4, 4]);
          return {
            run: () => tf.conv2dTranspose(px, pw, [1, 64, 64, 128], 2, [[0, 0], [1, 1], [1, 1], [0, 0]]),
            toOurs: (y) => tf.transpose(y, TO_NCHW),
            dispose: () => [px, pw].forEach((t) => t.dispose()),
          };
        },
      },
      dispose: () => [x, w].forEach((t) => t.dispose()),
    };
  },
});
