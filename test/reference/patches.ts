/**
 * unfold and fold, the slow way: the window index straight from its definition, unfold as a
 * gather over every output element and fold as a brute-force scatter-add of every column
 * element onto the pixel it came from.
 */

export interface PatchGeometry {
  k: number;
  stride: number;
  /** [top, bottom, left, right] */
  padding: readonly [number, number, number, number];
}

/** Windows per axis [Ho, Wo] of an h x w image. */
export function gridReference(h: number, w: number, { k, stride, padding }: PatchGeometry): [number, number] {
  const [top, bottom, left, right] = padding;
  return [Math.floor((h + top + bottom - k) / stride) + 1, Math.floor((w + left + right - k) / stride) + 1];
}

/** x [N, C, H, W] -> cols [N, C * k * k, Ho, Wo]. */
export function unfoldReference(x: ArrayLike<number>, shape: readonly number[], g: PatchGeometry): Float64Array {
  const [n, c, h, w] = shape as [number, number, number, number];
  const { k, stride, padding } = g;
  const [gh, gw] = gridReference(h, w, g);
  const cols = new Float64Array(n * c * k * k * gh * gw);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let ky = 0; ky < k; ky++) {
        for (let kx = 0; kx < k; kx++) {
          for (let j = 0; j < gh; j++) {
            for (let i = 0; i < gw; i++) {
              const y = j * stride + ky - padding[0];
              const xx = i * stride + kx - padding[2];
              cols[o++] = y >= 0 && y < h && xx >= 0 && xx < w ? x[((b * c + ch) * h + y) * w + xx]! : 0;
            }
          }
        }
      }
    }
  }
  return cols;
}

/** cols [N, C * k * k, Ho, Wo] -> image [N, C, H, W] of `size` [H, W]. */
export function foldReference(cols: ArrayLike<number>, colsShape: readonly number[], size: readonly [number, number],
  g: PatchGeometry): Float64Array {
  const [n, depth, gh, gw] = colsShape as [number, number, number, number];
  const { k, stride, padding } = g;
  const c = depth / (k * k);
  const [h, w] = size;
  const image = new Float64Array(n * c * h * w);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let ky = 0; ky < k; ky++) {
        for (let kx = 0; kx < k; kx++) {
          for (let j = 0; j < gh; j++) {
            for (let i = 0; i < gw; i++) {
              const y = j * stride + ky - padding[0];
              const xx = i * stride + kx - padding[2];
              if (y >= 0 && y < h && xx >= 0 && xx < w) image[((b * c + ch) * h + y) * w + xx] += cols[o]!;
              o++;
            }
          }
        }
      }
    }
  }
  return image;
}
