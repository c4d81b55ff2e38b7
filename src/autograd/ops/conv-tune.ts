/**
 * tuneConv: times the convolution kernels that can run here on one direction and shape and
 * remembers the fastest for this adapter and shape class (conv.ts's convShapeClass), so
 * that every later convolution of that class with variant "auto" uses it. The idea of
 * tuneMatmul, for each of the three directions: their best kernels differ (the filter
 * gradient reduces over pixels, the others over channels and taps).
 */
import type { Device } from "../../tensor/device.js";
import { timeCandidates, type TuneOptions } from "../../tensor/autotune.js";
import { conv2d, conv2dBackwardFilter, conv2dBackwardInput, convShapeClass, type ConvDirection, type ConvKernel } from "./conv.js";
import { convOutputShape, hasPadding, resolveConvParams, withoutPadding, type ConvOptions } from "./conv-params.js";
import { lanesFits, rowsShareCacheSets } from "./lanes.js";

type Shape4 = readonly [number, number, number, number];

/**
 * The candidates: the implicit GEMMs (gemm everywhere, lanes where the subgroup width is
 * known, and for a filter gradient whose output-gradient planes share cache sets the lanes
 * kernels reading them packed too: lanes.ts, rowsShareCacheSets, says why that depends on
 * the CPU). "direct" is left out: one output per invocation measured 5-20x slower than both
 * on the CPU adapters, and timing it would cost seconds per shape there.
 */
function candidates(device: Device, direction: ConvDirection, outPlane: number): ConvKernel[] {
  if (!lanesFits(device)) return ["gemm"];
  return direction === "conv2dBackwardFilter" && rowsShareCacheSets(outPlane) ? ["gemm", "lanes", "lanes-packed"] : ["gemm", "lanes"];
}

/**
 * Times each candidate kernel for `direction` on a convolution of an `input` [B, cin, H, W]
 * by a weight `weight` [cout, cin, kh, kw] with `options`, on fixed pseudo-random data.
 * Returns the winner and the median milliseconds of each candidate ({} when cached).
 */
export async function tuneConv(device: Device, direction: ConvDirection, input: Shape4, weight: Shape4, options: ConvOptions = {}, tune: TuneOptions = {}):
  Promise<{ variant: ConvKernel; ms: Record<string, number> }> {
  const p = resolveConvParams(direction, options, [weight[2], weight[3]], [input[2], input[3]]);
  const out = convOutputShape(direction, input, weight[0], p);
  const values = (count: number) => Float32Array.from({ length: count }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  const x = device.tensor(values(size(input)), [...input]);
  const w = device.tensor(values(size(weight)), [...weight]);
  const gy = device.tensor(values(size(out)), out);
  try {
    const runs: Record<ConvDirection, (variant: ConvKernel) => void> = {
      conv2d: (variant) => conv2d(x, w, { ...options, variant }).dispose(),
      conv2dBackwardInput: (variant) => conv2dBackwardInput(gy, w, input, { ...options, variant }).dispose(),
      conv2dBackwardFilter: (variant) => conv2dBackwardFilter(x, gy, weight, { ...options, variant }).dispose(),
    };
    // Mirror padding runs as an explicit pad and then an unpadded convolution of the padded
    // input, so that is the shape whose class the convolution looks up.
    const mirror = p.padMode !== "zero" && hasPadding(p);
    const [top, bottom, left, right] = p.padding;
    const looked: Shape4 = mirror ? [input[0], input[1], input[2] + top + bottom, input[3] + left + right] : input;
    const key = convShapeClass(direction, { input: looked, cout: weight[0], out: [out[2]!, out[3]!], params: mirror ? withoutPadding(p) : p });
    const result = await timeCandidates(device, key, candidates(device, direction, out[2]! * out[3]!).map((variant) => ({ name: variant, run: () => runs[direction](variant) })), tune);
    return { variant: result.winner as ConvKernel, ms: result.ms };
  } finally {
    [x, w, gy].forEach((t) => t.dispose());
  }
}
