// The air-gapped bundle (npm run bundle): its listing holds what a GPU server without Node
// needs and leaves out what it cannot run, and the faces it carries, written again smaller,
// decode to the published pixels.
import t from "tap";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PNG } from "pngjs";
import { defaultDataFolder } from "../src/data/image-folder.js";
import { tempDir } from "./tempdir.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BUNDLE = join(ROOT, "scripts", "bundle");
const LEFT_OUT = ["repository", "layers", "generated-kernels", "peer-torch", "bundle", "browser-bundle", "web-page"];

function node(script: string, args: string[]) {
  return spawnSync(process.execPath, [join(BUNDLE, script), ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
}

const listed = node("bundle.mjs", ["--list"]);
const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
const prefix = `deepfill-webgpu-${version}-linux-x64/`;
const files = new Set(listed.stdout.split("\n").filter(Boolean).map((line) => line.startsWith(prefix) ? line.slice(prefix.length) : `outside the folder: ${line}`));

t.test("the listing holds the runtime, the loader, the binding, the kernels and the built code", async (t) => {
  t.equal(listed.status, 0, listed.stderr);
  for (const file of ["bin/node", "lib/libvulkan.so.1", "lib/compat/libstdc++.so.6", "run-gpu-checks.sh", "README.txt", "package.json",
    "scripts/probe-adapter.mjs", "build/bench/main.js", "node_modules/webgpu/index.js", "node_modules/webgpu/dist/linux-x64/dawn.node",
    "node_modules/tap/package.json", "node_modules/@tapjs/core/package.json", "node_modules/pngjs/package.json", "node_modules/jpeg-js/package.json"]) {
    t.ok(files.has(file), file);
  }
  for (const kernel of readdirSync(join(ROOT, "kernels"))) t.ok(files.has(`kernels/${kernel}`), `kernels/${kernel}`);
  t.same([...files].filter((f) => !f.startsWith(prefix) && f.startsWith("outside")), [], "every path is inside the one folder");
});

t.test("dist/ is carried once built", { skip: !existsSync(join(ROOT, "dist")) && "dist/ is not built here (npm run build)" }, async (t) => {
  t.ok(files.has("dist/index.js") && files.has("dist/train.js"), "dist/index.js and dist/train.js");
});

t.test("every GPU test file is carried and the source-tree checks are not", async (t) => {
  const built = readdirSync(join(ROOT, "build", "test")).filter((f) => f.endsWith(".test.js"));
  for (const file of built) {
    const leftOut = LEFT_OUT.includes(file.replace(/\.test\.js$/, ""));
    t.equal(files.has(`build/test/${file}`), !leftOut, `${file} ${leftOut ? "left out" : "carried"}`);
  }
  t.ok(built.length > LEFT_OUT.length, `${built.length} built test files`);
  const strays = [...files].filter((f) => LEFT_OUT.some((name) => f.startsWith(`build/test/${name}.test.`)));
  t.same(strays, [], "nor their source maps");
});

t.test("only what runs on linux-x64 comes along: one binding, tap without its runner and TypeScript", async (t) => {
  t.same([...files].filter((f) => f.endsWith(".node")), ["node_modules/webgpu/dist/linux-x64/dawn.node"]);
  for (const pkg of ["@tapjs/run", "typescript", "@types/node", "node_modules/fake-avatars/avatars/webp"]) {
    t.notOk([...files].some((f) => f.startsWith(pkg.startsWith("node_modules/") ? pkg : `node_modules/${pkg}/`)), `no ${pkg}`);
  }
  t.equal([...files].filter((f) => f.startsWith("node_modules/fake-avatars/avatars/png/")).length, readdirSync(defaultDataFolder()).length, "all the faces");
});

t.test("recompressed faces are smaller and decode to the same pixels; an existing target is refused", async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, "in"));
  const names = readdirSync(defaultDataFolder()).filter((f) => f.endsWith(".png")).sort().slice(0, 2);
  for (const name of names) copyFileSync(join(defaultDataFolder(), name), join(dir, "in", name));
  const run = node("recompress-pngs.mjs", [join(dir, "in"), join(dir, "out")]);
  t.equal(run.status, 0, run.stderr);
  t.same(readdirSync(join(dir, "out")).sort(), names);
  for (const name of names) {
    const before = PNG.sync.read(readFileSync(join(dir, "in", name)));
    const after = PNG.sync.read(readFileSync(join(dir, "out", name)));
    t.ok(after.width === before.width && after.height === before.height && after.data.equals(before.data), `${name}: same pixels`);
    t.ok(statSync(join(dir, "out", name)).size < statSync(join(dir, "in", name)).size, `${name}: fewer bytes`);
  }
  const again = node("recompress-pngs.mjs", [join(dir, "in"), join(dir, "out")]);
  t.equal(again.status, 1);
  t.match(again.stderr, /already exists; remove it first/);
});

t.test("an unknown argument is one line with the usage", async (t) => {
  const run = node("bundle.mjs", ["--lsit"]);
  t.equal(run.status, 1);
  t.match(run.stderr, /^bundle: unknown argument --lsit; usage: npm run bundle/);
});

/** run-gpu-checks.sh in a folder shaped like the unpacked bundle, as far as its first checks look. */
function checks(t: { teardown: (fn: () => void) => void }, args: string[], env: NodeJS.ProcessEnv = {}) {
  const dir = tempDir(t);
  mkdirSync(join(dir, "bundle", "lib"), { recursive: true });
  copyFileSync(join(BUNDLE, "run-gpu-checks.sh"), join(dir, "bundle", "run-gpu-checks.sh"));
  writeFileSync(join(dir, "bundle", "lib", "libvulkan.so.1"), "");
  mkdirSync(join(dir, "config", "vulkan", "icd.d"), { recursive: true });
  writeFileSync(join(dir, "config", "vulkan", "icd.d", "some_icd.json"), "{}");
  const run = spawnSync("bash", [join(dir, "bundle", "run-gpu-checks.sh"), ...args], {
    cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH, XDG_CONFIG_HOME: join(dir, "config"), ...env },
  });
  return { dir, ...run };
}

t.test("run-gpu-checks.sh refuses bad arguments and a results folder that holds files", async (t) => {
  const bogus = checks(t, ["--bogus"]);
  t.equal(bogus.status, 2);
  t.match(bogus.stderr, /unknown argument --bogus; usage: bash run-gpu-checks.sh/);
  const full = checks(t, []);
  mkdirSync(join(full.dir, "r"));
  writeFileSync(join(full.dir, "r", "keep.txt"), "mine");
  const again = spawnSync("bash", [join(full.dir, "bundle", "run-gpu-checks.sh"), "--out", join(full.dir, "r")], { encoding: "utf8" });
  t.equal(again.status, 2);
  t.match(again.stderr, /already holds files; pass --out with a new folder/);
  t.same(readdirSync(join(full.dir, "r")), ["keep.txt"], "nothing written beside the file");
});

t.test("run-gpu-checks.sh stops with one line when the named driver file is missing", async (t) => {
  const run = checks(t, ["--out", "results"], { VK_ICD_FILENAMES: "/nonexistent/missing_icd.json" });
  t.equal(run.status, 1);
  t.match(run.stdout, /the driver file \/nonexistent\/missing_icd.json \(from VK_ICD_FILENAMES \/ VK_DRIVER_FILES\) is not readable/);
  t.match(readFileSync(join(run.dir, "results", "run.log"), "utf8"), /is not readable/, "and says so in run.log");
});

const nvidiaIcd = ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d"].some((dir) => existsSync(join(dir, "nvidia_icd.json")));
t.test("run-gpu-checks.sh stops where an NVIDIA driver has no Vulkan driver file", { skip: nvidiaIcd && "this machine has NVIDIA's Vulkan driver file" }, async (t) => {
  const stubs = tempDir(t);
  writeFileSync(join(stubs, "nvidia-smi"), "#!/bin/sh\necho NVIDIA-SMI stub\n", { mode: 0o755 });
  const run = checks(t, ["--out", "results"], { PATH: `${stubs}:${process.env.PATH}` });
  t.equal(run.status, 1);
  t.match(run.stdout, /has an NVIDIA driver but no nvidia_icd.json/);
  t.match(readFileSync(join(run.dir, "results", "environment.txt"), "utf8"), /NVIDIA-SMI stub/, "environment.txt records nvidia-smi");
});
