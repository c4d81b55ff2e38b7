/**
 * A feature map whose hole has a known answer, for checking and showing contextual
 * attention: random features, constant on 2x2 blocks (so the layer's downscale by 2 is
 * exact), in which a square region around the hole is an exact copy of the region `shift`
 * downscaled columns to its right. Every hole position's neighbourhood then matches the
 * patch `shift` columns to the right exactly, and nothing else comes close, so the attention
 * offsets of the hole point there and the paste-back reproduces the source.
 */

export interface CopyScene {
  /** [1, channels, size, size] values, row-major. */
  features: Float32Array;
  /** [1, 1, size, size], 1 = hole. */
  mask: Float32Array;
  size: number;
  channels: number;
  /** The hole in downscaled coordinates: rows and columns [from, to). */
  hole: readonly [number, number];
  /** Downscaled columns from a hole position to its source. */
  shift: number;
}

/** Deterministic values in [-1, 1) from a seed (mulberry32). */
function noise(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = Math.imul(state ^ (state >>> 15), state | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return (((z ^ (z >>> 14)) >>> 0) / 2 ** 32) * 2 - 1;
  });
}

/**
 * The scene on a 32 x 32 map (16 x 16 downscaled): the hole covers downscaled [3, 6)^2, i.e.
 * full-resolution [6, 12)^2; downscaled rows and columns [1, 8) are copied from columns
 * [9, 16), far enough that the source's 3x3 patches do not touch the hole.
 */
export function copyScene(channels = 4, seed = 31): CopyScene {
  const size = 32;
  const small = size / 2;
  const shift = 8;
  const z = noise(channels * small * small, seed);
  for (let c = 0; c < channels; c++)
    for (let y = 1; y < 8; y++)
      for (let x = 1; x < 8; x++) z[(c * small + y) * small + x] = z[(c * small + y) * small + x + shift]!;
  const features = new Float32Array(channels * size * size);
  for (let c = 0; c < channels; c++)
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) features[(c * size + y) * size + x] = z[(c * small + (y >> 1)) * small + (x >> 1)]!;
  const mask = new Float32Array(size * size);
  for (let y = 6; y < 12; y++) mask.fill(1, y * size + 6, y * size + 12);
  return { features, mask, size, channels, hole: [3, 6], shift };
}
