// Checkpoints: bit-exact round trip of tensors, RNG and optimizer state (a resumed Adam run
// continues identically), file naming, last-K pruning, atomic writes (a failed write leaves
// the previous checkpoint intact), one-line errors for corrupt files that leave them untouched,
// and named configuration mismatches.
import t from "tap";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mulScalar, type Tensor } from "../src/index.js";
import { atomicWrite } from "../src/io/atomic.js";
import { Adam } from "../src/train/adam.js";
import { findLatestCheckpoint, listCheckpoints, loadCheckpoint, saveCheckpoint } from "../src/checkpoint/checkpoint.js";
import { addPrefix, assignTensors, checkpointName, checkTensorsMatch, NonFiniteTensorError, stripPrefix } from "../src/checkpoint/checkpoint-bytes.js";
import { Rng } from "../src/data/rng.js";
import { randomValues, testDevice } from "./helpers.js";
import { tempDir } from "./tempdir.js";

const device = await testDevice();

function params(seed: number): Map<string, Tensor> {
  return new Map([
    ["generator.conv1.weight", device.tensor(randomValues(2 * 5 * 3 * 3, seed), [2, 5, 3, 3])],
    ["generator.conv1.bias", device.tensor(randomValues(2, seed + 1), [2])],
    ["critic.linear.weight", device.tensor(randomValues(7, seed + 2), [1, 7])],
  ]);
}

function disposeAll(tensors: Iterable<Tensor>): void {
  for (const x of tensors) x.dispose();
}

function bits(data: Float32Array): number[] {
  return [...new Uint32Array(data.buffer, data.byteOffset, data.length)];
}

t.test("save then load is bit-exact, and resuming Adam continues identically", async (t) => {
  const dir = tempDir(t);
  const p = params(1);
  const adam = new Adam(p, { lr: 0.01 });
  const rng = Rng.fromSeed(9);
  const grads = (step: number) => [...p.values()].map((x, i) => device.tensor(randomValues(x.size, 100 * step + i), x.shape));
  for (let s = 0; s < 3; s++) { const g = grads(s); adam.step(g); disposeAll(g); rng.normal(); }
  const config = { size: 64, cnum: 16, nested: { a: [1, 2] } };
  const files = await saveCheckpoint(dir, {
    step: 3, config, rng: { masks: rng.state() }, optimizers: { adam: { step: adam.stepCount } },
    tensors: new Map([...p, ...addPrefix(adam.state().moments, "adam.")]),
  });
  t.same(files, { step: 3, sidecarPath: join(dir, "step-000003.json"), tensorsPath: join(dir, "step-000003.safetensors") });
  t.same(readdirSync(dir).sort(), ["step-000003.json", "step-000003.safetensors"], "two files, no temporaries");

  const loaded = loadCheckpoint(files.sidecarPath);
  t.equal(loaded.step, 3);
  t.same(loaded.config, config);
  for (const [name, x] of p) t.same(bits(loaded.tensors.get(name)!.data), bits(await x.read()), `${name} bit-exact`);

  // Resume into fresh tensors and a fresh optimizer, then take the same steps on both.
  const q = params(50);
  const adamQ = new Adam(q, { lr: 0.01 });
  const expected = new Map([...q, ...addPrefix(adamQ.state().moments, "adam.")]);
  checkTensorsMatch(loaded, expected);
  assignTensors(q, loaded.tensors);
  adamQ.loadState({ step: loaded.optimizers.adam!.step, moments: stripPrefix(loaded.tensors, "adam.") });
  const rngQ = Rng.restore(loaded.rng.masks);
  t.equal(rngQ.normal(), rng.normal(), "RNG continues");
  for (let s = 3; s < 6; s++) { const g = grads(s); adam.step(g); adamQ.step(g); disposeAll(g); }
  for (const [name, x] of p) t.same(bits(await q.get(name)!.read()), bits(await x.read()), `${name} identical after 3 more steps`);
  adam.dispose(); adamQ.dispose();
  disposeAll([...p.values(), ...q.values()]);
});

t.test("assignTensors lands after work already recorded", async (t) => {
  const x = device.tensor([1, 2, 3], [3]);
  const y = mulScalar(x, 2); // recorded, maybe not yet submitted
  assignTensors(new Map([["x", x]]), new Map([["x", { shape: [3], data: new Float32Array([10, 20, 30]) }]]));
  t.same([...(await y.read())], [2, 4, 6], "the earlier op saw the old values");
  t.same([...(await x.read())], [10, 20, 30], "the tensor holds the new values");
  t.throws(() => assignTensors(new Map([["x", x]]), new Map()), /no value of shape \[3\] for "x"; call checkTensorsMatch first/);
  x.dispose(); y.dispose();
});

t.test("names, listing, latest, and keeping the last K", async (t) => {
  const dir = tempDir(t);
  t.equal(checkpointName(123), "step-000123");
  t.equal(checkpointName(12345678), "step-12345678");
  t.same(listCheckpoints(join(dir, "none")), [], "a missing folder has no checkpoints");
  t.equal(findLatestCheckpoint(dir), null);
  const p = params(2);
  for (const step of [5, 10, 15, 20, 1000000]) await saveCheckpoint(dir, { step, tensors: p, config: {}, keep: 2 });
  t.same(readdirSync(dir).sort(), ["step-000020.json", "step-000020.safetensors", "step-1000000.json", "step-1000000.safetensors"]);
  t.equal(findLatestCheckpoint(dir)!.step, 1000000, "numeric, not lexical, order");
  // An orphan tensors file (a crash between the two writes) is not a checkpoint and is pruned once old.
  writeFileSync(join(dir, "step-000030.safetensors"), "orphan");
  t.same(listCheckpoints(dir).map((c) => c.step), [20, 1000000]);
  await saveCheckpoint(dir, { step: 1000001, tensors: p, config: {}, keep: 2 });
  t.same(readdirSync(dir).sort(), ["step-1000000.json", "step-1000000.safetensors", "step-1000001.json", "step-1000001.safetensors"]);
  t.equal(loadCheckpoint(dir).step, 1000001, "a folder loads its newest checkpoint");
  await t.rejects(saveCheckpoint(dir, { step: 1, tensors: p, config: {}, keep: 0 }), /keep 0 must be an integer of at least 1/);
  disposeAll(p.values());
});

t.test("writes are atomic: a failed write leaves the previous files intact", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "file.bin");
  atomicWrite(path, new Uint8Array([1, 2, 3]));
  // The second chunk fails when written (as a full disk would), after the first went to the temp file.
  const failing = Object.defineProperty(new Uint8Array(10), "byteLength", { get: () => { throw new Error("simulated disk full"); } });
  t.throws(() => atomicWrite(path, new Uint8Array(1000).fill(7), failing), /could not write .*file\.bin: simulated disk full \(check that the folder is writable/);
  t.same([...readFileSync(path)], [1, 2, 3], "old contents intact");
  t.same(readdirSync(dir), ["file.bin"], "temporary file removed");

  const p = params(3);
  await saveCheckpoint(dir, { step: 1, tensors: p, config: { v: 1 } });
  const before = readFileSync(join(dir, "step-000001.safetensors"));
  // Make the sidecar's rename fail: a non-empty folder sits where step-000002.json would go.
  mkdirSync(join(dir, "step-000002.json", "blocker"), { recursive: true });
  await t.rejects(saveCheckpoint(dir, { step: 2, tensors: p, config: { v: 2 } }), /could not write .*step-000002\.json/);
  t.equal(findLatestCheckpoint(dir)!.step, 1, "the failed checkpoint does not count");
  t.same(loadCheckpoint(dir).config, { v: 1 }, "the previous checkpoint still loads");
  t.ok(readFileSync(join(dir, "step-000001.safetensors")).equals(before), "and its bytes are unchanged");
  t.notOk(readdirSync(dir).some((f) => f.endsWith(".tmp")), "no temporary files left");
  disposeAll(p.values());
});

function editSidecar(path: string, fields: object): void {
  writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, "utf8")), ...fields }));
}

t.test("a tensor with NaN or an infinity is refused before anything is written or pruned", async (t) => {
  const dir = tempDir(t);
  const p = params(6);
  await saveCheckpoint(dir, { step: 1, tensors: p, config: {}, keep: 1 });
  const before = readdirSync(dir).sort().map((file) => [file, readFileSync(join(dir, file)).toString("base64")]);
  for (const bad of [NaN, Infinity, -Infinity]) {
    const values = randomValues(7, 9);
    values[3] = bad;
    const tensors = new Map([...p, ["critic.linear.weight", device.tensor(values, [1, 7])]]);
    await t.rejects(saveCheckpoint(dir, { step: 2, tensors, config: {}, keep: 1 }), { name: "Error", message: 'tensor "critic.linear.weight" holds non-finite values at step 2; no checkpoint was written' }, `${bad}`);
    t.ok((await saveCheckpoint(dir, { step: 2, tensors, config: {}, keep: 1 }).catch((e: unknown) => e)) instanceof NonFiniteTensorError);
    tensors.get("critic.linear.weight")!.dispose();
  }
  t.same(readdirSync(dir).sort().map((file) => [file, readFileSync(join(dir, file)).toString("base64")]), before, "the good checkpoint kept, nothing written");
  disposeAll(p.values());
});

t.test("corrupt checkpoints give one-line errors and are left as they are", async (t) => {
  const dir = tempDir(t);
  const p = params(4);
  const make = async (step: number) => saveCheckpoint(dir, { step, tensors: p, config: {}, keep: 100 });
  const corruptions: [string, (f: { sidecarPath: string; tensorsPath: string }) => void, RegExp][] = [
    ["truncated tensors", (f) => writeFileSync(f.tensorsPath, readFileSync(f.tensorsPath).subarray(0, 100)), /have 100 bytes, the sidecar says \d+ \(truncated or replaced\); delete it/],
    ["flipped byte", (f) => { const b = readFileSync(f.tensorsPath); b[b.length - 3]! ^= 1; writeFileSync(f.tensorsPath, b); }, /do not match the SHA-256 in .*\(the file is corrupt\); delete it/],
    ["deleted tensors", (f) => rmSync(f.tensorsPath), /names .*\.safetensors, which cannot be read \(ENOENT\); delete it/],
    ["emptied tensors", (f) => writeFileSync(f.tensorsPath, Buffer.alloc(0)), /have 0 bytes/],
    ["sidecar bad JSON", (f) => writeFileSync(f.sidecarPath, "{ \"format\": "), /checkpoint .*\.json is corrupt \(not valid JSON: .*\); delete it/],
    ["sidecar of another program", (f) => writeFileSync(f.sidecarPath, "{}"), /is not a deepfill-webgpu checkpoint sidecar/],
    ["another version", (f) => writeFileSync(f.sidecarPath, JSON.stringify({ ...JSON.parse(readFileSync(f.sidecarPath, "utf8")), version: 99 })), /format version 99, this program reads version 1/],
    ["missing fields", (f) => writeFileSync(f.sidecarPath, JSON.stringify({ format: "deepfill-webgpu-checkpoint", version: 1 })), /is corrupt \("step" is undefined, not a non-negative integer\)/],
    ["negative step", (f) => editSidecar(f.sidecarPath, { step: -5 }), /is corrupt \("step" is -5, not a non-negative integer\); delete it/],
    ["negative byte count", (f) => editSidecar(f.sidecarPath, { tensorsBytes: -1 }), /is corrupt \("tensorsBytes" is -1, not a non-negative integer\)/],
    ["tensors elsewhere", (f) => editSidecar(f.sidecarPath, { tensorsFile: "../x.safetensors" }), /is corrupt \("tensorsFile" is "\.\.\/x\.safetensors", not a file name in the same folder\)/],
    ["optimizer step", (f) => editSidecar(f.sidecarPath, { optimizers: { adam: { step: "3" } } }), /is corrupt \(optimizer "adam" has no non-negative integer "step"\)/],
  ];
  let step = 0;
  for (const [name, corrupt, expected] of corruptions) {
    const files = await make(++step);
    corrupt(files);
    const snapshot = readdirSync(dir).sort().map((file) => [file, readFileSync(join(dir, file)).toString("base64")]);
    const message = (() => { try { loadCheckpoint(files.sidecarPath); return ""; } catch (e) { return (e as Error).message; } })();
    t.match(message, expected, name);
    t.ok(message.includes(files.sidecarPath) || message.includes(files.tensorsPath), `${name}: names the file`);
    t.notMatch(message, /\n/, `${name}: one line`);
    t.same(readdirSync(dir).sort().map((file) => [file, readFileSync(join(dir, file)).toString("base64")]), snapshot, `${name}: nothing changed on disk`);
  }
  t.throws(() => loadCheckpoint(join(dir, "step-999999.json")), /cannot read checkpoint .*step-999999\.json: ENOENT/);
  const empty = join(dir, "empty");
  mkdirSync(empty);
  t.throws(() => loadCheckpoint(empty), /no checkpoint to resume in .*empty \(no step-\*\.json files\)/);
  disposeAll(p.values());
});

t.test("a checkpoint of another configuration names the tensor that differs", async (t) => {
  const dir = tempDir(t);
  const p = params(5);
  const loaded = loadCheckpoint((await saveCheckpoint(dir, { step: 1, tensors: p, config: {} })).sidecarPath);
  const shapes = (entries: [string, number[]][]) => new Map(entries.map(([n, shape]) => [n, { shape }]));
  const base: [string, number[]][] = [["generator.conv1.weight", [2, 5, 3, 3]], ["generator.conv1.bias", [2]], ["critic.linear.weight", [1, 7]]];
  checkTensorsMatch(loaded, shapes(base));
  t.throws(() => checkTensorsMatch(loaded, shapes([["generator.conv1.weight", [4, 5, 3, 3]], ...base.slice(1)])),
    /saved for another configuration: "generator.conv1.weight" is \[2, 5, 3, 3\] there and \[4, 5, 3, 3\] here; resume with the configuration/);
  t.throws(() => checkTensorsMatch(loaded, shapes([...base, ["generator.conv2.weight", [1]]])), /it has no tensor "generator.conv2.weight"/);
  t.throws(() => checkTensorsMatch(loaded, shapes(base.slice(1))), /it has tensor "generator.conv1.weight", which this model does not/);
  disposeAll(p.values());
});
