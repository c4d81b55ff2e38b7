// The checkpoint files as another framework sees them (docs/weights.md): a checkpoint written by
// saveCheckpoint is read back with a small parser written here from the safetensors rules alone
// (u64 LE header length, a JSON header, F32 dtype names, offsets tiling the data from 0, data
// starting on an 8-byte boundary), its values match the model's, the sidecar's hash matches the
// file, and a convolution computed by hand from the file's [cout, cin, kh, kw] weights equals
// the engine's, which is the layout PyTorch's conv2d takes.
import t from "tap";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Generator, conv2d, localCritic, tidy } from "../src/index.js";
import { saveCheckpoint } from "../src/checkpoint/checkpoint.js";
import { addPrefix } from "../src/checkpoint/checkpoint-bytes.js";
import { randomValues, testDevice } from "./helpers.js";
import { tempDir } from "./tempdir.js";

const device = await testDevice();

interface Parsed {
  headerLength: number;
  header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  metadata: Record<string, string>;
  dataStart: number;
  values: (name: string) => Float32Array;
}

/** The format's rules and nothing else: length, JSON, entries; values read one float at a time. */
function parse(bytes: Buffer): Parsed {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const json = JSON.parse(bytes.subarray(8, 8 + headerLength).toString("utf8"));
  const { __metadata__: metadata = {}, ...header } = json;
  const dataStart = 8 + headerLength;
  const values = (name: string) => {
    const [begin, end] = header[name].data_offsets;
    return Float32Array.from({ length: (end - begin) / 4 }, (_, i) => view.getFloat32(dataStart + begin + 4 * i, true));
  };
  return { headerLength, header, metadata, dataStart, values };
}

t.test("a checkpoint read by an independent parser", async (t) => {
  const dir = tempDir(t);
  const generator = new Generator(device, { cnum: 4, seed: 2 });
  const critic = localCritic(device, { size: [16, 16], cnum: 4, seed: 2 });
  const tensors = new Map([...generator.parameters, ...critic.parameters, ...addPrefix(new Map([["m.x", generator.parameters.get("generator.coarse.conv1.bias")!]]), "adam.generator.")]);
  const files = await saveCheckpoint(dir, { step: 12, tensors, config: { model: { cnum: 4 } } });
  const bytes = readFileSync(files.tensorsPath);
  const file = parse(bytes);

  t.equal(file.dataStart % 8, 0, "the data buffer starts on an 8-byte boundary");
  t.match(bytes.subarray(8, file.dataStart).toString("utf8"), /^\{.*\} *$/s, "the header is JSON padded with spaces");
  t.same(file.metadata, { format: "deepfill-webgpu-checkpoint", step: "12" }, "string metadata");
  const names = Object.keys(file.header);
  t.same(names, [...tensors.keys()].sort(), "every tensor, sorted by name");
  t.ok(Object.values(file.header).every((e) => e.dtype === "F32"), "dtype F32 throughout");
  let offset = 0;
  for (const name of names) {
    const { shape, data_offsets: [begin, end] } = file.header[name]!;
    t.equal(begin, offset, `${name} starts where the previous tensor ended`);
    t.equal(end - begin, 4 * shape.reduce((a, d) => a * d, 1), `${name}: 4 bytes per element of ${JSON.stringify(shape)}`);
    offset = end;
  }
  t.equal(file.dataStart + offset, bytes.length, "the last tensor ends the file");
  for (const [name, tensor] of tensors) t.same([...file.values(name)], [...(await tensor.read())], `${name}: values`);

  t.same(file.header["generator.coarse.conv1.weight"]!.shape, [4, 5, 5, 5], "conv weight [cout, cin, kh, kw]: 5 input channels (image, ones, mask)");
  t.same(file.header["generator.refine.allconv11.weight"]!.shape, [16, 32, 3, 3], "the decoder takes both branches: 8c in");
  t.same(file.header["localCritic.dense.weight"]!.shape, [1 * 1 * 32, 1], "dense [in, out], in = (16/16)^2 x 8c");
  const sidecar = JSON.parse(readFileSync(files.sidecarPath, "utf8"));
  t.equal(sidecar.tensorsSha256, createHash("sha256").update(bytes).digest("hex"), "the sidecar's SHA-256 is the file's");
  t.same(sidecar.config, { model: { cnum: 4 } });

  // The first layer by hand from the file (TF SAME: 2 pixels each side for 5x5) against the engine.
  const w = file.values("generator.coarse.conv1.weight");
  const bias = file.values("generator.coarse.conv1.bias");
  const [cin, size] = [5, 6];
  const x = randomValues(cin * size * size, 9);
  const engine = tidy(() => conv2d(device.tensor(x, [1, cin, size, size]), generator.parameters.get("generator.coarse.conv1.weight")!, { padding: "same" }, generator.parameters.get("generator.coarse.conv1.bias")!));
  const got = await engine.read();
  engine.dispose();
  let worst = 0;
  for (let o = 0; o < 4; o++)
    for (let y = 0; y < size; y++)
      for (let xx = 0; xx < size; xx++) {
        let sum = bias[o]!;
        for (let i = 0; i < cin; i++)
          for (let ky = 0; ky < 5; ky++)
            for (let kx = 0; kx < 5; kx++) {
              const [sy, sx] = [y + ky - 2, xx + kx - 2];
              if (sy >= 0 && sy < size && sx >= 0 && sx < size) sum += w[((o * cin + i) * 5 + ky) * 5 + kx]! * x[(i * size + sy) * size + sx]!;
            }
        worst = Math.max(worst, Math.abs(sum - got[(o * size + y) * size + xx]!));
      }
  t.ok(worst < 1e-5, `cross-correlation with w[o, i, ky, kx] reproduces the engine (largest difference ${worst.toExponential(1)})`);
  generator.dispose();
  critic.dispose();
});
