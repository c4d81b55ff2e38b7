/**
 * Matrix products: matmul(a, b) for [M, K] x [K, N] and batched [B, M, K] x [B, K, N], where
 * either batch may be 1 (or the operand rank 2) and is then shared by every product.
 * transposeA / transposeB read an operand stored as [K, M] / [N, K] through its strides, so
 * nothing is copied. The vjp is matmul again (with transpose flags) plus sumToShape for a
 * shared batch, so matmul can be differentiated twice.
 *
 * Three kernels compute the same thing: "naive" (one output per invocation, the checkable
 * baseline), "tiled" (workgroup-memory tiles, the GPU design) and "lanes" (one-subgroup
 * workgroups with broadcast loads, the CPU-adapter design, one file per subgroup width; see
 * lanes.ts); their headers explain why. The default follows the adapter (software with a
 * fixed subgroup width: lanes, otherwise tiled) unless tuneMatmul() has timed the candidates
 * for this adapter and shape class.
 */
import type { Device } from "../../tensor/device.js";
import { defineKernel, type KernelSpec, type Overrides } from "../../tensor/kernels.js";
import type { Tensor } from "../../tensor/tensor.js";
import { formatShape } from "../../tensor/shape.js";
import { timeCandidates, tunedChoice, type TuneOptions } from "../../tensor/autotune.js";
import { noGrad, record } from "../graph.js";
import { noteTunable } from "./tunable-shapes.js";
import { deviceOf } from "./common.js";
import { LANES_TILES, LANES_WIDTHS, lanesByDefault, lanesFits, lanesPacksRows, lanesUnavailable, lanesWidth, type LanesWidth } from "./lanes.js";
import { reshape, transpose } from "./layout.js";
import { sumToShape } from "./reduce.js";

export type MatmulKernel = "naive" | "tiled" | "lanes";
export const MATMUL_KERNELS: readonly MatmulKernel[] = ["naive", "tiled", "lanes"];

/** Every matmul kernel shares one contract: C[batch] = A[batch] B[batch], each read through strides. */
const MATMUL_PARAMS = {
  m: "u32", n: "u32", k: "u32", batch: "u32",
  a_batch: "u32", a_row: "u32", a_col: "u32", b_batch: "u32", b_row: "u32", b_col: "u32",
} as const;
type MatmulSpec = KernelSpec<typeof MATMUL_PARAMS>;
const matmulSpec = (name: string) => defineKernel({ name, inputs: ["a", "b"], outputs: ["c"], params: MATMUL_PARAMS });
const SPECS = { naive: matmulSpec("matmul_naive"), tiled: matmulSpec("matmul_tiled") };
const LANES_SPECS = Object.fromEntries(LANES_WIDTHS.map((w) => [w, matmulSpec(`matmul_lanes_w${w}`)])) as Record<LanesWidth, MatmulSpec>;

export interface MatmulOptions {
  /** a is stored as [K, M] (or [B, K, M]) and used transposed. */
  transposeA?: boolean;
  /** b is stored as [N, K] (or [B, N, K]) and used transposed. */
  transposeB?: boolean;
  /** Force a kernel (tests, benchmarks); the default picks one per adapter and shape. */
  kernel?: MatmulKernel;
}

/** Output tile sides of the kernels (fixed in their WGSL; see the headers for why; lanes: LANES_TILES). */
const TILED_TILE = 64;
/** Columns of C from which the lanes kernel reads a cache-aliased A from a k-major copy (lanesPacksRows). */
const PACK_MIN_COLUMNS = 64;
const NAIVE_WG = 8;

interface Geometry {
  batch: number;
  m: number;
  n: number;
  k: number;
  /** Per-operand element strides: [batch, row, column] of the logical (transposed) matrix. */
  aStrides: [number, number, number];
  bStrides: [number, number, number];
}

function geometry(a: Tensor, b: Tensor, tA: boolean, tB: boolean): Geometry {
  const describe = () =>
    `A ${formatShape(a.shape)}${tA ? " (transposeA)" : ""} and B ${formatShape(b.shape)}${tB ? " (transposeB)" : ""}`;
  if ((a.rank !== 2 && a.rank !== 3) || (b.rank !== 2 && b.rank !== 3)) {
    throw new Error(`matmul: operands must have rank 2 or 3, got ${describe()}; reshape batches of matrices to [B, rows, cols]`);
  }
  const [ba, ra, ca] = a.rank === 3 ? a.shape : [1, ...a.shape];
  const [bb, rb, cb] = b.rank === 3 ? b.shape : [1, ...b.shape];
  const m = tA ? ca! : ra!;
  const ka = tA ? ra! : ca!;
  const kb = tB ? cb! : rb!;
  const n = tB ? rb! : cb!;
  if (ka !== kb) {
    throw new Error(`matmul: inner dimensions differ for ${describe()}: A gives K = ${ka}, B gives K = ${kb}; transpose or reshape one operand`);
  }
  if (ba !== bb && ba !== 1 && bb !== 1) {
    throw new Error(`matmul: batch sizes ${ba} and ${bb} differ for ${describe()}; they must be equal or one of them 1`);
  }
  const batch = Math.max(ba!, bb!);
  if (batch > 65535) throw new Error(`matmul: batch ${batch} exceeds 65535 for ${describe()}; split it into several calls`);
  const aStrides: [number, number, number] = [ba === 1 ? 0 : ra! * ca!, tA ? 1 : ca!, tA ? ca! : 1];
  const bStrides: [number, number, number] = [bb === 1 ? 0 : rb! * cb!, tB ? 1 : cb!, tB ? cb! : 1];
  return { batch, m, n, k: ka!, aStrides, bStrides };
}

function launch(device: Device, kernel: MatmulKernel, g: Geometry): {
  spec: MatmulSpec; workgroups: [number, number, number]; overrides: Overrides;
} {
  switch (kernel) {
    case "naive":
      return { spec: SPECS.naive, workgroups: [Math.ceil(g.n / NAIVE_WG), Math.ceil(g.m / NAIVE_WG), g.batch], overrides: {} };
    case "tiled":
      return { spec: SPECS.tiled, workgroups: [Math.ceil(g.n / TILED_TILE), Math.ceil(g.m / TILED_TILE), g.batch], overrides: {} };
    case "lanes": {
      const width = lanesWidth(device);
      if (width === null) throw lanesUnavailable("matmul", device, 'kernel "tiled"');
      const [rowsPerLane, cols] = LANES_TILES[width].matmul;
      return { spec: LANES_SPECS[width], workgroups: [Math.ceil(g.n / cols), Math.ceil(g.m / (width * rowsPerLane)), g.batch], overrides: {} };
    }
  }
}

/** The kernel used when none is forced: the tuned winner, else the adapter's default. */
export function defaultMatmulKernel(device: Device, m: number, n: number, k: number): MatmulKernel {
  const key = shapeClass(m, n, k);
  noteTunable(() => ({ op: "matmul", key, m, n, k }));
  const tuned = tunedChoice(device, key);
  if (tuned && (MATMUL_KERNELS as readonly string[]).includes(tuned)) return tuned as MatmulKernel;
  return lanesByDefault(device) ? "lanes" : "tiled";
}

/** Shapes within a factor of two of each other share a tuning result. */
function shapeClass(m: number, n: number, k: number): string {
  const bucket = (x: number) => Math.ceil(Math.log2(Math.max(1, x)));
  return `matmul:${bucket(m)}:${bucket(n)}:${bucket(k)}`;
}

function matmulKernel(a: Tensor, b: Tensor, tA: boolean, tB: boolean, kernel?: MatmulKernel): Tensor {
  const device = deviceOf("matmul", a, b);
  const g = geometry(a, b, tA, tB);
  const shape = a.rank === 2 && b.rank === 2 ? [g.m, g.n] : [g.batch, g.m, g.n];
  if (g.batch * g.m * g.n === 0) return device.empty(shape);
  // Every refusal comes before the output exists, so a refused product leaves nothing behind.
  const chosen = kernel ?? defaultMatmulKernel(device, g.m, g.n, g.k);
  const { spec, workgroups, overrides } = launch(device, chosen, g);
  if (workgroups[0] > 65535 || workgroups[1] > 65535) {
    throw new Error(`matmul: [${g.m}, ${g.n}] outputs need ${workgroups[0]} x ${workgroups[1]} workgroups with the ${chosen} kernel (limit 65535 per axis); split the product`);
  }
  const out = device.empty(shape);
  const [aBatch, aRow, aCol] = g.aStrides;
  const [bBatch, bRow, bCol] = g.bStrides;
  // The copy is read once per column tile, so it pays only where there are several.
  const packA = chosen === "lanes" && aCol === 1 && g.n >= PACK_MIN_COLUMNS && lanesPacksRows(device, aRow);
  const aRead = packA ? noGrad(() => transpose(a)) : a;
  device.run(spec, {
    inputs: [aRead.buffer("matmul"), b.buffer("matmul")],
    outputs: [out.buffer("matmul")],
    params: {
      m: g.m, n: g.n, k: g.k, batch: g.batch, a_batch: aBatch, a_row: packA ? 1 : aRow, a_col: packA ? g.m : aCol,
      b_batch: bBatch, b_row: bRow, b_col: bCol,
    },
    workgroups,
    overrides,
  });
  if (packA) aRead.dispose();
  return out;
}

/**
 * op(a) x op(b), where op transposes the last two axes when its flag is set. Rank 2 x rank 2
 * gives [M, N]; otherwise [B, M, N], a batch of 1 (or a rank-2 operand) being shared.
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const tA = options.transposeA ?? false;
  const tB = options.transposeB ?? false;
  const y = matmulKernel(a, b, tA, tB, options.kernel);
  const kernel = options.kernel;
  // For C = op(A) op(B): dA = dC op(B)^T and dB = op(A)^T dC, then transposed back to how A
  // and B are stored; a shared batch sums its gradients (sumToShape), rank 2 drops the axis.
  return record("matmul", y, [a, b], (gc, needed, [a, b]) => {
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (needed[0]) {
      ga = tA
        ? matmul(b, gc, { transposeA: tB, transposeB: true, kernel })
        : matmul(gc, b, { transposeA: false, transposeB: !tB, kernel });
      ga = reshape(sumToShape(ga, batchShape(ga, a)), a.shape);
    }
    if (needed[1]) {
      gb = tB
        ? matmul(gc, a, { transposeA: true, transposeB: tA, kernel })
        : matmul(a, gc, { transposeA: !tA, transposeB: false, kernel });
      gb = reshape(sumToShape(gb, batchShape(gb, b)), b.shape);
    }
    return [ga, gb];
  }, { saved: [a, b] });
}

/** The gradient's shape with the batch axis of `operand` (1 when shared or absent). */
function batchShape(g: Tensor, operand: Tensor): number[] {
  if (g.rank === 2) return [...g.shape];
  return [operand.rank === 3 ? operand.shape[0]! : 1, g.shape[1]!, g.shape[2]!];
}

/**
 * Times every fast kernel on an [m, k] x [k, n] product of random data and remembers the
 * fastest for this adapter and shape class, so later matmuls of similar shapes use it.
 * Returns the winner and the median milliseconds of each candidate.
 */
export async function tuneMatmul(device: Device, m: number, n: number, k: number, options: TuneOptions = {}):
  Promise<{ kernel: MatmulKernel; ms: Record<string, number> }> {
  const values = (count: number) => Float32Array.from({ length: count }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const a = device.tensor(values(m * k), [m, k]);
  const b = device.tensor(values(k * n), [k, n]);
  try {
    const kernels: MatmulKernel[] = lanesFits(device) ? ["tiled", "lanes"] : ["tiled"];
    const candidates = kernels.map((kernel) => ({
      name: kernel,
      run: () => matmulKernel(a, b, false, false, kernel).dispose(),
    }));
    const result = await timeCandidates(device, shapeClass(m, n, k), candidates, options);
    return { kernel: result.winner as MatmulKernel, ms: result.ms };
  } finally {
    a.dispose();
    b.dispose();
  }
}
