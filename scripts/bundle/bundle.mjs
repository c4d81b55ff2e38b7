// npm run bundle [-- --list] [-- --out DIR]
//
// Writes DIR/deepfill-webgpu-VERSION-linux-x64.tar.xz (DIR defaults to bundle/): everything a
// Linux x64 GPU server needs to run the test suite and the bench with nothing installed but
// its GPU driver. This machine's own node (stripped), the built build/ and dist/, kernels/,
// the webgpu binding for linux-x64 (stripped), the Vulkan loader, a libstdc++ for servers
// older than the binding, tap's runtime, the production dependencies and run-gpu-checks.sh.
// --list prints the files the archive would hold and writes nothing.
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..");
const LIMIT_BYTES = 64 * 1024 * 1024;
/** Test files that check the source tree rather than the GPU; the bundle has no source tree. */
const LEFT_OUT_TESTS = {
  "repository.test.js": "checks the git checkout's files and links",
  "layers.test.js": "reads src/*.ts with the TypeScript compiler",
  "generated-kernels.test.js": "runs tools/gen-kernels with Python",
  "peer-torch.test.js": "compares against the PyTorch peer in Python",
  "bundle.test.js": "runs the bundle script, which stays in the repository",
  "browser-bundle.test.js": "bundles src/browser.ts with esbuild, a development tool",
  "web-page.test.js": "builds the page with esbuild and drives Chromium with playwright-core, development tools the archive does not carry",
};
const PRODUCTION_PACKAGES = ["pngjs", "jpeg-js", "debug", "ms"];

/** A problem the user can fix: reported in one line, after the staging folder is removed. */
class BundleError extends Error {}

function fail(message) {
  throw new BundleError(message);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: "utf8", ...options });
  if (result.error?.code === "ENOENT") fail(`${command} is not installed; the bundle needs strip (binutils), tar and xz (xz-utils)`);
  if (result.error || result.status !== 0) fail(`${command} ${args.join(" ")} failed: ${result.error?.message ?? result.stderr.trim()}`);
  return result.stdout;
}

/** The real file behind a shared library name, from the dynamic linker's cache. */
function systemLibrary(name, installHint) {
  const line = run("/sbin/ldconfig", ["-p"]).split("\n").find((l) => l.trim().startsWith(`${name} `) && l.includes("x86-64"));
  if (!line) fail(`no ${name} on this machine; ${installHint}`);
  return realpathSync(line.split("=>")[1].trim());
}

/**
 * tap's runtime: the packages a built test file loads when run directly with node, found by
 * running one (rng.test.js, no GPU) under trace-modules.mjs. Whole packages are carried, so
 * files a package loads later (on a failure, say) come along.
 */
function tapRuntimePackages() {
  const traceDir = mkdtempSync(join(tmpdir(), "deepfill-trace-"));
  try {
    const traceFile = join(traceDir, "modules.txt");
    run(process.execPath, ["--import", pathToFileURL(join(HERE, "trace-modules.mjs")).href, "build/test/rng.test.js"],
      { env: { ...process.env, DEEPFILL_TRACE_FILE: traceFile } });
    const modules = join(ROOT, "node_modules") + sep;
    const packages = new Set();
    for (const url of readFileSync(traceFile, "utf8").split("\n")) {
      if (!url.startsWith("file:")) continue;
      const path = fileURLToPath(url);
      if (!path.startsWith(modules)) continue;
      const parts = path.slice(modules.length).split(sep);
      packages.add(parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]);
    }
    if (!packages.has("tap")) fail("tracing build/test/rng.test.js found no tap; run npm install");
    return [...packages].sort();
  } finally {
    rmSync(traceDir, { recursive: true, force: true });
  }
}

/** Every step that fills the bundle's folder: `to` is the path inside it. */
function plan(version) {
  const name = `deepfill-webgpu-${version}-linux-x64`;
  const testFilter = (path) => !Object.hasOwn(LEFT_OUT_TESTS, path.split(sep).pop().replace(/\.map$/, ""));
  const steps = [
    { to: "bin/node", strip: process.execPath },
    { to: "lib/libvulkan.so.1", copy: systemLibrary("libvulkan.so.1", "sudo apt-get install libvulkan1") },
    { to: "lib/compat/libstdc++.so.6", copy: systemLibrary("libstdc++.so.6", "sudo apt-get install libstdc++6") },
    { to: "lib/compat/libgcc_s.so.1", copy: systemLibrary("libgcc_s.so.1", "sudo apt-get install libgcc-s1") },
    { to: "build/src", tree: "build/src" },
    { to: "build/bench", tree: "build/bench" },
    { to: "build/test", tree: "build/test", filter: testFilter },
    ...(existsSync(join(ROOT, "dist")) ? [{ to: "dist", tree: "dist" }] : []),
    { to: "kernels", tree: "kernels" },
    { to: "scripts/probe-adapter.mjs", copy: "scripts/probe-adapter.mjs" },
    { to: "run-gpu-checks.sh", copy: "scripts/bundle/run-gpu-checks.sh" },
    { to: "README.txt", text: readme(name) },
    { to: "package.json", text: bundleManifest(version) },
    { to: "node_modules/webgpu/dist/linux-x64/dawn.node", strip: "node_modules/webgpu/dist/linux-x64/dawn.node" },
    ...["index.js", "package.json", "LICENSE.md"].map((file) => ({ to: `node_modules/webgpu/${file}`, copy: `node_modules/webgpu/${file}` })),
    ...["index.mjs", "package.json", "LICENSE"].map((file) => ({ to: `node_modules/fake-avatars/${file}`, copy: `node_modules/fake-avatars/${file}` })),
    { to: "node_modules/fake-avatars/avatars/png", pngs: "node_modules/fake-avatars/avatars/png" },
    ...[...PRODUCTION_PACKAGES, ...tapRuntimePackages()].map((pkg) => ({ to: `node_modules/${pkg}`, tree: `node_modules/${pkg}` })),
  ];
  return { name, steps };
}

/** README.txt with the archive's name and the tests left out, each with its reason. */
function readme(name) {
  const leftOut = Object.entries(LEFT_OUT_TESTS).map(([file, reason]) => `  ${file}: ${reason}`).join("\n");
  return readFileSync(join(HERE, "README.txt"), "utf8").replaceAll("@NAME@", name).replace("@LEFT_OUT@", leftOut);
}

/** package.json inside the bundle: ESM for build/, and nothing to install. */
function bundleManifest(version) {
  return JSON.stringify({ name: "deepfill-webgpu-bundle", version, private: true, type: "module" }, null, 2) + "\n";
}

function filesUnder(dir, filter = () => true) {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(ROOT, join(entry.parentPath ?? entry.path, entry.name)))
    .filter(filter);
}

/** The paths inside the bundle's folder, sorted. */
function listing({ steps }) {
  const paths = steps.flatMap((step) => {
    if (step.tree) return filesUnder(step.tree, step.filter).map((file) => join(step.to, relative(step.tree, file)));
    if (step.pngs) return filesUnder(step.pngs, (f) => f.endsWith(".png")).map((file) => join(step.to, relative(step.pngs, file)));
    return [step.to];
  });
  return paths.sort();
}

function stage({ steps }, folder) {
  for (const step of steps) {
    const to = join(folder, step.to);
    mkdirSync(dirname(to), { recursive: true });
    // Absolute for the system's files (node, libraries), else relative to the repository.
    const from = [step.copy, step.tree, step.strip, step.pngs].find((path) => path !== undefined);
    const source = from === undefined ? undefined : resolve(ROOT, from);
    if (source !== undefined && !existsSync(source)) fail(`${from} is missing; run npm install`);
    if (step.text !== undefined) writeFileSync(to, step.text);
    else if (step.copy) copyFileSync(source, to);
    else if (step.tree) cpSync(source, to, { recursive: true, filter: (path) => !step.filter || statSync(path).isDirectory() || step.filter(path) });
    else if (step.strip) run("strip", ["-o", to, source]);
    else if (step.pngs) run(process.execPath, [join(HERE, "recompress-pngs.mjs"), source, to]);
  }
}

function main() {
  let listOnly = false;
  let outDir = join(ROOT, "bundle");
  for (let i = 2; i < process.argv.length; i++) {
    const arg = process.argv[i];
    if (arg === "--list") listOnly = true;
    else if (arg === "--out" && process.argv[i + 1]) outDir = process.argv[++i];
    else fail(`unknown argument ${arg}; usage: npm run bundle [-- --list] [-- --out DIR]`);
  }
  if (process.platform !== "linux" || process.arch !== "x64") fail(`the bundle is for linux-x64 and carries this machine's node, which is ${process.platform}-${process.arch}`);
  // The listing shows dist/ only once it is built; the archive needs it.
  for (const dir of listOnly ? ["build/test"] : ["build/test", "dist"]) {
    if (!existsSync(join(ROOT, dir))) fail(`${dir}/ is missing; run npm run build:dev && npm run build first`);
  }

  const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
  const bundle = plan(version);
  if (listOnly) {
    for (const path of listing(bundle)) console.log(join(bundle.name, path));
    return;
  }
  const archive = join(outDir, `${bundle.name}.tar.xz`);
  const partial = `${archive}.partial`;
  const work = mkdtempSync(join(tmpdir(), "deepfill-bundle-"));
  try {
    stage(bundle, join(work, bundle.name));
    mkdirSync(outDir, { recursive: true });
    // xz -9 on one thread: the archive must fit 64 MiB, and the build machine is shared.
    run("bash", ["-o", "pipefail", "-c", 'tar -C "$1" --owner=0 --group=0 -cf - "$2" | nice xz -9 -T1 > "$3"', "bash", work, bundle.name, partial]);
    const size = statSync(partial).size;
    if (size > LIMIT_BYTES) {
      fail(`the archive would be ${(size / 2 ** 20).toFixed(1)} MiB, over the 64 MiB limit; nothing written`);
    }
    renameSync(partial, archive);
    const shown = relative(process.cwd(), archive).startsWith("..") ? archive : relative(process.cwd(), archive);
    console.log(`wrote ${shown} (${(size / 2 ** 20).toFixed(1)} MiB)`);
  } finally {
    // After a failure: neither the staging folder nor a half-written archive stays behind.
    rmSync(work, { recursive: true, force: true });
    rmSync(partial, { force: true });
  }
}

try {
  main();
} catch (error) {
  if (!(error instanceof BundleError)) throw error;
  console.error(`bundle: ${error.message}`);
  process.exit(1);
}
