/**
 * Launchers of the convolution kernels: no gradients here, only zero-padded convolutions
 * on raw tensors. Every kernel takes one uniform struct (ConvGeometry below) describing the
 * convolution x [B, cin, H, W] (*) w [cout, cin, kh, kw] -> y [B, cout, Ho, Wo], whichever of
 * the three tensors it computes.
 */
import { gridFor } from "../../tensor/device.js";
import type { KernelSpec } from "../../tensor/kernels.js";
import type { Tensor } from "../../tensor/tensor.js";
import { Uniforms } from "../../tensor/uniforms.js";
import { ELEMENTWISE_WG } from "./common.js";
import type { ConvParams } from "./conv-params.js";

const FORWARD_DIRECT: KernelSpec = { name: "conv2d_direct", inputs: 3, outputs: 1 };
const BACKWARD_INPUT_DIRECT: KernelSpec = { name: "conv2d_backward_input_direct", inputs: 2, outputs: 1 };
const BACKWARD_FILTER_DIRECT: KernelSpec = { name: "conv2d_backward_filter_direct", inputs: 2, outputs: 1 };
const FORWARD_GEMM: KernelSpec = { name: "conv2d_gemm", inputs: 3, outputs: 1 };

const GEMM_ROWS_PER_LANE = 8;
const GEMM_COLS_PER_LANE = 4;

/**
 * Tile shape of conv2d_gemm: WG_N x WG_M lanes, each 8 rows (channels) by 4 columns
 * (pixels). Taller tiles reuse each loaded pixel more: for 3x3 128 -> 128 on 64x64,
 * BM = 128 ran about 2.5x faster than BM = 32 on lavapipe (research/lavapipe.md: the
 * per-lane loads that fill the tiles dominate). Few output channels get a short tile, so
 * the rows past cout do not waste most of the work.
 */
export function gemmTileFor(cout: number): { WG_M: number; WG_N: number; BK: number } {
  const WG_M = cout > 64 ? 16 : cout > 32 ? 8 : 4;
  return { WG_M, WG_N: 16, BK: 16 };
}

/** The sizes of one convolution x (*) w -> y: [B, cin, H, W], cout, [Ho, Wo]. */
export interface ConvGeometry {
  input: readonly [number, number, number, number];
  cout: number;
  out: readonly [number, number];
  params: ConvParams;
}

/** How conv2d_gemm addresses the weight: A[m, (c, ky, kx)] = w[base + m sm + c sc + ky sy + kx sx]. */
interface WeightAddress {
  base: number;
  sm: number;
  sc: number;
  sy: number;
  sx: number;
}

function geometryUniforms(count: number, g: ConvGeometry, address?: WeightAddress): ArrayBuffer {
  const [b, cin, h, w] = g.input;
  const p = g.params;
  const a = address ?? { base: 0, sm: 0, sc: 0, sy: 0, sx: 0 };
  return new Uniforms()
    .i32(count, b, cin, h, w, g.cout, g.out[0], g.out[1])
    .i32(p.kernel[0], p.kernel[1], p.stride[0], p.stride[1], p.dilation[0], p.dilation[1], p.padding[0], p.padding[2])
    .i32(a.base, a.sm, a.sc, a.sy, a.sx)
    .toArrayBuffer();
}

function outputShape(g: ConvGeometry): [number, number, number, number] {
  return [g.input[0], g.cout, g.out[0], g.out[1]];
}

/** y = x (*) w + bias with the one-output-per-invocation kernel. */
export function forwardDirect(x: Tensor, w: Tensor, bias: Tensor | undefined, g: ConvGeometry): Tensor {
  const y = x.device.empty(outputShape(g));
  if (y.size === 0) return y;
  x.device.run(FORWARD_DIRECT, {
    inputs: [x.buffer("conv2d"), w.buffer("conv2d"), (bias ?? w).buffer("conv2d")],
    outputs: [y.buffer("conv2d")],
    uniforms: geometryUniforms(y.size, g),
    workgroups: gridFor(y.size, ELEMENTWISE_WG),
    overrides: { WG: ELEMENTWISE_WG, HAS_BIAS: bias ? 1 : 0 },
  });
  return y;
}

/**
 * y = x (*) A + bias with the tiled implicit-GEMM kernel, where the weight matrix A
 * [cout, cin * kh * kw] is read from `w` through `address` (standard layout by default).
 */
export function forwardGemm(x: Tensor, w: Tensor, bias: Tensor | undefined, g: ConvGeometry, address?: WeightAddress): Tensor {
  const y = x.device.empty(outputShape(g));
  if (y.size === 0) return y;
  const [kh, kw] = g.params.kernel;
  const cin = g.input[1];
  const standard = { base: 0, sm: cin * kh * kw, sc: kh * kw, sy: kw, sx: 1 };
  const n = g.input[0] * g.out[0] * g.out[1];
  const tile = gemmTileFor(g.cout);
  const groupsN = Math.ceil(n / (tile.WG_N * GEMM_COLS_PER_LANE));
  const groupsM = Math.ceil(g.cout / (tile.WG_M * GEMM_ROWS_PER_LANE));
  if (groupsN > 65535 || groupsM > 65535) {
    throw new Error(`conv2d: ${n} output pixels by ${g.cout} channels exceed one dispatch of the gemm kernel; split the batch or use variant "direct"`);
  }
  x.device.run(FORWARD_GEMM, {
    inputs: [x.buffer("conv2d"), w.buffer("conv2d"), (bias ?? w).buffer("conv2d")],
    outputs: [y.buffer("conv2d")],
    uniforms: geometryUniforms(y.size, g, address ?? standard),
    workgroups: [groupsN, groupsM, 1],
    overrides: { ...tile, HAS_BIAS: bias ? 1 : 0 },
  });
  return y;
}

/** gx [B, cin, H, W] from gy [B, cout, Ho, Wo] and w, one input element per invocation. */
export function backwardInputDirect(gy: Tensor, w: Tensor, g: ConvGeometry): Tensor {
  const gx = gy.device.empty(g.input);
  if (gx.size === 0) return gx;
  gy.device.run(BACKWARD_INPUT_DIRECT, {
    inputs: [gy.buffer("conv2dBackwardInput"), w.buffer("conv2dBackwardInput")],
    outputs: [gx.buffer("conv2dBackwardInput")],
    uniforms: geometryUniforms(gx.size, g),
    workgroups: gridFor(gx.size, ELEMENTWISE_WG),
    overrides: { WG: ELEMENTWISE_WG },
  });
  return gx;
}

/**
 * Whether the gradient with respect to the input can run as a forward convolution: with
 * stride 1 it is gy (*) flipped, channel-swapped w with padding dilation * (k - 1) - pad,
 * which must not be negative.
 */
export function backwardInputAsForward(p: ConvParams): boolean {
  const [kh, kw] = p.kernel;
  const [dh, dw] = p.dilation;
  const [pt, pb, pl, pr] = p.padding;
  return p.stride[0] === 1 && p.stride[1] === 1 &&
    Math.max(pt, pb) <= dh * (kh - 1) && Math.max(pl, pr) <= dw * (kw - 1);
}

/** The stride-1 gradient with respect to the input, run on the gemm kernel (see above). */
export function backwardInputGemm(gy: Tensor, w: Tensor, g: ConvGeometry): Tensor {
  const p = g.params;
  const [kh, kw] = p.kernel;
  const [dh, dw] = p.dilation;
  const cin = g.input[1];
  const swapped: ConvGeometry = {
    input: [g.input[0], g.cout, g.out[0], g.out[1]],
    cout: cin,
    out: [g.input[2], g.input[3]],
    params: {
      ...p,
      padding: [dh * (kh - 1) - p.padding[0], dh * (kh - 1) - p.padding[1], dw * (kw - 1) - p.padding[2], dw * (kw - 1) - p.padding[3]],
    },
  };
  // A[ci, (co, ky, kx)] = w[co, ci, kh-1-ky, kw-1-kx].
  const address = { base: (kh - 1) * kw + (kw - 1), sm: kh * kw, sc: cin * kh * kw, sy: -kw, sx: -1 };
  return forwardGemm(gy, w, undefined, swapped, address);
}

/** gw [cout, cin, kh, kw] from x and gy, one weight per invocation. */
export function backwardFilterDirect(x: Tensor, gy: Tensor, g: ConvGeometry): Tensor {
  const [kh, kw] = g.params.kernel;
  const gw = x.device.empty([g.cout, g.input[1], kh, kw]);
  if (gw.size === 0) return gw;
  x.device.run(BACKWARD_FILTER_DIRECT, {
    inputs: [x.buffer("conv2dBackwardFilter"), gy.buffer("conv2dBackwardFilter")],
    outputs: [gw.buffer("conv2dBackwardFilter")],
    uniforms: geometryUniforms(gw.size, g),
    workgroups: gridFor(gw.size, ELEMENTWISE_WG),
    overrides: { WG: ELEMENTWISE_WG },
  });
  return gw;
}
