/**
 * The safetensors format (Hugging Face), float32 only, encoded and decoded without a library
 * (as bytes, on any platform; safetensors-file.ts writes and reads files in Node).
 *
 * Layout: 8 bytes N (unsigned 64-bit little-endian), then N bytes of UTF-8 JSON that starts
 * with "{" and may be padded at the end with spaces, then the data buffer. The JSON maps each
 * tensor name to {"dtype", "shape", "data_offsets": [begin, end]}, offsets relative to the start
 * of the data buffer; an optional "__metadata__" maps strings to strings. Tensor bytes are
 * row-major and little-endian. A valid file's tensors tile the buffer exactly: no gaps, no
 * overlaps, nothing after the last one.
 *
 * The writer sorts tensors by name (so the same tensors give the same bytes) and pads the
 * header with spaces so the data starts at a multiple of 8, which keeps every float aligned
 * for readers that map the file. The reader checks every rule above and names the first one a
 * file breaks, so a corrupt or foreign file is a one-line error, never a garbage tensor.
 */

/** A tensor on the host: float32 data in row-major order and its shape. */
export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

export interface SafetensorsContents {
  tensors: Map<string, HostTensor>;
  metadata: Record<string, string>;
}

/** Headers larger than this are refused before parsing (the reference implementation's limit). */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;
const METADATA_KEY = "__metadata__";
/** Element types of the format, so a foreign file's dtype is named as unsupported rather than unknown. */
const KNOWN_DTYPES = new Set(["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]);

/** Serialises tensors and metadata into the chunks of a safetensors file (header first). */
export function encodeSafetensors(tensors: ReadonlyMap<string, HostTensor>, metadata: Record<string, string> = {}): Uint8Array[] {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== "string") throw new Error(`safetensors metadata "${key}" must be a string, got ${typeof value}`);
    }
    header[METADATA_KEY] = metadata;
  }
  let offset = 0;
  const chunks: Uint8Array[] = [];
  for (const name of names) {
    if (name === METADATA_KEY) throw new Error(`a tensor cannot be called "${METADATA_KEY}"; rename it`);
    const { shape, data } = tensors.get(name)!;
    const count = shape.reduce((a, b) => a * b, 1);
    if (!shape.every((d) => Number.isInteger(d) && d >= 0) || count !== data.length) {
      throw new Error(`tensor "${name}": shape [${shape.join(", ")}] does not match its ${data.length} values`);
    }
    header[name] = { dtype: "F32", shape: [...shape], data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
    chunks.push(littleEndianBytes(data));
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil((8 + json.length) / 8) * 8 - 8;
  const head = new Uint8Array(8 + padded).fill(0x20, 8 + json.length);
  new DataView(head.buffer).setBigUint64(0, BigInt(padded), true);
  head.set(json, 8);
  return [head, ...chunks];
}

/** Parses safetensors bytes; `source` names the file in errors, which say what is wrong with it. */
export function decodeSafetensors(bytes: Uint8Array, source = "safetensors data"): SafetensorsContents {
  const fail = (problem: string): never => {
    throw new Error(`${source} is not a valid safetensors file: ${problem}`);
  };
  if (bytes.length < 8) fail(`it has ${bytes.length} bytes, fewer than the 8-byte header length (truncated?)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) {
    fail(`the header length ${headerLength} exceeds ${headerLength > BigInt(MAX_HEADER_BYTES) ? `the ${MAX_HEADER_BYTES}-byte limit` : `the ${bytes.length - 8} bytes after it (truncated?)`}`);
  }
  const dataStart = 8 + Number(headerLength);
  let text = "";
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, dataStart));
  } catch {
    fail("the header is not UTF-8 text");
  }
  if (!text.startsWith("{")) fail(`the header must start with "{", found ${JSON.stringify(text.slice(0, 8))}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    fail(`the header is not valid JSON (${(error as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail("the header is not a JSON object");

  const metadata: Record<string, string> = {};
  const entries: { name: string; shape: number[]; begin: number; end: number }[] = [];
  const dataLength = bytes.length - dataStart;
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) fail(`"${METADATA_KEY}" must be an object of strings`);
      for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof value !== "string") fail(`metadata "${key}" must be a string, got ${JSON.stringify(value)}`);
        metadata[key] = value as string;
      }
      continue;
    }
    const e = (entry ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e.dtype !== "string") fail(`tensor "${name}" has no dtype`);
    if (e.dtype !== "F32") {
      fail(KNOWN_DTYPES.has(e.dtype as string) ? `tensor "${name}" has dtype ${e.dtype}; this reader takes F32 only (convert the file to float32)` : `tensor "${name}" has unknown dtype ${JSON.stringify(e.dtype)}`);
    }
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`tensor "${name}" has shape ${JSON.stringify(shape)}, not a list of non-negative integers`);
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(`tensor "${name}" has data_offsets ${JSON.stringify(offsets)}, not [begin, end]`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > dataLength) fail(`tensor "${name}" has data_offsets [${begin}, ${end}] outside the ${dataLength}-byte data buffer (truncated?)`);
    const expected = (shape as number[]).reduce((a, b) => a * b, 1) * 4;
    if (end - begin !== expected) fail(`tensor "${name}" has ${end - begin} bytes but shape [${(shape as number[]).join(", ")}] of F32 needs ${expected}`);
    entries.push({ name, shape: shape as number[], begin, end });
  }

  // The tensors must tile the data buffer: sorted by offset, each starts where the previous ended.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const entry of entries) {
    if (entry.begin < covered) fail(`tensor "${entry.name}" at [${entry.begin}, ${entry.end}] overlaps the tensor before it`);
    if (entry.begin > covered) fail(`bytes [${covered}, ${entry.begin}) of the data buffer belong to no tensor`);
    covered = entry.end;
  }
  if (covered !== dataLength) fail(`the last ${dataLength - covered} bytes of the data buffer belong to no tensor (or the file has trailing bytes)`);

  const tensors = new Map<string, HostTensor>();
  for (const { name, shape, begin, end } of entries) {
    tensors.set(name, { shape, data: float32FromLittleEndian(bytes.subarray(dataStart + begin, dataStart + end)) });
  }
  return { tensors, metadata };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The bytes of `data` in little-endian order (a view where the machine is little-endian). */
function littleEndianBytes(data: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

/** Copies little-endian float32 bytes into a fresh (aligned) Float32Array, bit for bit. */
function float32FromLittleEndian(bytes: Uint8Array): Float32Array {
  // new Uint8Array(view) copies; Buffer.prototype.slice would not (it returns a view of the pool).
  if (LITTLE_ENDIAN) return new Float32Array(new Uint8Array(bytes).buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
}
