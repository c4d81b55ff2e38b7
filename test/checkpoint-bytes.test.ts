// Checkpoints as bytes (what a page downloads and uploads) against checkpoints as files (what
// train.js writes, `--resume` and inpaint.js read): the same bytes, readable either way.
import t from "tap";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Tensor } from "../src/index.js";
import { encodeCheckpoint, readCheckpointBytes, type CheckpointContents } from "../src/checkpoint/checkpoint-bytes.js";
import { loadCheckpoint, saveCheckpoint } from "../src/checkpoint/checkpoint.js";
import { Rng } from "../src/data/rng.js";
import { readGeneratorCheckpoint } from "../src/infer/generator-checkpoint.js";
import { loadGenerator } from "../src/infer/load-generator.js";
import { randomValues, testDevice } from "./helpers.js";
import { tinyCheckpoint } from "./inpaint-fixtures.js";
import { tempDir } from "./tempdir.js";

const device = await testDevice();

function contents(seed: number): CheckpointContents {
  const tensors = new Map<string, Tensor>([
    ["generator.conv1.weight", device.tensor(randomValues(2 * 5 * 3 * 3, seed), [2, 5, 3, 3])],
    ["adam.generator.conv1.weight.m", device.tensor(randomValues(7, seed + 1), [7])],
  ]);
  return { step: 12, tensors, config: { model: { cnum: 4 }, seed }, rng: { data: Rng.fromSeed(seed).state() }, optimizers: { generator: { step: 12 } } };
}

/** The sidecar's fields without its time stamp, the one field two writes of the same state differ in. */
function withoutTime(json: string): unknown {
  const { savedAt, ...rest } = JSON.parse(json) as { savedAt: string };
  return rest;
}

t.test("the bytes encoded for a page are the bytes saveCheckpoint puts in the files", async (t) => {
  const dir = tempDir(t);
  const state = contents(3);
  const encoded = await encodeCheckpoint(state);
  const files = await saveCheckpoint(dir, state);
  t.equal(`${encoded.name}.json`, "step-000012.json", "named as train.js names them");
  t.same(Buffer.compare(readFileSync(files.tensorsPath), encoded.safetensors), 0, "the safetensors bytes are identical");
  t.same(withoutTime(readFileSync(files.sidecarPath, "utf8")), withoutTime(encoded.json), "the sidecar is identical but for savedAt");
  for (const x of state.tensors.values()) x.dispose();
});

t.test("bytes from a page load from files, and files load as bytes, to the same contents", async (t) => {
  const dir = tempDir(t);
  const state = contents(5);
  const encoded = await encodeCheckpoint(state);
  writeFileSync(join(dir, `${encoded.name}.safetensors`), encoded.safetensors);
  writeFileSync(join(dir, `${encoded.name}.json`), encoded.json);
  const fromFiles = loadCheckpoint(dir);
  const fromBytes = await readCheckpointBytes(readFileSync(fromFiles.tensorsPath), readFileSync(fromFiles.sidecarPath, "utf8"));
  for (const loaded of [fromFiles, fromBytes]) {
    t.equal(loaded.step, 12);
    t.same(loaded.config, state.config);
    t.same(loaded.rng, state.rng);
    t.same(loaded.optimizers, state.optimizers);
    for (const [name, tensor] of state.tensors) t.same([...loaded.tensors.get(name)!.data], [...(await tensor.read())], name);
  }
  for (const x of state.tensors.values()) x.dispose();
});

t.test("bytes that do not match their sidecar are refused with one line naming the fix", async (t) => {
  const state = contents(7);
  const { safetensors, json } = await encodeCheckpoint(state);
  const flipped = safetensors.slice();
  flipped[flipped.length - 1]! ^= 1;
  await t.rejects(readCheckpointBytes(flipped, json), /checkpoint tensors step-000012\.safetensors do not match the SHA-256 in the checkpoint's JSON \(the file is corrupt\); delete it/);
  await t.rejects(readCheckpointBytes(safetensors.subarray(1), json), /have \d+ bytes, the sidecar says \d+ \(truncated or replaced\)/);
  await t.rejects(readCheckpointBytes(safetensors, "{"), /the checkpoint's JSON is corrupt \(not valid JSON/);
  for (const x of state.tensors.values()) x.dispose();
});

t.test("a generator read from bytes equals the one inpaint.js loads from the files", async (t) => {
  const dir = tempDir(t);
  const sidecar = await tinyCheckpoint(device, dir);
  const fromFiles = loadGenerator(device, sidecar);
  const tensorsPath = sidecar.replace(/\.json$/, ".safetensors");
  const fromBytes = await readGeneratorCheckpoint(device, readFileSync(tensorsPath), readFileSync(sidecar, "utf8"));
  t.equal(fromBytes.step, fromFiles.step);
  t.same([fromBytes.cnum, fromBytes.attention, fromBytes.trainedSize], [fromFiles.cnum, fromFiles.attention, fromFiles.trainedSize]);
  let differing = 0;
  for (const [name, tensor] of fromFiles.generator.parameters) {
    if ((await tensor.read()).join() !== (await fromBytes.generator.parameters.get(name)!.read()).join()) differing++;
  }
  t.equal(differing, 0, `all ${fromFiles.generator.parameters.size} parameters equal`);
  fromFiles.generator.dispose();
  fromBytes.generator.dispose();
});
