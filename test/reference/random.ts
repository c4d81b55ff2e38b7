/**
 * The random fills of kernels/random.wgsl on the CPU: the same integer hash with
 * Math.imul and >>> 0 (so the bits are identical), float32 rounding where the GPU rounds.
 */
function mix(v: number): number {
  let h = v >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h = (h ^ (h >>> 15)) >>> 0;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export function randomBits(seed: number, index: number, stream: number): number {
  const lo = seed % 2 ** 32;
  const hi = Math.floor(seed / 2 ** 32);
  const key1 = mix((lo + Math.imul(0x9e3779b9, 2 * stream + 1)) >>> 0);
  const key2 = mix((hi ^ key1) >>> 0);
  return mix((mix((index ^ key1) >>> 0) + key2) >>> 0);
}

const f = Math.fround;

export function uniformReference(seed: number, count: number, low: number, high: number): Float32Array {
  const out = new Float32Array(count);
  const span = f(f(high) - f(low));
  for (let i = 0; i < count; i++) {
    const unit = (randomBits(seed, i, 0) >>> 8) / 2 ** 24;
    out[i] = f(low) + f(span * unit);
  }
  return out;
}

/** The f32 just below pi that kernels/random.wgsl scales its angle by. */
export const PI_DOWN = f(3.1415925);

/** Box-Muller's two uniform inputs for element `index`: u1 in (0, 1], u2 in [0, 1). */
export function boxMullerInputs(seed: number, index: number): { u1: number; u2: number } {
  return {
    u1: ((randomBits(seed, index, 0) >>> 8) + 1) / 2 ** 24,
    u2: (randomBits(seed, index, 1) >>> 8) / 2 ** 24,
  };
}

export function normalReference(seed: number, count: number, mean: number, std: number): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const { u1, u2 } = boxMullerInputs(seed, i);
    out[i] = f(mean) + f(std) * Math.sqrt(-2 * Math.log(u1)) * Math.cos(PI_DOWN * (2 * u2 - 1));
  }
  return out;
}
