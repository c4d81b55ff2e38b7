/**
 * Where the "lanes" kernels (matmul_lanes_w*, conv2d_lanes_w*_m*) may run, and with which
 * tiles. A lanes kernel's workgroup is exactly one subgroup: lane l gathers some values and
 * hands them to the other lanes with subgroupBroadcast from constant lanes. So a kernel is
 * written for one subgroup width W (one generated file per width: 4 for SwiftShader's SSE,
 * 8 for lavapipe on AVX2, 16 for lavapipe on AVX-512, 32 for most GPUs), and it is only
 * correct when every subgroup of its pipeline has exactly W lanes: with fewer, the
 * workgroup would span several subgroups and a broadcast would read another subgroup's
 * lane; with more, lanes would idle and the lane ids could not be relied on.
 *
 * The adapter reports the range its subgroups can take (subgroupMinSize..subgroupMaxSize);
 * WebGPU lets the driver pick the width per pipeline within it and gives no way to ask for
 * one. So a width is relied on only when the range is a single width (min = max); an
 * adapter whose range is wider (Intel's 8..32, AMD's 32..64) gets the workgroup-memory
 * kernels (matmul "tiled", conv "gemm"), which need no subgroups at all.
 */
import type { Device } from "../../tensor/device.js";

export type LanesWidth = 4 | 8 | 16 | 32;
export const LANES_WIDTHS: readonly LanesWidth[] = [4, 8, 16, 32];

const WINDOWS = [[2, 1, 1], [3, 1, 1], [5, 1, 1], [3, 2, 1], [3, 4, 1], [3, 8, 1], [3, 16, 1], [3, 1, 2]] as const;
const TWO_ROW_WINDOWS = [[3, 1, 1], [3, 2, 1], [3, 4, 1], [3, 8, 1], [3, 1, 2]] as const;
/** The multi-row windows for maps of 6 to 8 pixels (the critics' 8 x 8 maps): two rows at width 4, four at width 8. */
const EIGHT_PIXEL_WINDOWS = [[3, 1, 1], [5, 1, 2]] as const;
const FILTER_WINDOWS = [[3, 1], [5, 1], [5, 2]] as const;
const FILTER_TILES = [[1, 8], [2, 8], [4, 4]] as const;

/**
 * The tiles of each width's generated kernels: the matmul tile as [rows per lane, columns],
 * the conv tiles' rows per lane (one file each, shortest first) and columns, the columns of
 * the narrow conv tiles (an _n{cols} file per height, for GEMMs of at most that many
 * columns; null where the width has none, lanes_core.TILES says why), and the window
 * kernels' rows per lane and windows as [taps along x, pixels between taps, pixels between
 * columns] (conv2d_window_w*_m*_k*[_d*][_s*], one file per height and window; they share the
 * conv tiles' columns; the 5-tap stride-2 window only at width 4, where it measured faster,
 * gen_conv_window.STRIDED_5X5), per number of output rows R (2 or 4) the windows that also
 * get a tile of R output rows (the _r{R} files, for maps at most 1/R of a tile wide;
 * gen_conv_window.MULTI_ROW_WINDOWS), and the filter kernels' tiles as [rows per lane, reduction
 * steps per loop iteration] and windows as [taps along x, pixels between reduction steps]
 * (conv2d_filter_w*_m*_k*[_s*], one file per tile and window; a tile holds the conv tiles'
 * columns rounded down to whole windows). The same table is lanes_core.TILES and
 * gen_conv_filter.TILES_TM_U in tools/gen-kernels, which write the files;
 * test/generated-kernels.test.ts checks that the two agree.
 */
export const LANES_TILES: Readonly<Record<LanesWidth, {
  matmul: readonly [number, number]; convRows: readonly number[]; convCols: number; convNarrowCols: number | null;
  windowRows: readonly number[]; windows: readonly (readonly [number, number, number])[];
  multiRowWindows: Readonly<Record<number, readonly (readonly [number, number, number])[]>>;
  filterTiles: readonly (readonly [number, number])[]; filterWindows: readonly (readonly [number, number])[];
}>> = {
  4: { matmul: [4, 32], convRows: [1, 2, 4, 8], convCols: 16, convNarrowCols: null, windowRows: [1, 2, 4], windows: [...WINDOWS, [5, 1, 2]], multiRowWindows: { 2: EIGHT_PIXEL_WINDOWS }, filterTiles: FILTER_TILES, filterWindows: FILTER_WINDOWS },
  8: { matmul: [4, 32], convRows: [1, 2, 4, 8], convCols: 32, convNarrowCols: 16, windowRows: [1, 2, 4], windows: WINDOWS, multiRowWindows: { 2: TWO_ROW_WINDOWS, 4: EIGHT_PIXEL_WINDOWS }, filterTiles: FILTER_TILES, filterWindows: FILTER_WINDOWS },
  16: { matmul: [2, 32], convRows: [1, 2], convCols: 32, convNarrowCols: 16, windowRows: [1, 2], windows: WINDOWS, multiRowWindows: { 2: TWO_ROW_WINDOWS }, filterTiles: FILTER_TILES.slice(0, 2), filterWindows: FILTER_WINDOWS },
  32: { matmul: [1, 32], convRows: [1], convCols: 32, convNarrowCols: null, windowRows: [1], windows: WINDOWS, multiRowWindows: { 2: TWO_ROW_WINDOWS }, filterTiles: FILTER_TILES.slice(0, 1), filterWindows: FILTER_WINDOWS },
};

/**
 * The file name (without .wgsl) of a window kernel: its width, tile rows, taps along x, pixels
 * between taps and between columns, and the output rows a tile spans (1, 2 or 4).
 */
export function windowKernelName(width: LanesWidth, rows: number, [taps, step, stride]: readonly [number, number, number], outputRows = 1): string {
  return `conv2d_window_w${width}_m${rows}_k${taps}${step === 1 ? "" : `_d${step}`}${stride === 1 ? "" : `_s${stride}`}${outputRows === 1 ? "" : `_r${outputRows}`}`;
}

/** The file name (without .wgsl) of a conv lanes kernel: its width, tile rows and, for a narrow tile, its columns. */
export function lanesKernelName(width: LanesWidth, rows: number, narrowCols: number | null = null): string {
  return `conv2d_lanes_w${width}_m${rows}${narrowCols === null ? "" : `_n${narrowCols}`}`;
}

/** The file names (without .wgsl) of one width's conv lanes kernels: every tile height, wide and narrow. */
export function lanesKernelNames(width: LanesWidth): string[] {
  const tile = LANES_TILES[width];
  const cols = tile.convNarrowCols === null ? [null] : [null, tile.convNarrowCols];
  return tile.convRows.flatMap((perLane) => cols.map((narrow) => lanesKernelName(width, width * perLane, narrow)));
}

/** The file name (without .wgsl) of a filter kernel: its width, tile rows, taps along x and pixels between reduction steps. */
export function filterKernelName(width: LanesWidth, rows: number, [taps, stride]: readonly [number, number]): string {
  return `conv2d_filter_w${width}_m${rows}_k${taps}${stride === 1 ? "" : `_s${stride}`}`;
}

/** The file names (without .wgsl) of one width's filter kernels: every tile and window. */
export function filterKernelNames(width: LanesWidth): string[] {
  const tile = LANES_TILES[width];
  return tile.filterTiles.flatMap(([perLane]) => tile.filterWindows.map((window) => filterKernelName(width, width * perLane, window)));
}

/** The file names (without .wgsl) of one width's window kernels: every tile height and window, one-row and multi-row tiles. */
export function windowKernelNames(width: LanesWidth): string[] {
  const tile = LANES_TILES[width];
  return tile.windowRows.flatMap((perLane) => [
    ...tile.windows.map((window) => windowKernelName(width, width * perLane, window)),
    ...Object.entries(tile.multiRowWindows).flatMap(([rows, windows]) => windows.map((window) => windowKernelName(width, width * perLane, window, Number(rows)))),
  ]);
}

/**
 * Per width, whether the lanes kernels read an aliased row operand from a packed copy by
 * default (see lanesPacksRows): measured to pay on lavapipe (width 8) on an AMD EPYC, to cost
 * on SwiftShader (width 4: matmul 1024^3 4.3 -> 4.0 GFLOP/s, the filter gradients 3.8 ->
 * 3.4-3.8), and the cache argument holds for any CPU lavapipe gives wider lanes to. Whether it
 * pays depends on the CPU's cache, so the convolutions' filter gradients time both
 * (tuneConv's "lanes" and "lanes-packed"); this is the choice before any tuning.
 */
const PACKS_ALIASED_ROWS: Readonly<Record<LanesWidth, boolean>> = { 4: false, 8: true, 16: true, 32: true };

/**
 * Whether rows `rowStride` floats apart share the sets of a typical CPU L1 data cache. A
 * lanes tile reads one value from each of its 32 or 64 rows per reduction step; an L1 of 32
 * KiB in 8 ways of 64-byte lines puts addresses 4 KiB apart in the same set, so rows a
 * multiple of 1024 floats apart compete for 8 lines and may evict each other at every step.
 * Reading them from a copy with each step's rows side by side avoids that, at the price of
 * the copy. Measured side by side on lavapipe (width 8), the copy included: on an AMD EPYC
 * (32 KiB, 8 ways), matmul 1024^3 28 -> 40 GFLOP/s (1008 and 1056, which do not alias, ran
 * at 40-43 unpacked), filter gradients of 3x3 convolutions on 64 x 64 planes 25-29 -> 29-43,
 * on 256 x 256 27 -> 34, on 32 x 32 25 -> 26, on 16 x 16 and smaller nothing or a loss; on an
 * Intel Xeon (48 KiB, 12 ways) the copy lost on every filter gradient measured (3x3 and 5x5
 * layers of 3 to 64 channels on 32 x 32 to 256 x 256 planes: 1.05-1.7x slower, the most
 * where a side has 3 to 16 channels) and tied at 128 channels and on matmul 1024^3.
 */
export function rowsShareCacheSets(rowStride: number): boolean {
  return rowStride % 1024 === 0;
}

/** Whether the lanes kernels read a row operand `rowStride` floats apart from a packed copy by default (PACKS_ALIASED_ROWS). */
export function lanesPacksRows(device: Device, rowStride: number): boolean {
  return lanesPacksByDefault(device) && rowsShareCacheSets(rowStride);
}

/** Whether this adapter's lanes width reads aliased row operands packed before any tuning (PACKS_ALIASED_ROWS). */
export function lanesPacksByDefault(device: Device): boolean {
  const width = lanesWidth(device);
  return width !== null && PACKS_ALIASED_ROWS[width];
}

/** The subgroup width the lanes kernels can rely on here, or why there is none. */
function widthOrReason(device: Device): LanesWidth | string {
  const { subgroupMinSize, subgroupMaxSize, description } = device.adapter;
  const adapter = description || "this adapter";
  if (!device.features.has("subgroups")) return `${adapter} does not offer the "subgroups" feature`;
  if (subgroupMinSize !== subgroupMaxSize) {
    return `${adapter} may give a pipeline subgroups of any width from ${subgroupMinSize} to ${subgroupMaxSize} lanes, and the lanes kernels need one known width`;
  }
  if (!(LANES_WIDTHS as readonly number[]).includes(subgroupMinSize)) {
    return `${adapter} has subgroups of ${subgroupMinSize} lanes, and the lanes kernels exist for ${LANES_WIDTHS.join(", ")}`;
  }
  return subgroupMinSize as LanesWidth;
}

/** The subgroup width of the lanes kernels that run here, or null when none can. */
export function lanesWidth(device: Device): LanesWidth | null {
  const width = widthOrReason(device);
  return typeof width === "number" ? width : null;
}

/**
 * Why the lanes kernels cannot run on `device`, or null when they can; with `width`, why
 * that width's kernels cannot (the tests list every width and skip the others with this).
 */
export function lanesMissing(device: Device, width?: LanesWidth): string | null {
  const own = widthOrReason(device);
  if (typeof own === "string") return own;
  if (width !== undefined && width !== own) {
    return `${device.adapter.description || "this adapter"} has subgroups of ${own} lanes, and these kernels are built for ${width}`;
  }
  return null;
}

export function lanesFits(device: Device): boolean {
  return lanesMissing(device) === null;
}

export function lanesUnavailable(op: string, device: Device, instead: string): Error {
  return new Error(`${op}: the lanes kernel cannot run here: ${lanesMissing(device)}; use ${instead}`);
}

/**
 * Whether the lanes kernels are the default before any tuning: on a CPU adapter, where a
 * subgroup is one SIMD vector, they measured several times faster than the workgroup-memory
 * kernels; on a GPU they run correctly but leave workgroup memory unused, so only a
 * measurement (tuneMatmul, tuneConv) makes them the choice there.
 */
export function lanesByDefault(device: Device): boolean {
  return device.adapter.isSoftware && lanesFits(device);
}
