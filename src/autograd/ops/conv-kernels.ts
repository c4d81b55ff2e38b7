/**
 * Launchers of the convolution kernels: no gradients here, only zero-padded convolutions
 * on raw tensors. Every kernel takes one uniform struct (ConvGeometry below) describing the
 * convolution x [B, cin, H, W] (*) w [cout, cin, kh, kw] -> y [B, cout, Ho, Wo], whichever of
 * the three tensors it computes.
 */
import { defineKernel } from "../../tensor/kernels.js";
import { sizeOf } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { ParamValues } from "../../tensor/uniforms.js";
import { launchLinear } from "./common.js";
import type { ConvParams } from "./conv-params.js";
import { axisPhases } from "./conv-phases.js";
import type { ActivationFunction } from "./elementwise.js";

/**
 * The convolution's sizes, shared by every kernel here (each WGSL file repeats the struct;
 * the contract test checks every copy): the element count to compute, x [batch, cin, h, w],
 * cout, the output's [ho, wo], and the kernel size, stride, dilation and top/left padding.
 */
const CONV_PARAMS = {
  count: "i32", batch: "i32", cin: "i32", h: "i32", w: "i32", cout: "i32", ho: "i32", wo: "i32",
  kh: "i32", kw: "i32", sh: "i32", sw: "i32", dh: "i32", dw: "i32", pt: "i32", pl: "i32",
} as const;
/** conv2d_gemm adds where it reads the weights and writes y (GemmAddress). */
const GEMM_PARAMS = {
  ...CONV_PARAMS,
  w_base: "i32", w_sm: "i32", w_sc: "i32", w_sy: "i32", w_sx: "i32", x_sb: "i32", x_sc: "i32",
  y_sb: "i32", y_sm: "i32", y_sy: "i32", y_sx: "i32", y_origin: "i32",
} as const;

const FORWARD_DIRECT = defineKernel({ name: "conv2d_direct", inputs: ["x", "wt", "bias"], outputs: ["y"], params: CONV_PARAMS });
const BACKWARD_INPUT_DIRECT = defineKernel({ name: "conv2d_backward_input_direct", inputs: ["gy", "wt"], outputs: ["gx"], params: CONV_PARAMS });
const BACKWARD_FILTER_DIRECT = defineKernel({ name: "conv2d_backward_filter_direct", inputs: ["x", "gy"], outputs: ["gw"], params: CONV_PARAMS });
const FORWARD_GEMM = defineKernel({ name: "conv2d_gemm", inputs: ["x", "wt", "bias"], outputs: ["y"], params: GEMM_PARAMS });

const GEMM_ROWS_PER_LANE = 8;
const GEMM_COLS_PER_LANE = 4;

/**
 * Tile shape of conv2d_gemm: WG_N x WG_M lanes, each 8 rows (channels) by 4 columns
 * (pixels). Taller tiles reuse each loaded pixel more: for 3x3 128 -> 128 on 64x64,
 * BM = 128 ran about 2.5x faster than BM = 32 on lavapipe (there the per-lane loads that
 * fill the tiles dominate; docs/design.md#kernels-per-adapter). Few output channels get a
 * short tile, so the rows past cout do not waste most of the work.
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

/**
 * How conv2d_gemm addresses its operands: A[m, (c, ky, kx)] = w[base + m sm + c sc + ky sy + kx sx],
 * x[b, c] starts at b xsb + c xsc, y[b, m, oy, ox] is at yorigin + b ysb + m ysm + oy ysy + ox ysx.
 */
interface GemmAddress {
  base: number;
  sm: number;
  sc: number;
  sy: number;
  sx: number;
  xsb: number;
  xsc: number;
  ysb: number;
  ysm: number;
  ysy: number;
  ysx: number;
  yorigin: number;
}

function geometryParams(count: number, g: ConvGeometry): ParamValues<typeof CONV_PARAMS> {
  const [batch, cin, h, w] = g.input;
  const { kernel, stride, dilation, padding } = g.params;
  return {
    count, batch, cin, h, w, cout: g.cout, ho: g.out[0], wo: g.out[1], kh: kernel[0], kw: kernel[1],
    sh: stride[0], sw: stride[1], dh: dilation[0], dw: dilation[1], pt: padding[0], pl: padding[2],
  };
}

/** Dense NCHW x and y, and the weight's own layout [cout, cin, kh, kw]. */
function standardAddress(g: ConvGeometry): GemmAddress {
  const [kh, kw] = g.params.kernel;
  const [, cin, h, w] = g.input;
  const outPlane = g.out[0] * g.out[1];
  return {
    base: 0, sm: cin * kh * kw, sc: kh * kw, sy: kw, sx: 1, xsb: cin * h * w, xsc: h * w,
    ysb: g.cout * outPlane, ysm: outPlane, ysy: g.out[1], ysx: 1, yorigin: 0,
  };
}

/** ACTIVATION codes of the forward kernels' epilogue (kernels/conv2d_direct.wgsl). */
const ACTIVATION_CODES = { elu: 1, leakyRelu: 2, relu: 3 } as const;

/**
 * The overrides of a forward kernel's epilogue, shared by every variant: y = activation(acc
 * + bias), the bias and the activation each optional.
 */
export function epilogueOverrides(bias: Tensor | undefined, activation: ActivationFunction | undefined) {
  return {
    HAS_BIAS: bias ? 1 : 0,
    ACTIVATION: activation ? ACTIVATION_CODES[activation.kind] : 0,
    ACTIVATION_PARAM: activation?.parameter ?? 0,
  };
}

function outputShape(g: ConvGeometry): [number, number, number, number] {
  return [g.input[0], g.cout, g.out[0], g.out[1]];
}

/** y = activation(x (*) w + bias) with the one-output-per-invocation kernel. */
export function forwardDirect(x: Tensor, w: Tensor, bias: Tensor | undefined, g: ConvGeometry, activation?: ActivationFunction): Tensor {
  const shape = outputShape(g);
  // Without a bias, w stands in for the unused binding.
  return launchLinear("conv2d", FORWARD_DIRECT, [x, w, bias ?? w], shape, geometryParams(sizeOf(shape), g), {
    overrides: epilogueOverrides(bias, activation),
  });
}

/** y = activation(x (*) w + bias) with the tiled implicit-GEMM kernel. */
export function forwardGemm(x: Tensor, w: Tensor, bias: Tensor | undefined, g: ConvGeometry, activation?: ActivationFunction): Tensor {
  const y = x.device.empty(outputShape(g));
  gemmInto(y, x, w, g, standardAddress(g), bias, activation);
  return y;
}

/**
 * Runs conv2d_gemm, y = activation(x (*) A + bias), where the weight matrix A
 * [cout, cin * kh * kw] is read from `w` and y written through `address`.
 */
function gemmInto(y: Tensor, x: Tensor, w: Tensor, g: ConvGeometry, address: GemmAddress, bias?: Tensor, activation?: ActivationFunction): void {
  if (y.size === 0) return;
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
    params: {
      ...geometryParams(y.size, g), w_base: address.base, w_sm: address.sm, w_sc: address.sc, w_sy: address.sy, w_sx: address.sx,
      x_sb: address.xsb, x_sc: address.xsc, y_sb: address.ysb, y_sm: address.ysm, y_sy: address.ysy, y_sx: address.ysx, y_origin: address.yorigin,
    },
    workgroups: [groupsN, groupsM, 1],
    overrides: { ...tile, ...epilogueOverrides(bias, activation) },
  });
}

/** gx [B, cin, H, W] from gy [B, cout, Ho, Wo] and w, one input element per invocation. */
export function backwardInputDirect(gy: Tensor, w: Tensor, g: ConvGeometry): Tensor {
  return launchLinear("conv2dBackwardInput", BACKWARD_INPUT_DIRECT, [gy, w], g.input, geometryParams(sizeOf(g.input), g));
}

/**
 * gx on the gemm kernel, one launch per stride phase (conv-phases.ts): phase (py, px) is a
 * correlation of gy with the flipped, subsampled, channel-swapped weight, kernel
 * [count_y, count_x] at dilation e, its zero padding -start, written to the pixels
 * (py + sh jy, px + sw jx) of gx. A phase no tap reaches (kernel smaller than the stride)
 * has K = 0 and writes zeros.
 */
export function backwardInputGemm(gy: Tensor, w: Tensor, g: ConvGeometry): Tensor {
  const p = g.params;
  const [batch, cin, h, wIn] = g.input;
  const [kh, kw] = p.kernel;
  const [ho, wo] = g.out;
  const gx = gy.device.empty(g.input);
  for (const r of axisPhases(h, kh, p.stride[0], p.dilation[0], p.padding[0])) {
    for (const c of axisPhases(wIn, kw, p.stride[1], p.dilation[1], p.padding[2])) {
      const phase: ConvGeometry = {
        input: [batch, g.cout, ho, wo],
        cout: cin,
        out: [r.positions, c.positions],
        params: { ...p, kernel: [r.count, c.count], stride: [1, 1], dilation: [r.e, c.e], padding: [-r.start, 0, -c.start, 0] },
      };
      gemmInto(gx, gy, w, phase, {
        base: r.lastTap * kw + c.lastTap, sm: kh * kw, sc: cin * kh * kw, sy: -r.step * kw, sx: -c.step,
        xsb: g.cout * ho * wo, xsc: ho * wo,
        ysb: cin * h * wIn, ysm: h * wIn, ysy: p.stride[0] * wIn, ysx: p.stride[1], yorigin: r.phase * wIn + c.phase,
      });
    }
  }
  return gx;
}

/**
 * gw [cout, cin, kh, kw] on the gemm kernel, as a convolution whose "batch" is x's
 * channels, whose "channels" are x's batch, and whose filter is gy (kernel [ho, wo]):
 * gw[co, ci, ky, kx] = sum_{b, oy, ox} gy[b, co, oy, ox] x[b, ci, ky dh + oy sh - pt, ...],
 * so the tap (oy, ox) moves by the stride and the output position (ky, kx) by the dilation.
 * The GEMM's K is batch * ho * wo, the long reduction, walked in BK steps by each tile.
 */
export function backwardFilterGemm(x: Tensor, gy: Tensor, g: ConvGeometry): Tensor {
  const p = g.params;
  const [batch, cin, h, w] = g.input;
  const [kh, kw] = p.kernel;
  const [ho, wo] = g.out;
  const swapped: ConvGeometry = {
    input: [cin, batch, h, w],
    cout: g.cout,
    out: [kh, kw],
    params: { ...p, kernel: [ho, wo], stride: p.dilation, dilation: p.stride },
  };
  const address: GemmAddress = {
    base: 0, sm: ho * wo, sc: g.cout * ho * wo, sy: wo, sx: 1,
    xsb: h * w, xsc: cin * h * w,
    ysb: kh * kw, ysm: cin * kh * kw, ysy: kw, ysx: 1, yorigin: 0,
  };
  const gw = x.device.empty([g.cout, cin, kh, kw]);
  gemmInto(gw, x, gy, swapped, address);
  return gw;
}

/** gw [cout, cin, kh, kw] from x and gy, one weight per invocation. */
export function backwardFilterDirect(x: Tensor, gy: Tensor, g: ConvGeometry): Tensor {
  const [kh, kw] = g.params.kernel;
  const shape = [g.cout, g.input[1], kh, kw];
  return launchLinear("conv2dBackwardFilter", BACKWARD_FILTER_DIRECT, [x, gy], shape, geometryParams(sizeOf(shape), g));
}
