/**
 * The convolution family on kernels/conv2d_lanes_w{W}_m{rows}.wgsl and its window and filter
 * variants (conv2d_window_*, conv2d_filter_*), the fast path on CPU adapters (src/autograd/ops/lanes.ts
 * says where, and which width W). Each kernel (per width, a few tile heights of one generated
 * design) is an implicit GEMM, C[m, n] = sum_k A[m, k] B[k, n], in which B is an image
 * read in place: the column n and the reduction index k each split into three axes, the
 * first of each selecting a plane of the image and the other two moving the window's row
 * and column. This file maps each convolution onto it. Zero padding is the kernel's
 * bounds test, so no padded copy is made.
 */
import { defineKernel } from "../../tensor/kernels.js";
import type { Device } from "../../tensor/device.js";
import type { Tensor } from "../../tensor/tensor.js";
import { epilogueOverrides, type ConvGeometry } from "./conv-kernels.js";
import { convOutSize } from "./conv-params.js";
import type { ActivationFunction } from "./elementwise.js";
import { axisPhases } from "./conv-phases.js";
import { permute } from "./layout.js";
import { noGrad } from "../graph.js";
import { filterKernelName, LANES_TILES, LANES_WIDTHS, lanesKernelName, lanesUnavailable, lanesWidth, rowsShareCacheSets, windowKernelName, type LanesWidth } from "./lanes.js";

const LANES_PARAMS = {
  m: "i32", n: "i32", n1: "i32", n2: "i32", k0: "i32", k1: "i32", k2: "i32",
  a_base: "i32", a_m: "i32", a_k0: "i32", a_k1: "i32", a_k2: "i32",
  b_base: "i32", b_n0: "i32", b_k0: "i32", h: "i32", w: "i32", y0: "i32", yn: "i32", yk: "i32", x0: "i32", xn: "i32", xk: "i32",
  c_base: "i32", c_m: "i32", c_n0: "i32", c_n1: "i32", c_n2: "i32",
} as const;
/**
 * Per width, the tile heights, shortest first: the tallest reuses each gathered pixel most;
 * shorter ones waste less where there are few rows (an image's 3 to 5 channels, the first
 * and last layers of a narrow model). The shortest tile that holds every row wins.
 */
const TILES = Object.fromEntries(LANES_WIDTHS.map((width) => {
  const tile = LANES_TILES[width];
  return [width, {
    cols: tile.convCols,
    heights: tile.convRows.map((perLane) => ({
      spec: lanesKernel(lanesKernelName(width, width * perLane)),
      /** The same height's narrow tile and its columns, where the width has one. */
      narrow: tile.convNarrowCols === null ? null : { spec: lanesKernel(lanesKernelName(width, width * perLane, tile.convNarrowCols)), cols: tile.convNarrowCols },
      rows: width * perLane,
    })),
    /** The window kernels (gen_conv_window.py) per height, by their taps along x and the pixels between taps and between columns. */
    windows: tile.windowRows.map((perLane) => ({
      byWindow: new Map(tile.windows.map((window) => [windowKey(...window), lanesKernel(windowKernelName(width, width * perLane, window))])),
      /** The tiles of several output rows, by their number of rows, most rows first (windowFor says where they run). */
      multiRow: new Map(Object.entries(tile.multiRowWindows).map(([rows, windows]) => [Number(rows),
        new Map(windows.map((window) => [windowKey(...window), lanesKernel(windowKernelName(width, width * perLane, window, Number(rows)))]))] as const)
        .sort(([a], [b]) => b - a)),
      rows: width * perLane,
    })),
    /** The filter kernels (gen_conv_filter.py) per height, by their taps along x and the pixels between reduction steps. */
    filters: tile.filterTiles.map(([perLane, steps]) => ({
      byWindow: new Map(tile.filterWindows.map((window) => [filterKey(...window), lanesKernel(filterKernelName(width, width * perLane, window))])),
      rows: width * perLane,
      steps,
    })),
  }];
}));

function windowKey(taps: number, step: number, stride: number): string {
  return `${taps}x${step}s${stride}`;
}

function filterKey(taps: number, stride: number): string {
  return `${taps}s${stride}`;
}

function lanesKernel(name: string) {
  return defineKernel({ name, inputs: ["a", "image", "bias"], outputs: ["c"], params: LANES_PARAMS });
}
type LanesSpec = ReturnType<typeof lanesKernel>;

const MAX_GROUPS = 65535;

type Triple = readonly [number, number, number];

/** One window axis: position = start + column index * perColumn + reduction index * perStep. */
interface WindowAxis {
  start: number;
  perColumn: number;
  perStep: number;
}

/** One launch of conv2d_lanes: the extents and the strides of its three operands. */
interface LanesGemm {
  m: number;
  /** Column axes (n0, n1, n2) and reduction axes (k0, k1, k2). */
  nAxes: Triple;
  kAxes: Triple;
  a: { base: number; m: number; k: Triple };
  /** The image [planes, h, w]: plane n0 * n0Stride + k0 * k0Stride, rows from y, columns from x. */
  image: { base: number; n0Stride: number; k0Stride: number; h: number; w: number; y: WindowAxis; x: WindowAxis };
  c: { base: number; m: number; n: Triple };
}

function launch(op: string, a: Tensor, image: Tensor, c: Tensor, gemm: LanesGemm, bias?: Tensor, activation?: ActivationFunction): void {
  const g = withoutDeadTaps(gemm);
  const n = g.nAxes[0] * g.nAxes[1] * g.nAxes[2];
  if (n === 0 || g.m === 0) return;
  const { y, x } = g.image;
  const { spec, rows: tileRows, tiles } = kernelFor(g, n, TILES[widthFor(op, a.device)]!);
  const rows = Math.ceil(g.m / tileRows);
  const groupsX = Math.min(tiles, MAX_GROUPS);
  const groupsZ = Math.ceil(tiles / groupsX);
  if (rows > MAX_GROUPS || groupsZ > MAX_GROUPS) throw new Error(`${op}: ${g.m} x ${n} outputs exceed one dispatch of the lanes kernel; split the batch`);
  a.device.run(spec, {
    inputs: [a.buffer(op), image.buffer(op), (bias ?? a).buffer(op)],
    outputs: [c.buffer(op)],
    params: {
      m: g.m, n, n1: g.nAxes[1], n2: g.nAxes[2], k0: g.kAxes[0], k1: g.kAxes[1], k2: g.kAxes[2],
      a_base: g.a.base, a_m: g.a.m, a_k0: g.a.k[0], a_k1: g.a.k[1], a_k2: g.a.k[2],
      b_base: g.image.base, b_n0: g.image.n0Stride, b_k0: g.image.k0Stride, h: g.image.h, w: g.image.w,
      y0: y.start, yn: y.perColumn, yk: y.perStep, x0: x.start, xn: x.perColumn, xk: x.perStep,
      c_base: g.c.base, c_m: g.c.m, c_n0: g.c.n[0], c_n1: g.c.n[1], c_n2: g.c.n[2],
    },
    workgroups: [groupsX, rows, groupsZ],
    overrides: epilogueOverrides(bias, activation),
  });
}

/**
 * g without the reduction steps along k1 and k2 (a window's tap rows and columns) that read
 * outside the image for every column: their products are zeros, so dropping them leaves
 * every sum as it was. A dilation as large as the map (rate 16 on the 16 x 16 maps of the
 * tiny model) leaves only the centre tap, a 1x1 convolution.
 */
function withoutDeadTaps(g: LanesGemm): LanesGemm {
  const { y, x, h, w } = g.image;
  const rows = liveSteps(y, g.nAxes[1], g.kAxes[1], h);
  const cols = liveSteps(x, g.nAxes[2], g.kAxes[2], w);
  if (rows.count === g.kAxes[1] && cols.count === g.kAxes[2]) return g;
  return {
    ...g,
    kAxes: [g.kAxes[0], rows.count, cols.count],
    a: { ...g.a, base: g.a.base + rows.first * g.a.k[1] + cols.first * g.a.k[2] },
    image: {
      ...g.image,
      y: { ...y, start: y.start + rows.first * y.perStep },
      x: { ...x, start: x.start + cols.first * x.perStep },
    },
  };
}

/**
 * How many of a convolution's taps along one axis (input extent `size`, padding `before` and
 * `after`) read inside the input for some output: the lanes launches drop the others.
 */
export function reachingTaps(size: number, kernel: number, stride: number, dilation: number, before: number, after: number): number {
  const outputs = convOutSize(size, kernel, stride, dilation, before, after);
  return liveSteps({ start: -before, perColumn: stride, perStep: dilation }, outputs, kernel, size).count;
}

/** The first and the number of the steps along one window axis that read inside [0, size) for some column. */
function liveSteps(axis: WindowAxis, columns: number, steps: number, size: number): { first: number; count: number } {
  const reach = (columns - 1) * axis.perColumn;
  const live = (t: number) => {
    const at = axis.start + t * axis.perStep;
    return at + Math.max(0, reach) >= 0 && at + Math.min(0, reach) < size;
  };
  let first = 0;
  while (first < steps && !live(first)) first++;
  if (first === steps) return { first: 0, count: 0 };
  let last = steps - 1;
  while (!live(last)) last--;
  return { first, count: last - first + 1 };
}

type WidthTiles = (typeof TILES)[LanesWidth];

type Choice = { spec: LanesSpec; rows: number; tiles: number };

/**
 * The kernel for one GEMM of n columns, its tile's rows and the number of column tiles: a
 * window kernel, else a filter kernel, else the lanes kernel whose tile is the shortest that
 * holds every row (else the tallest), in its narrow form where every column fits one.
 */
function kernelFor(g: LanesGemm, n: number, tiles: WidthTiles): Choice {
  return windowFor(g, n, tiles) ?? filterFor(g, n, tiles) ?? lanesFor(g, n, tiles);
}

function lanesFor(g: LanesGemm, n: number, tiles: WidthTiles): Choice {
  const tile = shortestHolding(tiles.heights, g.m);
  const { spec, cols } = tile.narrow && n <= tile.narrow.cols ? tile.narrow : { spec: tile.spec, cols: tiles.cols };
  return { spec, rows: tile.rows, tiles: Math.ceil(n / cols) };
}

/**
 * A window kernel (conv2d_window_*, whose header says how it shares each gathered pixel among
 * the taps) takes the GEMMs whose window along x is one it is generated for (the taps'
 * count, the pixels between taps and between columns), where the output rows fill at least
 * 3/4 of the tiles (a one-row tile holds columns of one row only), with the shortest tile that
 * holds every row. Measured on
 * lavapipe (width 8) beside the lanes kernel: 3x3 and 5x5 convolutions of 3 to 128 channels
 * on 32 to 128 pixel wide planes ran 1.2-1.7x as fast, forward and input gradient, dilated
 * 3x3 ones on 64 x 64 planes 1.4-1.5x (rates 2 and 4) and 1.1-1.2x (8 and 16), stride-2
 * 3x3 ones 1.05-1.15x; on 16 pixel wide planes (half tiles) 0.7-0.9x. So a plane at most
 * a quarter or half a tile wide takes a tile of four or two output rows side by side (the
 * _r4 and _r2 kernels) where its columns fill 3/4 of it (gen_conv_window.MULTI_ROW_WINDOWS
 * gives their measurements).
 */
function windowFor(g: LanesGemm, n: number, tiles: WidthTiles): Choice | null {
  const { x } = g.image;
  const width = g.nAxes[2];
  const window = shortestHolding(tiles.windows, g.m);
  const key = windowKey(g.kAxes[2], x.perStep, x.perColumn);
  const rows = n / width;
  // The most output rows whose columns fit a tile, among the row counts this width has tiles for.
  const outputRows = [...window.multiRow.keys()].find((r) => r * width <= tiles.cols);
  if (outputRows) {
    const spec = window.multiRow.get(outputRows)?.get(key);
    return spec && 4 * outputRows * width >= 3 * tiles.cols ? { spec, rows: window.rows, tiles: Math.ceil(rows / outputRows) } : null;
  }
  const segments = Math.ceil(width / tiles.cols);
  if (4 * width < 3 * segments * tiles.cols) return null;
  const spec = window.byWindow.get(key);
  return spec ? { spec, rows: window.rows, tiles: rows * segments } : null;
}

/**
 * A filter kernel (conv2d_filter_*: tiles of column groups of one window's taps, several
 * reduction steps per pass over each gathered window) takes the GEMMs whose columns end in
 * the taps along x of a window it is generated for and whose steps along x are that
 * window's, where one of its tiles holds every row and its steps per loop iteration divide
 * the steps along x (gen_conv_filter.py gives the measurements behind its tiles).
 */
function filterFor(g: LanesGemm, n: number, tiles: WidthTiles): Choice | null {
  const { x } = g.image;
  const taps = g.nAxes[2];
  const filter = tiles.filters.find((f) => g.m <= f.rows);
  if (!filter || x.perColumn !== 1 || g.kAxes[2] % filter.steps !== 0) return null;
  const spec = filter.byWindow.get(filterKey(taps, x.perStep));
  return spec ? { spec, rows: filter.rows, tiles: Math.ceil(n / (taps * Math.floor(tiles.cols / taps))) } : null;
}

function shortestHolding<T extends { rows: number }>(tiles: readonly T[], m: number): T {
  return tiles.find((t) => m <= t.rows) ?? tiles[tiles.length - 1]!;
}

function widthFor(op: string, device: Device): number {
  const width = lanesWidth(device);
  if (width === null) throw lanesUnavailable(op, device, 'variant "gemm"');
  return width;
}

/**
 * y = activation(x (*) w + bias): m = output channel, n = (batch, oy, ox), k = (channel,
 * ky, kx); iy = oy sh - pt + ky dh.
 */
export function forwardLanes(x: Tensor, w: Tensor, bias: Tensor | undefined, g: ConvGeometry, activation?: ActivationFunction): Tensor {
  const [batch, cin, h, wIn] = g.input;
  const p = g.params;
  const [kh, kw] = p.kernel;
  const [ho, wo] = g.out;
  const y = x.device.empty([batch, g.cout, ho, wo]);
  launch("conv2d", w, x, y, {
    m: g.cout,
    nAxes: [batch, ho, wo],
    kAxes: [cin, kh, kw],
    a: { base: 0, m: cin * kh * kw, k: [kh * kw, kw, 1] },
    image: {
      base: 0, n0Stride: cin * h * wIn, k0Stride: h * wIn, h, w: wIn,
      y: { start: -p.padding[0], perColumn: p.stride[0], perStep: p.dilation[0] },
      x: { start: -p.padding[2], perColumn: p.stride[1], perStep: p.dilation[1] },
    },
    c: { base: 0, m: ho * wo, n: [g.cout * ho * wo, wo, 1] },
  }, bias, activation);
  return y;
}

/**
 * gw[co, ci, ky, kx] = sum over (b, oy, ox) of gy[b, co, oy, ox] x[b, ci, oy sh - pt + ky dh, ...]:
 * m = co, n = (ci, ky, kx), k = (b, oy, ox), with A = gy and the image x. With `packRows`,
 * gy is read from a channels-last copy where its planes share cache sets.
 */
export function backwardFilterLanes(x: Tensor, gy: Tensor, g: ConvGeometry, packRows: boolean): Tensor {
  const [batch, cin, h, wIn] = g.input;
  const p = g.params;
  const [kh, kw] = p.kernel;
  const [ho, wo] = g.out;
  const gw = x.device.empty([g.cout, cin, kh, kw]);
  // gy's rows are its planes, ho wo floats apart: where those alias in a CPU cache, the
  // packed variant reads a channels-last copy instead (rowsShareCacheSets).
  const channelsLast = packRows && rowsShareCacheSets(ho * wo) ? noGrad(() => permute(gy, [0, 2, 3, 1])) : null;
  launch("conv2dBackwardFilter", channelsLast ?? gy, x, gw, {
    m: g.cout,
    nAxes: [cin, kh, kw],
    kAxes: [batch, ho, wo],
    a: channelsLast ? { base: 0, m: 1, k: [ho * wo * g.cout, wo * g.cout, g.cout] } : { base: 0, m: ho * wo, k: [g.cout * ho * wo, wo, 1] },
    image: {
      base: 0, n0Stride: h * wIn, k0Stride: cin * h * wIn, h, w: wIn,
      y: { start: -p.padding[0], perColumn: p.dilation[0], perStep: p.stride[0] },
      x: { start: -p.padding[2], perColumn: p.dilation[1], perStep: p.stride[1] },
    },
    c: { base: 0, m: cin * kh * kw, n: [kh * kw, kw, 1] },
  });
  channelsLast?.dispose();
  return gw;
}

/**
 * gx = the transposed convolution of gy by w, one launch per stride phase (conv-phases.ts):
 * each a correlation of gy with a flipped, subsampled, channel-swapped weight:
 * m = ci, n = (b, jy, jx), k = (co, ty, tx), iy = start + jy + e ty, written to the pixels
 * (py + sh jy, px + sw jx) of gx.
 */
export function backwardInputLanes(gy: Tensor, w: Tensor, g: ConvGeometry): Tensor {
  const [batch, cin, h, wIn] = g.input;
  const p = g.params;
  const [kh, kw] = p.kernel;
  const [ho, wo] = g.out;
  const gx = gy.device.empty(g.input);
  for (const r of axisPhases(h, kh, p.stride[0], p.dilation[0], p.padding[0])) {
    for (const c of axisPhases(wIn, kw, p.stride[1], p.dilation[1], p.padding[2])) {
      launch("conv2dBackwardInput", w, gy, gx, {
        m: cin,
        nAxes: [batch, r.positions, c.positions],
        kAxes: [g.cout, r.count, c.count],
        a: { base: r.lastTap * kw + c.lastTap, m: kh * kw, k: [cin * kh * kw, -r.step * kw, -c.step] },
        image: {
          base: 0, n0Stride: g.cout * ho * wo, k0Stride: ho * wo, h: ho, w: wo,
          y: { start: r.start, perColumn: 1, perStep: r.e },
          x: { start: c.start, perColumn: 1, perStep: c.e },
        },
        c: { base: r.phase * wIn + c.phase, m: h * wIn, n: [cin * h * wIn, p.stride[0] * wIn, p.stride[1]] },
      });
    }
  }
  return gx;
}
