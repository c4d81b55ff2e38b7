// The browser entry (src/browser.ts) bundles for a page as it is: esbuild, the bundler a page
// uses, packs it for platform "browser" without any Node built-in, without any package (the
// webgpu binding, pngjs, jpeg-js, fake-avatars: the core needs none) and without a reference
// to Node's `process`. Each rule is shown to fail on an entry that breaks it.
import t from "tap";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type BuildFailure } from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** One line per rule the bundle of `entry` (module text, resolved from the repository root) breaks. */
async function bundleProblems(entry: string): Promise<string[]> {
  let result;
  try {
    result = await build({
      stdin: { contents: entry, resolveDir: ROOT, loader: "ts", sourcefile: "entry.ts" },
      bundle: true, platform: "browser", format: "esm", write: false, metafile: true, logLevel: "silent",
    });
  } catch (error) {
    return (error as BuildFailure).errors.map((e) => `cannot bundle: ${e.text} (${e.location?.file ?? "?"})`);
  }
  const problems = Object.keys(result.metafile.inputs)
    .filter((input) => input !== "entry.ts" && !input.startsWith("src/"))
    .map((input) => `bundles ${input}, which is not the project's own code`);
  const text = result.outputFiles[0]!.text;
  for (const match of new Set(text.match(/\bprocess\s*\.\s*\w+/g) ?? [])) problems.push(`references Node's ${match}`);
  return problems;
}

const ENTRY = `export * from "./src/browser.js";`;

t.test("src/browser.ts bundles for a browser with nothing of Node", async (t) => {
  t.same(await bundleProblems(ENTRY), []);
});

t.test("the check fails on a Node built-in, a Node-only package or process", async (t) => {
  t.match(await bundleProblems(`${ENTRY}\nimport { readFileSync } from "node:fs"; console.log(readFileSync);`), [/cannot bundle: .*node:fs/]);
  t.match(await bundleProblems(`${ENTRY}\nexport { readRgb } from "./src/io/image.js";`), [/cannot bundle/]);
  t.match(await bundleProblems(`${ENTRY}\nexport { flowPicture } from "./src/io/flow.js"; import jpeg from "jpeg-js"; console.log(jpeg);`), [/bundles node_modules\/jpeg-js\//]);
  t.match(await bundleProblems(`${ENTRY}\nexport const host = process.env.HOME;`), [/references Node's process\.env/]);
});
