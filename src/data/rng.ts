/**
 * A seeded random number generator whose whole state is four 32-bit words, so it can be saved
 * in a checkpoint's JSON sidecar and restored to continue the exact same sequence.
 *
 * Algorithm: xoshiro128** (Blackman and Vigna), seeded through splitmix32 so that nearby seeds
 * give unrelated streams. Each draw consumes a fixed number of words except `int` (rejection
 * keeps it unbiased) and `normal` (polar method rejection); neither keeps a cached value, so the
 * four words are the complete state.
 */

/** What `Rng.state()` returns and `Rng.restore()` takes: plain JSON. */
export interface RngState {
  algorithm: "xoshiro128**";
  words: [number, number, number, number];
}

export class Rng {
  private readonly s: Uint32Array;

  private constructor(words: ArrayLike<number>) {
    this.s = Uint32Array.from(words);
  }

  /** A generator for `seed` (any integer or float; it is hashed) and optional independent `stream`. */
  static fromSeed(seed: number, stream = 0): Rng {
    if (!Number.isFinite(seed) || !Number.isFinite(stream)) throw new Error(`Rng.fromSeed: seed ${seed} and stream ${stream} must be finite numbers`);
    // Fold the seed's low and high 32 bits and the stream into the splitmix state.
    let x = (Math.floor(seed) >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32) >>> 0, 0x9e3779b9) ^ Math.imul(stream >>> 0, 0x85ebca6b);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      words.push((z ^ (z >>> 16)) >>> 0);
    }
    // xoshiro must never hold all zeros (it would output zeros forever).
    if ((words[0]! | words[1]! | words[2]! | words[3]!) === 0) words[0] = 1;
    return new Rng(words);
  }

  /** A generator continuing exactly from a saved state; rejects anything that is not one. */
  static restore(state: unknown): Rng {
    const s = state as Partial<RngState> | null;
    const words = s?.words;
    const valid = s?.algorithm === "xoshiro128**" && Array.isArray(words) && words.length === 4 &&
      words.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32) && words.some((w) => w !== 0);
    if (!valid) throw new Error(`not a saved random state: expected {"algorithm":"xoshiro128**","words":[4 unsigned 32-bit integers, not all 0]}, got ${JSON.stringify(state)}`);
    return new Rng(words);
  }

  /** The complete state as JSON-safe data (a copy). */
  state(): RngState {
    const [a, b, c, d] = this.s;
    return { algorithm: "xoshiro128**", words: [a!, b!, c!, d!] };
  }

  /** An independent copy that continues the same sequence. */
  clone(): Rng {
    return new Rng(this.s);
  }

  /** The next 32 random bits as an unsigned integer. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextU32() / 2 ** 32;
  }

  /** Uniform in [low, high). */
  range(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** A uniform integer in [low, high) (high exclusive, like numpy's randint), without modulo bias. */
  int(low: number, high: number): number {
    if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low || high - low > 2 ** 32) {
      throw new Error(`Rng.int: needs integers low < high with high - low <= 2^32, got [${low}, ${high})`);
    }
    const span = high - low;
    // Accept only draws below the largest multiple of span, so every residue is equally likely.
    const limit = 2 ** 32 - (2 ** 32 % span);
    for (;;) {
      const r = this.nextU32();
      if (r < limit) return low + (r % span);
    }
  }

  /** A normal sample with the given mean and standard deviation (Marsaglia's polar method). */
  normal(mean = 0, std = 1): number {
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const r2 = u * u + v * v;
      if (r2 > 0 && r2 < 1) return mean + std * u * Math.sqrt((-2 * Math.log(r2)) / r2);
    }
  }

  /** A seed for the GPU random kernels (randomUniform / randomNormal take a u32 seed). */
  seed(): number {
    return this.nextU32();
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
