// Builds the page (web/) into one folder: index.html, style.css and main.js, a single ES module
// that esbuild bundles from web/main.ts and the engine's sources. The WGSL kernels reach it as
// text through the `kernels:wgsl` module, which the plugin below makes at build time from
// kernels/*.wgsl, so the page and Node read the same files and nothing generated is committed.
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const KERNELS = join(ROOT, "kernels");
const STATIC_FILES = ["index.html", "style.css"];

/** esbuild plugin: `import kernels from "kernels:wgsl"` is every kernels/<name>.wgsl as { name: text }. */
export const wgslKernels = {
  name: "wgsl-kernels",
  setup(build) {
    build.onResolve({ filter: /^kernels:wgsl$/ }, (args) => ({ path: args.path, namespace: "wgsl-kernels" }));
    build.onLoad({ filter: /.*/, namespace: "wgsl-kernels" }, () => {
      const files = readdirSync(KERNELS).filter((f) => f.endsWith(".wgsl")).sort();
      const map = Object.fromEntries(files.map((f) => [f.slice(0, -".wgsl".length), readFileSync(join(KERNELS, f), "utf8")]));
      return { contents: `export default ${JSON.stringify(map)};`, loader: "js", watchFiles: files.map((f) => join(KERNELS, f)), watchDirs: [KERNELS] };
    });
  },
};

/** Builds the page into `outdir`; `minify` for what `npm run web` serves, off in tests for readable stacks. */
export async function buildWeb({ outdir = join(ROOT, "build", "web"), minify = true } = {}) {
  mkdirSync(outdir, { recursive: true });
  await esbuild.build({
    entryPoints: [join(ROOT, "web", "main.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outfile: join(outdir, "main.js"),
    sourcemap: true,
    minify,
    logLevel: "warning",
    plugins: [wgslKernels],
  });
  for (const file of STATIC_FILES) copyFileSync(join(ROOT, "web", file), join(outdir, file));
  return outdir;
}
