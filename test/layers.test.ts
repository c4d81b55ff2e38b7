// The one-way layers of docs/design.md, checked on every import of src/: a file may import
// from its own folder and from the folders its folder lists below, never from one above it or
// from a sibling. Type-only and dynamic imports count too: they couple the layers all the same.
import t from "tap";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * Each folder of src/ (by its first path segment; "." is the programs directly in src/) and
 * the folders it may import from. Top to bottom: the programs; train, infer and report, which
 * do not import each other; checkpoint; data; models; autograd; tensor; platform (what the
 * host provides). io and cli import nothing of the project, so any layer above models may use them.
 */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  ".": ["train", "infer", "report", "checkpoint", "data", "models", "autograd", "tensor", "platform", "io", "cli"],
  train: ["checkpoint", "data", "models", "autograd", "tensor", "io", "cli"],
  infer: ["checkpoint", "data", "models", "autograd", "tensor", "io"],
  report: ["io"],
  checkpoint: ["data", "tensor", "io"],
  data: ["tensor", "io"],
  models: ["autograd", "tensor"],
  autograd: ["tensor"],
  tensor: ["platform"],
  platform: [],
  io: [],
  cli: [],
};

/** Folders whose files may define and launch kernels: the runtime and the ops. */
const LAUNCHERS = ["src/tensor/", "src/autograd/ops/", "src/models/ops/"];

/** Every .ts file under src/, as "src/..." paths with forward slashes. */
function sourceFiles(dir = "src"): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = posix.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.isFile() && entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The layer of a "src/..." path: its first folder under src/, or "." for a file directly in src/. */
function layerOf(path: string): string {
  const parts = path.split("/");
  return parts.length > 2 ? parts[1]! : ".";
}

/** One line per import that breaks the layers, for files given as path -> text. */
function layerViolations(sources: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  for (const [file, text] of sources) {
    const from = layerOf(file);
    const allowed = MAY_IMPORT[from];
    if (!allowed) {
      problems.push(`${file}: folder src/${from} has no place in the layer table; add it to MAY_IMPORT and docs/design.md`);
      continue;
    }
    for (const { fileName: spec } of ts.preProcessFile(text, true, true).importedFiles) {
      if (!spec.startsWith(".")) continue;
      const target = posix.normalize(posix.join(posix.dirname(file), spec));
      if (!target.startsWith("src/")) {
        problems.push(`${file}: imports ${spec}, outside src/`);
        continue;
      }
      const to = layerOf(target);
      if (to !== from && !allowed.includes(to)) problems.push(`${file}: imports ${spec}, but src/${from} may not import from src/${to}`);
    }
    if (!LAUNCHERS.some((folder) => file.startsWith(folder)) && /\bdefineKernel\b|\.run\(\s*[A-Z_]+\s*,/.test(text)) {
      problems.push(`${file}: defines or launches a kernel; only the runtime and the ops (${LAUNCHERS.join(", ")}) do`);
    }
  }
  return problems;
}

/** The folders that run on any platform: they reach the host only through src/platform/platform.ts. */
const NEUTRAL = ["src/tensor/", "src/autograd/", "src/models/"];

/** Modules that exist only in Node (or only as Node packages); a neutral file must import none. */
const HOST_ONLY = /^(node:|webgpu$|pngjs$|jpeg-js$|fake-avatars)|\/platform\/(?!platform\.js$)/;

/** One line per host-specific import or environment read in the neutral folders. */
function neutralityViolations(sources: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  for (const [file, text] of sources) {
    if (!NEUTRAL.some((folder) => file.startsWith(folder))) continue;
    for (const { fileName: spec } of ts.preProcessFile(text, true, true).importedFiles) {
      if (HOST_ONLY.test(spec)) problems.push(`${file}: imports ${spec}, which only Node has; reach the host through src/platform/platform.ts`);
    }
    if (/\bprocess\s*\.\s*env\b/.test(text)) problems.push(`${file}: reads process.env; take the setting as an option (src/open-device.ts reads the environment)`);
  }
  return problems;
}

/** The folders in an order where each imports only from folders after it, or null if the table has a cycle. */
function topologicalOrder(table: Readonly<Record<string, readonly string[]>>): string[] | null {
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (folder: string): boolean => {
    if (state.get(folder) === "done") return true;
    if (state.get(folder) === "visiting") return false;
    state.set(folder, "visiting");
    if (!(table[folder] ?? []).every(visit)) return false;
    state.set(folder, "done");
    order.unshift(folder);
    return true;
  };
  return Object.keys(table).every(visit) ? order : null;
}

const sources = new Map(sourceFiles().map((file) => [file, readFileSync(join(ROOT, file), "utf8")]));

t.test("no file of src/ imports from a layer above it or from a sibling", async (t) => {
  t.ok(sources.size > 50, `found the sources (${sources.size} files under ${relative(process.cwd(), join(ROOT, "src")) || "src"})`);
  t.same(layerViolations(sources), []);
});

t.test("the layer table itself is one-way and names only real folders", async (t) => {
  t.not(topologicalOrder(MAY_IMPORT), null, "no folder reaches itself through the table");
  const folders = new Set([...sources.keys()].map(layerOf));
  t.same([...folders].filter((f) => !(f in MAY_IMPORT)), [], "every folder of src/ is in the table");
  t.same(Object.keys(MAY_IMPORT).filter((f) => !folders.has(f)), [], "every folder in the table exists");
  t.equal(topologicalOrder({ a: ["b"], b: ["a"] }), null, "a cycle is found");
});

t.test("the check fails on an import that goes up, sideways or outside, and on a kernel launched outside the ops", async (t) => {
  /** The one problem the check finds in `file` with `line` added at its top. */
  const mutate = (file: string, line: string) => {
    t.ok(sources.has(file), `${file} exists`);
    const problems = layerViolations(new Map([[file, `${line}\n${sources.get(file)!}`]]));
    t.equal(problems.length, 1, `one problem after adding ${JSON.stringify(line)} to ${file}`);
    return problems[0] ?? "";
  };
  t.match(mutate("src/models/generator.ts", `import { Trainer } from "../train/trainer.js";`), /src\/models may not import from src\/train/);
  t.match(mutate("src/tensor/device.ts", `import type { Tensor } from "../autograd/graph.js";`), /src\/tensor may not import from src\/autograd/);
  t.match(mutate("src/infer/evaluation.ts", `import { Adam } from "../train/adam.js";`), /src\/infer may not import from src\/train/);
  t.match(mutate("src/data/rng.ts", `const io = await import("../checkpoint/checkpoint.js");`), /src\/data may not import from src\/checkpoint/);
  t.match(mutate("src/io/image.ts", `export * from "../../test/helpers.js";`), /outside src\//);
  t.match(mutate("src/train/trainer.ts", `device.run(ADAM, { inputs: [], outputs: [], params: {}, workgroups: [1, 1, 1] });`), /launches a kernel/);
  t.match(layerViolations(new Map([["src/extra/thing.ts", ""]])), [/src\/extra has no place in the layer table/]);
  t.same(layerViolations(new Map([["src/models/generator.ts", `import { tidy } from "../tensor/scope.js";\n${sources.get("src/models/generator.ts")!}`]])), [], "an import downward passes");
});

t.test("the tensor runtime, the autograd and the models import nothing of Node and read no environment", async (t) => {
  t.same(neutralityViolations(sources), []);
  const mutate = (file: string, line: string) => neutralityViolations(new Map([[file, `${line}\n${sources.get(file)!}`]]));
  t.match(mutate("src/tensor/device.ts", `import { readFileSync } from "node:fs";`), [/imports node:fs, which only Node has/]);
  t.match(mutate("src/models/generator.ts", `import { create } from "webgpu";`), [/imports webgpu/]);
  t.match(mutate("src/autograd/grad.ts", `import { nodePlatform } from "../platform/node.js";`), [/imports \.\.\/platform\/node\.js/]);
  t.match(mutate("src/tensor/kernels.ts", `const dir = process.env.KERNELS;`), [/reads process\.env/]);
  t.same(mutate("src/tensor/kernels.ts", `import { currentPlatform } from "../platform/platform.js";`), [], "the platform interface is allowed");
  t.same(mutate("src/train/loop.ts", `import { join } from "node:path";`), [], "folders above the core may use Node");
});
