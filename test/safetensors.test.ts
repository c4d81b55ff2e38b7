// safetensors: bit-exact round trips (NaN payloads, -0, infinities, denormals, empty and
// scalar tensors), the writer's aligned, deterministic header, a hand-built file read per the
// format's rules, and a named error for each kind of malformed file.
import t from "tap";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeSafetensors, encodeSafetensors, type HostTensor } from "../src/checkpoint/safetensors.js";
import { readSafetensors, writeSafetensors } from "../src/checkpoint/safetensors-file.js";
import { randomValues } from "./helpers.js";
import { tempDir } from "./tempdir.js";

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

/** A file from a header object and a data buffer, the header padded as given. */
function build(header: unknown, data: Uint8Array, padding = 0): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header) + " ".repeat(padding));
  const head = new Uint8Array(8 + json.length);
  new DataView(head.buffer).setBigUint64(0, BigInt(json.length), true);
  head.set(json, 8);
  return concat([head, data]);
}

function bits(data: Float32Array): number[] {
  return [...new Uint32Array(data.buffer, data.byteOffset, data.length)];
}

t.test("round trip is bit-exact", async (t) => {
  const dir = tempDir(t);
  const special = new Uint32Array([0x7fc00001, 0xffa00000, 0x80000000, 0x7f800000, 0xff800000, 0x00000001, 0x3f800000]);
  const tensors = new Map<string, HostTensor>([
    ["generator.conv1.weight", { shape: [4, 3, 3, 3], data: randomValues(108, 1) }],
    ["special", { shape: [7], data: new Float32Array(special.buffer) }],
    ["empty", { shape: [2, 0], data: new Float32Array(0) }],
    ["scalar", { shape: [], data: new Float32Array([3.5]) }],
    ["odd", { shape: [5], data: randomValues(5, 2) }],
  ]);
  const metadata = { format: "deepfill-webgpu", note: "ünïcode ✓" };
  const path = join(dir, "a.safetensors");
  writeSafetensors(path, tensors, metadata);
  const read = readSafetensors(path);
  t.same(read.metadata, metadata);
  t.same([...read.tensors.keys()].sort(), [...tensors.keys()].sort());
  for (const [name, tensor] of tensors) {
    t.same(read.tensors.get(name)!.shape, tensor.shape, `${name} shape`);
    t.same(bits(read.tensors.get(name)!.data), bits(tensor.data), `${name} bits`);
  }
  t.same(readdirSync(dir), ["a.safetensors"], "no temporary file left");
});

t.test("the writer's header is aligned, space-padded and deterministic", async (t) => {
  const tensors = new Map<string, HostTensor>([["b", { shape: [3], data: new Float32Array([1, 2, 3]) }], ["a", { shape: [1], data: new Float32Array([4]) }]]);
  const bytes = concat(encodeSafetensors(tensors));
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  t.equal((8 + n) % 8, 0, "data starts at a multiple of 8");
  const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  t.match(header, /^\{.*\} *$/, "JSON then spaces");
  const parsed = JSON.parse(header);
  t.same(parsed.a, { dtype: "F32", shape: [1], data_offsets: [0, 4] }, "sorted by name: a first");
  t.same(parsed.b.data_offsets, [4, 16]);
  t.same([...concat(encodeSafetensors(new Map([...tensors].reverse())))], [...bytes], "insertion order does not change the bytes");
  t.throws(() => encodeSafetensors(new Map([["x", { shape: [2, 2], data: new Float32Array(3) }]])), /shape \[2, 2\] does not match its 3 values/);
});

t.test("reads a file laid out by the format's rules, not by our writer", async (t) => {
  const data = new Uint8Array(new Float32Array([1, 2, 3, -1]).buffer);
  // Offsets in the header out of order, no padding, metadata last.
  const file = build({ second: { dtype: "F32", shape: [1], data_offsets: [12, 16] }, first: { dtype: "F32", shape: [3], data_offsets: [0, 12] }, __metadata__: { k: "v" } }, data);
  const read = decodeSafetensors(file);
  t.same([...read.tensors.get("first")!.data], [1, 2, 3]);
  t.same([...read.tensors.get("second")!.data], [-1]);
  t.same(read.metadata, { k: "v" });
});

t.test("malformed files are refused with the reason", async (t) => {
  const dir = tempDir(t);
  const data = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
  const good = concat(encodeSafetensors(new Map([["w", { shape: [4], data: new Float32Array([1, 2, 3, 4]) }]])));
  const tooLong = good.slice();
  new DataView(tooLong.buffer).setBigUint64(0, 1n << 40n, true);
  const pastEnd = good.slice();
  new DataView(pastEnd.buffer).setBigUint64(0, BigInt(good.length), true);
  const entry = (offsets: number[], dtype = "F32", shape = [2]) => ({ dtype, shape, data_offsets: offsets });
  const cases: [string, Uint8Array, RegExp][] = [
    ["truncated data", good.subarray(0, good.length - 4), /outside the 12-byte data buffer \(truncated\?\)/],
    ["shorter than the length field", good.subarray(0, 5), /5 bytes, fewer than the 8-byte header length/],
    ["huge header length", tooLong, /header length 1099511627776 exceeds the 104857600-byte limit/],
    ["header length past the end", pastEnd, /exceeds the \d+ bytes after it \(truncated\?\)/],
    ["bad JSON", build({ a: 1 }, data).map((b) => (b === 0x7d ? 0x5d : b)), /the header is not valid JSON/],
    ["not an object", build([1, 2], new Uint8Array()), /must start with "\{"/],
    ["overlapping offsets", build({ a: entry([0, 8]), b: entry([4, 12]), c: entry([8, 16]) }, data), /tensor "b" at \[4, 12\] overlaps/],
    ["a gap", build({ a: entry([0, 8]), b: entry([12, 20], "F32", [2]) }, concat([data, new Uint8Array(4)])), /bytes \[8, 12\) of the data buffer belong to no tensor/],
    ["trailing bytes", build({ a: entry([0, 8]) }, data), /the last 8 bytes of the data buffer belong to no tensor/],
    ["another dtype", build({ a: entry([0, 16], "F16", [8]) }, data), /dtype F16; this reader takes F32 only/],
    ["unknown dtype", build({ a: entry([0, 16], "F33", [4]) }, data), /unknown dtype "F33"/],
    ["size mismatch", build({ a: entry([0, 16], "F32", [3]) }, data), /has 16 bytes but shape \[3\] of F32 needs 12/],
    ["negative shape", build({ a: entry([0, 16], "F32", [-4]) }, data), /not a list of non-negative integers/],
    ["bad offsets", build({ a: { dtype: "F32", shape: [4], data_offsets: [0] } }, data), /not \[begin, end\]/],
    ["metadata not strings", build({ __metadata__: { step: 3 }, a: entry([0, 16], "F32", [4]) }, data), /metadata "step" must be a string/],
    ["not UTF-8", build({ a: 1 }, new Uint8Array()).map((b, i) => (i === 10 ? 0xff : b)), /not UTF-8/],
  ];
  for (const [name, bytes, expected] of cases) {
    const path = join(dir, `${name.replace(/ /g, "-")}.safetensors`);
    writeFileSync(path, bytes);
    const message = (() => { try { readSafetensors(path); return ""; } catch (e) { return (e as Error).message; } })();
    t.match(message, new RegExp(`${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} is not a valid safetensors file: `), `${name}: names the file`);
    t.match(message, expected, name);
    t.notMatch(message, /\n/, `${name}: one line`);
  }
  t.throws(() => readSafetensors(join(dir, "missing.safetensors")), /cannot read .*missing\.safetensors: ENOENT/);
});
