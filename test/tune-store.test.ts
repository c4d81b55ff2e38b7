// Measured kernel choices persist through the platform's tune store: autotune writes the
// winner under the adapter's name, a later device (another process, another page load) reads
// it without timing again. The Node store is a JSON file: DEEPFILL_TUNE_CACHE, or the user's cache folder.
import t from "tap";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { homedir } from "node:os";
import { adapterKey, timeCandidates, tunedChoice } from "../src/tensor/autotune.js";
import type { Device } from "../src/tensor/device.js";
import { defaultTuneCache, installNodePlatform, nodePlatform } from "../src/platform/node.js";
import { installPlatform } from "../src/platform/platform.js";
import { openDevice } from "../src/open-device.js";
import { tempDir } from "./tempdir.js";

t.teardown(() => installNodePlatform());

t.test("a winner is saved under the adapter's name and read back by a later device", async (t) => {
  const file = join(tempDir(t), "tune.json");
  installPlatform(nodePlatform(file));
  const first = await openDevice();
  const ran: string[] = [];
  const { winner } = await timeCandidates(first, "probe", [{ name: "a", run: () => void ran.push("a") }, { name: "b", run: () => void ran.push("b") }], { warmup: 0, repeats: 1 });
  first.destroy();
  const key = `${first.adapter.description || first.adapter.device}|probe`;
  t.same(JSON.parse(readFileSync(file, "utf8")), { [key]: winner }, "the file holds the winner under the adapter's name");

  installPlatform(nodePlatform(file)); // a new process: nothing read yet
  const later = await openDevice();
  t.teardown(() => later.destroy());
  t.equal(tunedChoice(later, "probe"), winner, "a later device finds it");
  ran.length = 0;
  await timeCandidates(later, "probe", [{ name: "a", run: () => void ran.push("a") }, { name: "b", run: () => void ran.push("b") }]);
  t.same(ran, [], "and times nothing");
  installPlatform({ ...nodePlatform(), tuneStore: undefined });
  const unstored = await openDevice();
  t.teardown(() => unstored.destroy());
  t.equal(tunedChoice(unstored, "probe"), undefined, "without a store nothing persists");
});

t.test("the adapter's name: its description, else its device, else (a browser hides both) vendor and architecture", async (t) => {
  const named = (adapter: Partial<Device["adapter"]>) => adapterKey({ adapter: { vendor: "", architecture: "", device: "", description: "", ...adapter } } as Device);
  t.equal(named({ description: "SwiftShader driver 5.0.0", device: "SwiftShader Device", vendor: "google" }), "SwiftShader driver 5.0.0");
  t.equal(named({ device: "llvmpipe (LLVM 19)", vendor: "mesa" }), "llvmpipe (LLVM 19)");
  t.equal(named({ vendor: "google", architecture: "swiftshader" }), "google swiftshader");
});

t.test("a damaged cache file is a one-line error naming it and the fix", async (t) => {
  const file = join(tempDir(t), "tune.json");
  writeFileSync(file, "{ not json");
  t.throws(() => nodePlatform(file).tuneStore!.load(), /^autotune: cannot read the tuning cache .*tune\.json \(.*\); delete it or fix DEEPFILL_TUNE_CACHE$/);
});

t.test("where the Node cache lives: DEEPFILL_TUNE_CACHE, none when off, else the user's cache folder", async (t) => {
  t.equal(defaultTuneCache({ DEEPFILL_TUNE_CACHE: "/tmp/x.json" }), "/tmp/x.json");
  t.equal(defaultTuneCache({ DEEPFILL_TUNE_CACHE: "off" }), undefined);
  t.equal(defaultTuneCache({ XDG_CACHE_HOME: "/var/cache/me" }), "/var/cache/me/deepfill-webgpu/tune.json");
  t.equal(defaultTuneCache({}), join(homedir(), ".cache", "deepfill-webgpu", "tune.json"));
  t.equal(nodePlatform(undefined).tuneStore !== undefined, defaultTuneCache() !== undefined, "nodePlatform() follows it");
});

t.test("a cache that cannot be written is a one-line error naming it and the fix", async (t) => {
  const file = join(tempDir(t), "tune.json");
  writeFileSync(file, "{}");
  const store = nodePlatform(join(file, "inside-a-file.json")).tuneStore!;
  t.throws(() => store.save({ a: "b" }), /^autotune: cannot write the tuning cache .*inside-a-file\.json \(.*\); set DEEPFILL_TUNE_CACHE to a writable file, or to off$/);
});
