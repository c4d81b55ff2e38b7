/**
 * The convolution family on kernels/conv2d_lanes_m{32,8}.wgsl, the fast path on CPU
 * adapters (src/autograd/ops/lanes.ts says which). The kernel (two tile heights of one
 * generated design) is an implicit GEMM,
 * C[m, n] = sum_k A[m, k] B[k, n], whose column index n and reduction index k each split
 * into three axes with their own strides; this file maps each convolution onto it. The
 * image operand is zero-padded beforehand, so the kernel reads it without bounds tests.
 */
import type { KernelSpec } from "../../tensor/kernels.js";
import type { Tensor } from "../../tensor/tensor.js";
import { Uniforms } from "../../tensor/uniforms.js";
import { noGrad } from "../graph.js";
import type { ConvGeometry } from "./conv-kernels.js";
import { axisPhases, phasePadding } from "./conv-phases.js";
import { pad } from "./layout.js";

/**
 * Two tile heights: 32 rows (4 per lane) reuse each gathered pixel 4x more; 8 rows (1 per
 * lane) waste less where there are few rows (an image's 3 to 5 channels).
 */
const TALL = { spec: { name: "conv2d_lanes_m32", inputs: 3, outputs: 1 } as KernelSpec, rows: 32 };
const SHORT = { spec: { name: "conv2d_lanes_m8", inputs: 3, outputs: 1 } as KernelSpec, rows: 8 };
const SHORT_TILE_UP_TO_ROWS = 8;
const TILE_COLS = 32;
const MAX_GROUPS = 65535;

type Triple = readonly [number, number, number];

/** One launch of conv2d_lanes: the extents and the strides of its three operands. */
interface LanesGemm {
  m: number;
  /** Column axes (n0, n1, n2) and reduction axes (k0, k1, k2). */
  nAxes: Triple;
  kAxes: Triple;
  a: { base: number; m: number; k: Triple };
  b: { base: number; n: Triple; k: Triple };
  c: { base: number; m: number; n: Triple };
}

function launch(op: string, a: Tensor, b: Tensor, bias: Tensor | undefined, c: Tensor, g: LanesGemm): void {
  const n = g.nAxes[0] * g.nAxes[1] * g.nAxes[2];
  if (n === 0 || g.m === 0) return;
  const uniforms = new Uniforms().i32(
    g.m, n, g.nAxes[1], g.nAxes[2],
    ...g.kAxes, g.a.base,
    g.a.m, ...g.a.k,
    g.b.base, ...g.b.n,
    ...g.b.k, g.c.base,
    g.c.m, ...g.c.n,
  );
  const tile = g.m <= SHORT_TILE_UP_TO_ROWS ? SHORT : TALL;
  const tiles = Math.ceil(n / TILE_COLS);
  const rows = Math.ceil(g.m / tile.rows);
  const x = Math.min(tiles, MAX_GROUPS);
  const z = Math.ceil(tiles / x);
  if (rows > MAX_GROUPS || z > MAX_GROUPS) throw new Error(`${op}: ${g.m} x ${n} outputs exceed one dispatch of the lanes kernel; split the batch`);
  a.device.run(tile.spec, {
    inputs: [a.buffer(op), b.buffer(op), (bias ?? a).buffer(op)],
    outputs: [c.buffer(op)],
    uniforms: uniforms.toArrayBuffer(),
    workgroups: [x, rows, z],
    overrides: { HAS_BIAS: bias ? 1 : 0 },
  });
}

/** x padded with zeros [top, bottom, left, right] (x itself when there is nothing to add). */
function zeroPadded(x: Tensor, [top, bottom, left, right]: readonly number[]): Tensor {
  if (top === 0 && bottom === 0 && left === 0 && right === 0) return x;
  return noGrad(() => pad(x, [[0, 0], [0, 0], [top!, bottom!], [left!, right!]]));
}

function release(padded: Tensor, original: Tensor): void {
  if (padded !== original) padded.dispose();
}

/**
 * y = x (*) w + bias: m = output channel, n = (batch, oy, ox), k = (channel, ky, kx), read
 * from x padded by the convolution's own padding.
 */
export function forwardLanes(x: Tensor, w: Tensor, bias: Tensor | undefined, g: ConvGeometry): Tensor {
  const [batch, cin] = g.input;
  const p = g.params;
  const [kh, kw] = p.kernel;
  const [ho, wo] = g.out;
  const xp = zeroPadded(x, p.padding);
  const [hp, wp] = [xp.shape[2]!, xp.shape[3]!];
  const y = x.device.empty([batch, g.cout, ho, wo]);
  launch("conv2d", w, xp, bias, y, {
    m: g.cout,
    nAxes: [batch, ho, wo],
    kAxes: [cin, kh, kw],
    a: { base: 0, m: cin * kh * kw, k: [kh * kw, kw, 1] },
    b: { base: 0, n: [cin * hp * wp, p.stride[0] * wp, p.stride[1]], k: [hp * wp, p.dilation[0] * wp, p.dilation[1]] },
    c: { base: 0, m: ho * wo, n: [g.cout * ho * wo, wo, 1] },
  });
  release(xp, x);
  return y;
}

/**
 * gw[co, ci, ky, kx] = sum over (b, oy, ox) of gy[b, co, oy, ox] x[b, ci, oy sh + ky dh - pt, ...]:
 * m = co, n = (ci, ky, kx), k = (b, oy, ox), with A = gy and B = padded x.
 */
export function backwardFilterLanes(x: Tensor, gy: Tensor, g: ConvGeometry): Tensor {
  const [batch, cin] = g.input;
  const p = g.params;
  const [kh, kw] = p.kernel;
  const [ho, wo] = g.out;
  const xp = zeroPadded(x, p.padding);
  const [hp, wp] = [xp.shape[2]!, xp.shape[3]!];
  const gw = x.device.empty([g.cout, cin, kh, kw]);
  launch("conv2dBackwardFilter", gy, xp, undefined, gw, {
    m: g.cout,
    nAxes: [cin, kh, kw],
    kAxes: [batch, ho, wo],
    a: { base: 0, m: ho * wo, k: [g.cout * ho * wo, wo, 1] },
    b: { base: 0, n: [hp * wp, p.dilation[0] * wp, p.dilation[1]], k: [cin * hp * wp, p.stride[0] * wp, p.stride[1]] },
    c: { base: 0, m: cin * kh * kw, n: [kh * kw, kw, 1] },
  });
  release(xp, x);
  return gw;
}

/**
 * gx = the transposed convolution of gy by w, one launch per stride phase (conv-phases.ts):
 * each a correlation of gy (padded) with a flipped, subsampled, channel-swapped weight:
 * m = ci, n = (b, jy, jx), k = (co, ty, tx).
 */
export function backwardInputLanes(gy: Tensor, w: Tensor, g: ConvGeometry): Tensor {
  const [batch, cin, h, wIn] = g.input;
  const p = g.params;
  const [kh, kw] = p.kernel;
  const [ho, wo] = g.out;
  const rows = axisPhases(h, kh, p.stride[0], p.dilation[0], p.padding[0]);
  const cols = axisPhases(wIn, kw, p.stride[1], p.dilation[1], p.padding[2]);
  const [top, bottom] = phasePadding(rows, ho);
  const [left, right] = phasePadding(cols, wo);
  const gyp = zeroPadded(gy, [top, bottom, left, right]);
  const [hp, wp] = [gyp.shape[2]!, gyp.shape[3]!];
  const gx = gy.device.empty(g.input);
  for (const r of rows) {
    for (const c of cols) {
      launch("conv2dBackwardInput", w, gyp, undefined, gx, {
        m: cin,
        nAxes: [batch, r.positions, c.positions],
        kAxes: [g.cout, r.count, c.count],
        a: { base: r.lastTap * kw + c.lastTap, m: kh * kw, k: [cin * kh * kw, -r.step * kw, -c.step] },
        b: { base: (r.start + top) * wp + c.start + left, n: [g.cout * hp * wp, wp, 1], k: [hp * wp, r.e * wp, c.e] },
        c: { base: r.phase * wIn + c.phase, m: h * wIn, n: [cin * h * wIn, p.stride[0] * wIn, p.stride[1]] },
      });
    }
  }
  release(gyp, gy);
  return gx;
}
