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

/**
 * Calls visit(o, pixel) for every element of the columns [N, C * k * k, Ho, Wo] in order: o is
 * its index there, pixel the index in the image [N, C, H, W] it was taken from, or -1 where
 * the window lies over the padding.
 */
function forEachPatchElement(n: number, c: number, [h, w]: readonly [number, number], [gh, gw]: readonly [number, number],
  { k, stride, padding }: PatchGeometry, visit: (o: number, pixel: number) => void): void {
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let ky = 0; ky < k; ky++) {
        for (let kx = 0; kx < k; kx++) {
          for (let j = 0; j < gh; j++) {
            for (let i = 0; i < gw; i++) {
              const y = j * stride + ky - padding[0];
              const xx = i * stride + kx - padding[2];
              visit(o++, y >= 0 && y < h && xx >= 0 && xx < w ? ((b * c + ch) * h + y) * w + xx : -1);
            }
          }
        }
      }
    }
  }
}

/** x [N, C, H, W] -> cols [N, C * k * k, Ho, Wo]. */
export function unfoldReference(x: ArrayLike<number>, shape: readonly number[], g: PatchGeometry): Float64Array {
  const [n, c, h, w] = shape as [number, number, number, number];
  const grid = gridReference(h, w, g);
  const cols = new Float64Array(n * c * g.k * g.k * grid[0] * grid[1]);
  forEachPatchElement(n, c, [h, w], grid, g, (o, pixel) => { cols[o] = pixel < 0 ? 0 : x[pixel]!; });
  return cols;
}

/** cols [N, C * k * k, Ho, Wo] -> image [N, C, H, W] of `size` [H, W]. */
export function foldReference(cols: ArrayLike<number>, colsShape: readonly number[], size: readonly [number, number],
  g: PatchGeometry): Float64Array {
  const [n, depth, gh, gw] = colsShape as [number, number, number, number];
  const c = depth / (g.k * g.k);
  const image = new Float64Array(n * c * size[0] * size[1]);
  forEachPatchElement(n, c, size, [gh, gw], g, (o, pixel) => { if (pixel >= 0) image[pixel] += cols[o]!; });
  return image;
}
