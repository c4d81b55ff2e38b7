/**
 * Packs a kernel's uniform struct. Kernels declare their uniforms as a flat sequence of
 * 4-byte scalars (u32, i32, f32) and `array<vec4<i32>, N>` blocks; this writer follows the
 * WGSL layout rules for exactly those: scalars take 4 bytes, a vec4 block starts on a
 * 16-byte boundary, and the struct size is rounded to 16.
 */
export class Uniforms {
  private readonly words: number[] = [];
  private readonly kinds: ("u" | "i" | "f")[] = [];

  u32(...values: number[]): this {
    for (const v of values) this.push("u", v);
    return this;
  }

  i32(...values: number[]): this {
    for (const v of values) this.push("i", v);
    return this;
  }

  f32(...values: number[]): this {
    for (const v of values) this.push("f", v);
    return this;
  }

  /** An `array<vec4<i32>, count/4>` block holding `values`, zero-padded to `count` entries. */
  i32Block(values: readonly number[], count: number): this {
    if (values.length > count) throw new Error(`uniform block of ${count} entries cannot hold ${values.length}`);
    while (this.words.length % 4 !== 0) this.push("u", 0);
    for (let i = 0; i < count; i++) this.push("i", values[i] ?? 0);
    return this;
  }

  private push(kind: "u" | "i" | "f", value: number): void {
    this.words.push(value);
    this.kinds.push(kind);
  }

  toArrayBuffer(): ArrayBuffer {
    const length = Math.ceil(Math.max(this.words.length, 4) / 4) * 4;
    const buffer = new ArrayBuffer(length * 4);
    const u = new Uint32Array(buffer);
    const i = new Int32Array(buffer);
    const f = new Float32Array(buffer);
    this.words.forEach((value, index) => {
      const kind = this.kinds[index];
      if (kind === "f") f[index] = value;
      else if (kind === "i") i[index] = value;
      else u[index] = value;
    });
    return buffer;
  }
}
