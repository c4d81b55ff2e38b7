/**
 * A kernel's uniform struct (`struct Params`, binding 0), declared as an ordered record of
 * field names and WGSL types, and packed from values given by name. Because launchers name
 * every field, a wrong count or order cannot reach the GPU, and test/kernel-contract.test.ts
 * checks each declaration against its WGSL text.
 *
 * Only two kinds of field occur: 4-byte scalars, and `array<vec4<i32>, N>` blocks of 4N
 * entries (shapes and strides). WGSL's layout rules for exactly those: a scalar takes 4 bytes,
 * a block starts on a 16-byte boundary, and the struct's size is rounded up to 16.
 */
export type ScalarType = "u32" | "i32" | "f32";
export type BlockType = `array<vec4<i32>, ${number}>`;
export type ParamsLayout = Readonly<Record<string, ScalarType | BlockType>>;

/** The values a launcher passes: a number per scalar, up to 4N numbers per block (the rest are zero). */
export type ParamValues<L extends ParamsLayout> = { readonly [K in keyof L]: L[K] extends ScalarType ? number : readonly number[] };

interface Field {
  name: string;
  kind: "u" | "i" | "f" | "block";
  /** Offset in 4-byte words. */
  word: number;
  /** Entries of a block. */
  count: number;
}

interface Packing {
  fields: Field[];
  words: number;
}

const packings = new WeakMap<ParamsLayout, Packing>();

function packingOf(layout: ParamsLayout): Packing {
  let packing = packings.get(layout);
  if (!packing) {
    const fields: Field[] = [];
    let word = 0;
    for (const [name, type] of Object.entries(layout)) {
      const block = /^array<vec4<i32>, (\d+)>$/.exec(type);
      if (block) {
        word = Math.ceil(word / 4) * 4;
        fields.push({ name, kind: "block", word, count: 4 * Number(block[1]) });
        word += 4 * Number(block[1]);
      } else {
        fields.push({ name, kind: type[0] as "u" | "i" | "f", word, count: 1 });
        word += 1;
      }
    }
    packing = { fields, words: Math.ceil(Math.max(word, 4) / 4) * 4 };
    packings.set(layout, packing);
  }
  return packing;
}

/** The struct's bytes for `values`; throws when a field is missing, unknown or a block overflows. */
export function packParams<L extends ParamsLayout>(layout: L, values: ParamValues<L>): ArrayBuffer {
  const { fields, words } = packingOf(layout);
  const given = values as Readonly<Record<string, number | readonly number[]>>;
  if (Object.keys(given).length !== fields.length) {
    const unknown = Object.keys(given).filter((name) => !(name in layout));
    throw new Error(`uniforms: ${unknown.length > 0 ? `unknown field(s) ${unknown.join(", ")}` : "missing field(s)"}; expected ${Object.keys(layout).join(", ")}`);
  }
  const buffer = new ArrayBuffer(words * 4);
  const u = new Uint32Array(buffer);
  const i = new Int32Array(buffer);
  const f = new Float32Array(buffer);
  for (const field of fields) {
    const value = given[field.name];
    if (value === undefined) throw new Error(`uniforms: field ${field.name} is missing`);
    if (field.kind === "block") {
      const entries = value as readonly number[];
      if (entries.length > field.count) throw new Error(`uniforms: ${field.name} holds ${field.count} entries, got ${entries.length}`);
      for (let k = 0; k < entries.length; k++) i[field.word + k] = entries[k]!;
    } else if (field.kind === "f") {
      f[field.word] = value as number;
    } else if (field.kind === "i") {
      i[field.word] = value as number;
    } else {
      u[field.word] = value as number;
    }
  }
  return buffer;
}
