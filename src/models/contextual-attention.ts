/**
 * DeepFill's contextual attention (docs/model.md#contextual-attention; pictures in
 * docs/contextual-attention.md): the foreground features f fill the hole by matching their
 * patches against the background b's patches outside the hole and pasting the best ones back.
 * NCHW throughout; no trainable parameters.
 *
 * Steps, for each image (all images at once; each with its own mask unless sharedMask):
 *  1. raw 2r x 2r patches of b at stride r ("same" padding): the pieces pasted back;
 *  2. f, b and the mask downscaled by r (nearest, align corners, as the official code);
 *  3. k x k matching patches of the downscaled b ("same", zero padded);
 *  4. a background patch is valid when its k x k mask window holds no hole pixel;
 *  5. each matching patch divided by max(its L2 norm, 1e-4) (f is not normalised);
 *  6. scores: every foreground patch dotted with every normalised background patch (a GEMM);
 *  7. fuse propagation (attention/fuse.ts): the exact 2-D neighbourhood sum;
 *  8. attention = m * softmax(scale * scores * m), one fused kernel (attentionSoftmax);
 *  9. offsets: the argmax background patch of each position;
 * 10. paste-back: attention times raw patches, overlap-added at stride r, divided by 4.
 * The output replaces the whole map, known region included.
 *
 * Gradients reach f through the scores and b through the normalised patches and the raw
 * patches, all built from differentiable engine ops. The softmax kernel is first-order only.
 *
 * Memory: the scores grow with the square of the pixel count, so the foreground positions
 * are processed in chunks of whole rows (attention/chunks.ts); results do not depend on the
 * chunking. Each chunk's temporaries are released before the next one starts, so without
 * gradient recording peak memory is one chunk's. When gradients are recorded the graph holds
 * what the vjps saved: each chunk's attention (h^2 w^2 floats per image in all), not the raw
 * or fused scores.
 */
import type { Tensor } from "../tensor/tensor.js";
import { tidy } from "../tensor/scope.js";
import { formatShape } from "../tensor/shape.js";
import { noGrad } from "../autograd/graph.js";
import {
  affine, argmax, concat, conv2d, detach, div, full, matmul, max, maximum, mulScalar, permute,
  reshape, resizeNearest, samePadding, slice, sqrt, square, step, sub, sum,
} from "../autograd/ops/index.js";
import { attentionSoftmax } from "./ops/attention-softmax.js";
import { chunkRows } from "./attention/chunks.js";
import { fusePropagation } from "./attention/fuse.js";
import { extractPatches, overlapAdd, type Padding } from "./attention/patches.js";

export interface ContextualAttentionOptions {
  /** Matching patch size, default 3. */
  ksize?: number;
  /** Step between background patches; only 1 (the model's value) is implemented. */
  stride?: number;
  /** Downscale rate, default 2. */
  rate?: number;
  /** Fuse-propagation size, default 3 (odd); 1 or 0 disables it. */
  fuseK?: number;
  /** Softmax scale, default 10. */
  softmaxScale?: number;
  /** Default false; true = official behaviour (item 0's mask for the whole batch). */
  sharedMask?: boolean;
  /** Foreground positions per chunk (rounded down to whole rows); "auto" (default) from the adapter's limits. */
  chunkSize?: number | "auto";
}

export interface ContextualAttentionResult {
  /** [B, C, H, W], same shape as b: the paste-back, replacing the whole map. */
  output: Tensor;
  /**
   * [B, 2, H/rate, W/rate]: (y, x) of the best-matching background patch per foreground
   * position, in downscaled coordinates. Not differentiable (no graph).
   */
  offsets: Tensor;
}

/** The smallest norm a matching patch is divided by (the official 1e-4). */
const NORM_EPS = 1e-4;
/** The official paste-back divides by 4, the number of raw patches covering a pixel at rate 2. */
const PASTE_DIVISOR = 4;

interface Resolved {
  ksize: number;
  rate: number;
  fuseK: number;
  scale: number;
  sharedMask: boolean;
  chunkSize: number | "auto";
}

function resolve(f: Tensor, b: Tensor, mask: Tensor, options: ContextualAttentionOptions): Resolved {
  const op = "contextualAttention";
  const o = {
    ksize: options.ksize ?? 3, stride: options.stride ?? 1, rate: options.rate ?? 2, fuseK: options.fuseK ?? 3,
    scale: options.softmaxScale ?? 10, sharedMask: options.sharedMask ?? false, chunkSize: options.chunkSize ?? "auto",
  };
  if (f.rank !== 4 || b.rank !== 4 || f.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`${op}: f ${formatShape(f.shape)} and b ${formatShape(b.shape)} must be NCHW maps of one shape`);
  }
  const [batch, , h, w] = f.shape as [number, number, number, number];
  if (mask.rank !== 4 || mask.shape[1] !== 1 || mask.shape[2] !== h || mask.shape[3] !== w || (mask.shape[0] !== batch && mask.shape[0] !== 1)) {
    throw new Error(`${op}: the mask ${formatShape(mask.shape)} must be [${batch}, 1, ${h}, ${w}] or [1, 1, ${h}, ${w}] (f's size, 1 = hole)`);
  }
  if (!(Number.isInteger(o.ksize) && o.ksize >= 1)) throw new Error(`${op}: ksize must be a positive integer, got ${o.ksize}`);
  if (o.stride !== 1) throw new Error(`${op}: only stride 1 is implemented (got ${o.stride}); DeepFill uses 1`);
  if (!(Number.isInteger(o.rate) && o.rate >= 1) || h % o.rate !== 0 || w % o.rate !== 0) {
    throw new Error(`${op}: rate ${o.rate} must be a positive integer dividing the map's size ${h}x${w}; pad the map to a multiple of it`);
  }
  if (!(Number.isInteger(o.fuseK) && o.fuseK >= 0 && (o.fuseK <= 1 || o.fuseK % 2 === 1))) {
    throw new Error(`${op}: fuseK must be an odd positive integer, or 0 or 1 to disable fuse propagation; got ${o.fuseK}`);
  }
  return { ...o, fuseK: o.fuseK <= 1 ? 1 : o.fuseK };
}

/** Padding [top, bottom, left, right] of TF "same" for a k x k window at `stride` on h x w. */
function same(h: number, w: number, k: number, stride: number): Padding {
  return [...samePadding(h, k, stride, 1), ...samePadding(w, k, stride, 1)] as unknown as Padding;
}

/** 1 for each background patch (of each mask image) whose k x k window holds no hole pixel: [images, h * w]. */
function validity(maskSmall: Tensor, k: number): Tensor {
  const [images, , h, w] = maskSmall.shape as [number, number, number, number];
  const window = full(maskSmall.device, [1, 1, k, k], 1);
  const touched = conv2d(detach(maskSmall), window, { padding: same(h, w, k, 1) });
  return reshape(affine(step(touched), -1, 1), [images, h * w]);
}

/** Row of the first maximum and its column, from attention [B, P, h * w]: [B, 2, P]. */
function bestMatch(a: Tensor, h: number, w: number): Tensor {
  const [batch, positions] = a.shape as [number, number, number];
  const index = argmax(a, 2, true);
  // The first maximum in row-major order lies in the first row that holds the maximum.
  const row = argmax(max(reshape(a, [batch, positions, h, w]), 3), 2, true);
  const column = sub(index, mulScalar(row, w));
  return permute(concat([row, column], 2), [0, 2, 1]);
}

export function contextualAttention(f: Tensor, b: Tensor, mask: Tensor, options: ContextualAttentionOptions = {}): ContextualAttentionResult {
  const o = resolve(f, b, mask, options);
  return tidy(() => layer(f, b, mask, o, true) as ContextualAttentionResult);
}

/** contextualAttention's output alone: no offsets map, which training never reads (eight dispatches per chunk). */
export function contextualAttentionOutput(f: Tensor, b: Tensor, mask: Tensor, options: ContextualAttentionOptions = {}): Tensor {
  const o = resolve(f, b, mask, options);
  return tidy(() => layer(f, b, mask, o, false).output);
}

function layer(f: Tensor, b: Tensor, mask: Tensor, o: Resolved, withOffsets: boolean): { output: Tensor; offsets: Tensor | null } {
  const [batch, channels, height, width] = f.shape as [number, number, number, number];
  const { rate, ksize: k } = o;
  const [h, w] = [height / rate, width / rate];
  const patches = h * w;
  const down = (x: Tensor) => (rate === 1 ? x : resizeNearest(x, [h, w], { alignCorners: true }));

  const rawPadding = same(height, width, 2 * rate, rate);
  const raw = extractPatches(b, 2 * rate, rate, rawPadding);
  const maskUsed = o.sharedMask && mask.shape[0]! > 1 ? slice(mask, [0, 0, 0, 0], [1, 1, height, width]) : mask;
  // Constants, computed without a graph; their temporaries go at once even when recording.
  const valid = noGrad(() => tidy(() => validity(down(maskUsed), k)));

  const matchPadding = same(h, w, k, 1);
  const wc = extractPatches(down(b), k, 1, matchPadding);
  // max(||w||, eps) as sqrt(max(||w||^2, eps^2)): the same value, but an all-zero patch
  // gets a zero gradient instead of 0 * inf = NaN through sqrt's derivative at 0.
  const norms = sqrt(maximum(sum(square(wc), 1, true), full(b.device, [1, 1, 1], NORM_EPS * NORM_EPS)));
  const wn = div(wc, norms);
  const fc = extractPatches(down(f), k, 1, matchPadding);

  const halo = (o.fuseK - 1) / 2;
  const rowsPerChunk = chunkRows(b.device, { batch, height: h, width: w, patches, halo }, o.chunkSize);
  const pasted: Tensor[] = [];
  const offsets: Tensor[] = [];
  for (let r0 = 0; r0 < h; r0 += rowsPerChunk) {
    const r1 = Math.min(h, r0 + rowsPerChunk);
    const [y, offset] = tidy(() => {
      const a = attention(fc, wn, valid, o, [r0, r1], [h, w], halo);
      return [matmul(raw, a, { transposeB: true }), withOffsets ? noGrad(() => tidy(() => bestMatch(a, h, w))) : null];
    });
    pasted.push(y!);
    if (offset) offsets.push(offset);
    // The pool recycles a released buffer only after its batch is submitted: this lets the
    // next chunk reuse this one's score buffers.
    b.device.flush();
  }
  const columns = pasted.length === 1 ? pasted[0]! : concat(pasted, 2);
  const output = mulScalar(overlapAdd(columns, [batch, channels, height, width], 2 * rate, rate, rawPadding, [h, w]), 1 / PASTE_DIVISOR);
  if (!withOffsets) return { output, offsets: null };
  const offsetMap = noGrad(() => reshape(offsets.length === 1 ? offsets[0]! : concat(offsets, 2), [batch, 2, h, w]));
  // Views share storage, so the map survives its pieces.
  for (const piece of offsets) piece.dispose();
  return { output, offsets: offsetMap };
}

/** Attention [B, (r1 - r0) * w, h * w] of foreground rows [r0, r1). */
function attention(fc: Tensor, wn: Tensor, valid: Tensor, o: Resolved, [r0, r1]: [number, number], [h, w]: [number, number], halo: number): Tensor {
  const [batch, depth] = fc.shape as [number, number, number];
  // Scores of the chunk's rows and the halo rows inside the map.
  const lo = Math.max(0, r0 - halo);
  const hi = Math.min(h, r1 + halo);
  const raw = matmul(slice(fc, [0, 0, lo * w], [batch, depth, hi * w]), wn, { transposeA: true });
  // Each score tensor goes as soon as the next exists, so a chunk holds two at a time, not three.
  let scores = raw;
  if (halo > 0) {
    scores = fusePropagation(raw, lo, [r0, r1], w, [h, w], o.fuseK);
    raw.dispose();
  }
  const a = attentionSoftmax(scores, valid, o.scale);
  scores.dispose();
  return a;
}
