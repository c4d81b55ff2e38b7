/**
 * Contextual attention the slow way, in float64, straight from the steps in
 * docs/model.md#contextual-attention with our changes (a mask per image, the exact 2-D fuse
 * sum): every score, neighbourhood and pasted pixel is a loop over its definition, with no
 * patch matrices, padding copies or chunks, so it shares no structure with the GPU layer.
 */
import { sourceIndex } from "./resize.js";
import type { NdArray } from "./layout.js";
// The threshold is part of the op's definition, not of how it is computed.
import { NEGLIGIBLE_ATTENTION } from "../../src/index.js";

export interface AttentionRefOptions {
  ksize: number;
  rate: number;
  /** Odd; 1 disables fuse propagation. */
  fuseK: number;
  scale: number;
  sharedMask: boolean;
}

export const DEFAULT_REF_OPTIONS: AttentionRefOptions = { ksize: 3, rate: 2, fuseK: 3, scale: 10, sharedMask: false };

export interface AttentionRefResult {
  output: Float64Array;
  /** [B, 2, h, w]: (row, column) of the first largest attention weight. */
  offsets: Float64Array;
  /** [B, h * w, h * w]. */
  attention: Float64Array;
}

/** m * softmax(scale * s * m) of one row (the official masked softmax), weights below NEGLIGIBLE_ATTENTION as 0. */
export function maskedSoftmaxRow(s: ArrayLike<number>, m: ArrayLike<number>, scale: number): Float64Array {
  const z = Array.from(s, (v, k) => scale * v * m[k]!);
  const top = Math.max(...z);
  const e = z.map((v) => Math.exp(v - top));
  const total = e.reduce((a, v) => a + v, 0);
  return Float64Array.from(e, (v, k) => {
    const weight = (m[k]! * v) / total;
    return weight < NEGLIGIBLE_ATTENTION ? 0 : weight;
  });
}

/** y[b, i, j, k, l] = sum over |dy|, |dx| <= r of x[b, i + offset + dy, j + dx, k + dy, l + dx], 0 outside. */
export function diagonalSumRef(x: ArrayLike<number>, shape: readonly number[], rowsOut: number, offset: number, r: number): Float64Array {
  const [batch, rowsIn, w, hb, wb] = shape as [number, number, number, number, number];
  const at = (b: number, i: number, j: number, k: number, l: number) =>
    i < 0 || i >= rowsIn || j < 0 || j >= w || k < 0 || k >= hb || l < 0 || l >= wb ? 0 : x[(((b * rowsIn + i) * w + j) * hb + k) * wb + l]!;
  const y = new Float64Array(batch * rowsOut * w * hb * wb);
  let n = 0;
  for (let b = 0; b < batch; b++)
    for (let i = 0; i < rowsOut; i++)
      for (let j = 0; j < w; j++)
        for (let k = 0; k < hb; k++)
          for (let l = 0; l < wb; l++) {
            for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) y[n] += at(b, i + offset + dy, j + dx, k + dy, l + dx);
            n++;
          }
  return y;
}

export function contextualAttentionRef(f: NdArray, b: NdArray, mask: NdArray, o: AttentionRefOptions): AttentionRefResult {
  const [batch, channels, height, width] = f.shape as [number, number, number, number];
  const h = height / o.rate;
  const w = width / o.rate;
  const n = h * w;
  const k = o.ksize;
  const before = Math.floor((k - 1) / 2);
  const r = (o.fuseK - 1) / 2;
  const rawBefore = Math.floor(o.rate / 2);
  const at = (x: NdArray, i: number, c: number, y: number, xx: number) => x.data[((i * x.shape[1]! + c) * x.shape[2]! + y) * x.shape[3]! + xx]!;
  // Downscaled maps (nearest, align corners), read as 0 outside.
  const downscaled = (x: NdArray) => {
    const [xb, xc] = x.shape as [number, number];
    const out = new Float64Array(xb * xc * n);
    for (let i = 0; i < xb; i++)
      for (let c = 0; c < xc; c++)
        for (let y = 0; y < h; y++)
          for (let xx = 0; xx < w; xx++) out[((i * xc + c) * h + y) * w + xx] = at(x, i, c, sourceIndex(y, height, h, true), sourceIndex(xx, width, w, true));
    return { data: out, channels: xc };
  };
  const [fs, bs, ms] = [downscaled(f), downscaled(b), downscaled(mask)];
  const small = (x: { data: Float64Array; channels: number }, i: number, c: number, y: number, xx: number) =>
    y < 0 || y >= h || xx < 0 || xx >= w ? 0 : x.data[((i * x.channels + c) * h + y) * w + xx]!;
  const output = new Float64Array(batch * channels * height * width);
  const offsets = new Float64Array(batch * 2 * n);
  const attention = new Float64Array(batch * n * n);

  for (let i = 0; i < batch; i++) {
    const mi = o.sharedMask || mask.shape[0] === 1 ? 0 : i;
    const valid: number[] = [];
    const norm: number[] = [];
    for (let q = 0; q < n; q++) {
      const [qy, qx] = [Math.floor(q / w), q % w];
      let hole = false;
      let sq = 0;
      for (let ty = 0; ty < k; ty++) {
        for (let tx = 0; tx < k; tx++) {
          if (small(ms, mi, 0, qy - before + ty, qx - before + tx) !== 0) hole = true;
          for (let c = 0; c < channels; c++) sq += small(bs, i, c, qy - before + ty, qx - before + tx) ** 2;
        }
      }
      valid.push(hole ? 0 : 1);
      norm.push(Math.max(Math.sqrt(sq), 1e-4));
    }
    const score = (p: number, q: number) => {
      const [py, px, qy, qx] = [Math.floor(p / w), p % w, Math.floor(q / w), q % w];
      let s = 0;
      for (let c = 0; c < channels; c++)
        for (let ty = 0; ty < k; ty++)
          for (let tx = 0; tx < k; tx++)
            s += small(fs, i, c, py - before + ty, px - before + tx) * small(bs, i, c, qy - before + ty, qx - before + tx);
      return s / norm[q]!;
    };
    const raw = Array.from({ length: n }, (_, p) => Array.from({ length: n }, (_, q) => score(p, q)));
    for (let p = 0; p < n; p++) {
      const [py, px] = [Math.floor(p / w), p % w];
      const fused = new Float64Array(n);
      for (let q = 0; q < n; q++) {
        const [qy, qx] = [Math.floor(q / w), q % w];
        for (let dy = -r; dy <= r; dy++)
          for (let dx = -r; dx <= r; dx++) {
            const inside = (y: number, x: number) => y >= 0 && y < h && x >= 0 && x < w;
            if (inside(py + dy, px + dx) && inside(qy + dy, qx + dx)) fused[q] += raw[(py + dy) * w + px + dx]![(qy + dy) * w + qx + dx]!;
          }
      }
      const a = maskedSoftmaxRow(fused, valid, o.scale);
      attention.set(a, (i * n + p) * n);
      let best = 0;
      for (let q = 1; q < n; q++) if (a[q]! > a[best]!) best = q;
      offsets[(i * 2) * n + p] = Math.floor(best / w);
      offsets[(i * 2 + 1) * n + p] = best % w;
      // Paste: each raw 2r x 2r patch of b around q, weighted, lands around p.
      const span = 2 * o.rate;
      for (let q = 0; q < n; q++) {
        if (a[q] === 0) continue;
        const [qy, qx] = [Math.floor(q / w), q % w];
        for (let ty = 0; ty < span; ty++)
          for (let tx = 0; tx < span; tx++) {
            const [oy, ox] = [py * o.rate - rawBefore + ty, px * o.rate - rawBefore + tx];
            const [sy, sx] = [qy * o.rate - rawBefore + ty, qx * o.rate - rawBefore + tx];
            if (oy < 0 || oy >= height || ox < 0 || ox >= width || sy < 0 || sy >= height || sx < 0 || sx >= width) continue;
            for (let c = 0; c < channels; c++) {
              output[((i * channels + c) * height + oy) * width + ox] += (a[q]! * at(b, i, c, sy, sx)) / 4;
            }
          }
      }
    }
  }
  return { output, offsets, attention };
}

/**
 * Gradients of sum(output * v) with respect to f and b by central differences on the
 * float64 reference (step 1e-6): exact enough to judge float32 gradients, and independent
 * of any derivation.
 */
export function attentionGradRef(f: NdArray, b: NdArray, mask: NdArray, v: ArrayLike<number>, o: AttentionRefOptions, same = false): { df: Float64Array; db: Float64Array } {
  const loss = (ff: NdArray, bb: NdArray) => {
    const out = contextualAttentionRef(ff, same ? ff : bb, mask, o).output;
    let s = 0;
    for (let j = 0; j < out.length; j++) s += out[j]! * v[j]!;
    return s;
  };
  const eps = 1e-6;
  const derivative = (which: "f" | "b") => {
    const base = which === "f" ? f : b;
    const data = Float64Array.from(base.data);
    const g = new Float64Array(data.length);
    for (let j = 0; j < data.length; j++) {
      const keep = data[j]!;
      const value = (delta: number) => {
        data[j] = keep + delta;
        const moved = { data, shape: base.shape };
        return which === "f" ? loss(moved, b) : loss(f, moved);
      };
      g[j] = (value(eps) - value(-eps)) / (2 * eps);
      data[j] = keep;
    }
    return g;
  };
  return { df: derivative("f"), db: same ? new Float64Array(b.data.length) : derivative("b") };
}
