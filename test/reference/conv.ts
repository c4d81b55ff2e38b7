/**
 * Slow, obviously right twins of the convolution ops. The forward pass loops over every
 * output and tap; the input gradient scatters each output gradient back along the taps it
 * came from (the opposite direction of the GPU kernel, which gathers), so the two are
 * written differently and cannot share a mistake. Mirror padding maps indices directly.
 */
import type { NdArray } from "./layout.js";

export interface RefConvParams {
  kernel: readonly [number, number];
  stride: readonly [number, number];
  dilation: readonly [number, number];
  padding: readonly [number, number, number, number];
  padMode: "zero" | "reflect" | "symmetric";
}

/** The source index of padded position i on an axis of n pixels, or -1 for a zero. */
function sourceIndex(i: number, n: number, mode: RefConvParams["padMode"]): number {
  if (i >= 0 && i < n) return i;
  if (mode === "zero") return -1;
  if (mode === "reflect") return i < 0 ? -i : 2 * (n - 1) - i;
  return i < 0 ? -i - 1 : 2 * n - 1 - i;
}

export function outSizeRef(n: number, k: number, s: number, d: number, before: number, after: number): number {
  return Math.floor((n + before + after - d * (k - 1) - 1) / s) + 1;
}

/** Calls visit(yIndex, wIndex, xIndex) for every tap of every output that reads a pixel of the image (after mirroring). */
function eachTap(xShape: readonly number[], cout: number, p: RefConvParams,
  visit: (yIndex: number, wIndex: number, xIndex: number) => void): [number, number] {
  const [batch, cin, h, w] = xShape as [number, number, number, number];
  const [kh, kw] = p.kernel;
  const ho = outSizeRef(h, kh, p.stride[0], p.dilation[0], p.padding[0], p.padding[1]);
  const wo = outSizeRef(w, kw, p.stride[1], p.dilation[1], p.padding[2], p.padding[3]);
  for (let b = 0; b < batch; b++)
    for (let co = 0; co < cout; co++)
      for (let oy = 0; oy < ho; oy++)
        for (let ox = 0; ox < wo; ox++)
          for (let ci = 0; ci < cin; ci++)
            for (let ky = 0; ky < kh; ky++)
              for (let kx = 0; kx < kw; kx++) {
                const iy = sourceIndex(oy * p.stride[0] - p.padding[0] + ky * p.dilation[0], h, p.padMode);
                const ix = sourceIndex(ox * p.stride[1] - p.padding[2] + kx * p.dilation[1], w, p.padMode);
                if (iy < 0 || ix < 0) continue;
                visit(((b * cout + co) * ho + oy) * wo + ox, ((co * cin + ci) * kh + ky) * kw + kx, ((b * cin + ci) * h + iy) * w + ix);
              }
  return [ho, wo];
}

export function conv2dRef(x: NdArray, w: NdArray, p: RefConvParams, bias?: NdArray): NdArray {
  const cout = w.shape[0]!;
  const [batch, , h, wd] = x.shape as [number, number, number, number];
  const ho = outSizeRef(h, p.kernel[0], p.stride[0], p.dilation[0], p.padding[0], p.padding[1]);
  const wo = outSizeRef(wd, p.kernel[1], p.stride[1], p.dilation[1], p.padding[2], p.padding[3]);
  const y = new Float64Array(batch * cout * ho * wo);
  if (bias) for (let i = 0; i < y.length; i++) y[i] = bias.data[Math.floor(i / (ho * wo)) % cout]!;
  eachTap(x.shape, cout, p, (yi, wi, xi) => (y[yi]! += w.data[wi]! * x.data[xi]!));
  return { data: y, shape: [batch, cout, ho, wo] };
}

export function conv2dBackwardInputRef(gy: NdArray, w: NdArray, inputShape: readonly number[], p: RefConvParams): NdArray {
  const gx = new Float64Array(inputShape.reduce((a, b) => a * b, 1));
  eachTap(inputShape, w.shape[0]!, p, (yi, wi, xi) => (gx[xi]! += gy.data[yi]! * w.data[wi]!));
  return { data: gx, shape: [...inputShape] };
}

export function conv2dBackwardFilterRef(x: NdArray, gy: NdArray, weightShape: readonly number[], p: RefConvParams): NdArray {
  const gw = new Float64Array(weightShape.reduce((a, b) => a * b, 1));
  eachTap(x.shape, weightShape[0]!, p, (yi, wi, xi) => (gw[wi]! += gy.data[yi]! * x.data[xi]!));
  return { data: gw, shape: [...weightShape] };
}

/**
 * TensorFlow's 'SAME' padding of one axis, [before, after]: the output has ceil(n / stride)
 * pixels, and the padding those need beyond the image is split with the odd pixel after.
 */
export function samePaddingRef(n: number, k: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(n / stride);
  const needed = (out - 1) * stride + dilation * (k - 1) + 1;
  const total = Math.max(needed - n, 0);
  return [Math.floor(total / 2), Math.ceil(total / 2)];
}
