/**
 * The contract between each WGSL kernel and its launcher: every `kernels/*.wgsl` file has
 * exactly one declaration (defineKernel), and the declaration's uniform fields, binding names
 * and binding kinds match the WGSL text. A mismatch here would otherwise show up only as
 * wrong numbers. The checker is tested on deliberately broken kernels first, so it is known
 * to fail when it should.
 */
import { readdirSync, readFileSync } from "node:fs";
import t from "tap";
import { fileURLToPath } from "node:url";
import "../src/index.js";
import "../bench/harness.js";
import { declaredKernels, type KernelSpec } from "../src/tensor/kernels.js";

const kernelDir = fileURLToPath(new URL("../../kernels/", import.meta.url));

interface Binding {
  index: number;
  kind: string;
  name: string;
  type: string;
}

const compact = (text: string) => text.replace(/\s+/g, "");

function withoutComments(wgsl: string): string {
  return wgsl.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
}

/** The fields of `struct Params` as [name, type] pairs, in order. */
function paramsFields(wgsl: string): [string, string][] | null {
  const body = /struct\s+Params\s*\{([\s\S]*?)\}/.exec(withoutComments(wgsl))?.[1];
  if (body === undefined) return null;
  // Split at the commas outside angle brackets: array<vec4<i32>, 2> is one type.
  const fields: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of body) {
    if (ch === "<") depth++;
    if (ch === ">") depth--;
    if (ch === "," && depth === 0) {
      fields.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  fields.push(current);
  return fields.filter((f) => f.trim() !== "").map((f) => {
    const [name, ...type] = f.split(":");
    return [name!.trim(), compact(type.join(":"))];
  });
}

function bindings(wgsl: string): Binding[] {
  const pattern = /@group\(0\)\s*@binding\((\d+)\)\s*var<([^>]+)>\s*(\w+)\s*:\s*([^;]+);/g;
  return [...withoutComments(wgsl).matchAll(pattern)].map((m) => ({ index: Number(m[1]), kind: compact(m[2]!), name: m[3]!, type: compact(m[4]!) }));
}

/** Every way `wgsl` breaks the contract `spec` declares (empty when they agree). */
function contractMismatches(spec: KernelSpec, wgsl: string): string[] {
  const problems: string[] = [];
  const fields = paramsFields(wgsl);
  const declared = Object.entries(spec.params).map(([name, type]) => [name, compact(type)]);
  if (!fields) {
    problems.push("no struct Params");
  } else if (JSON.stringify(fields) !== JSON.stringify(declared)) {
    problems.push(`struct Params is ${fields.map((f) => f.join(": ")).join(", ")}; declared ${declared.map((f) => f.join(": ")).join(", ")}`);
  }
  const expected = [
    { name: "u", kind: "uniform", type: "Params" },
    ...spec.inputs.map((name) => ({ name, kind: "storage,read" })),
    ...spec.outputs.map((name) => ({ name, kind: "storage,read_write" })),
  ];
  const found = bindings(wgsl).sort((a, b) => a.index - b.index);
  if (found.length !== expected.length) problems.push(`${found.length} bindings, declared ${expected.length}`);
  found.forEach((binding, i) => {
    const want = expected[i];
    if (binding.index !== i) problems.push(`binding ${binding.index} where ${i} was expected (bindings must be 0..n without gaps)`);
    if (!want) return;
    if (binding.name !== want.name || binding.kind !== want.kind || ("type" in want && binding.type !== want.type)) {
      problems.push(`binding ${i} is var<${binding.kind}> ${binding.name}: ${binding.type}; declared var<${want.kind}> ${want.name}`);
    }
  });
  return problems;
}

const SAMPLE: KernelSpec = {
  name: "sample", inputs: ["x"], outputs: ["y"],
  params: { count: "u32", scale: "f32", shape: "array<vec4<i32>, 2>" },
};
const SAMPLE_WGSL = `
// A header that mentions struct Params { nothing: u32 } in a comment.
struct Params {
  count: u32,
  scale: f32,
  shape: array<vec4<i32>, 2>,
}
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
`;

t.test("the checker accepts a matching kernel and catches each kind of mismatch", async (t) => {
  t.same(contractMismatches(SAMPLE, SAMPLE_WGSL), [], "a kernel that matches its declaration passes");
  const broken = {
    "swapped fields": SAMPLE_WGSL.replace("count: u32,\n  scale: f32,", "scale: f32,\n  count: u32,"),
    "a missing field": SAMPLE_WGSL.replace("  scale: f32,\n", ""),
    "a field of another type": SAMPLE_WGSL.replace("count: u32", "count: i32"),
    "a shorter block": SAMPLE_WGSL.replace("array<vec4<i32>, 2>", "array<vec4<i32>, 1>"),
    "an output bound read-only": SAMPLE_WGSL.replace("read_write> y", "read> y"),
    "an input bound writable": SAMPLE_WGSL.replace("read> x", "read_write> x"),
    "a renamed binding": SAMPLE_WGSL.replace("> x:", "> z:"),
    "a missing binding": SAMPLE_WGSL.replace(/.*binding\(2\).*\n/, ""),
    "a gap in the bindings": SAMPLE_WGSL.replace("binding(2)", "binding(3)"),
  };
  for (const [what, wgsl] of Object.entries(broken)) {
    t.not(contractMismatches(SAMPLE, wgsl).length, 0, `caught: ${what}`);
  }
});

t.test("every kernel file matches its one declaration", async (t) => {
  const files = readdirSync(kernelDir).filter((f) => f.endsWith(".wgsl")).map((f) => f.replace(/\.wgsl$/, "")).sort();
  const specs = new Map(declaredKernels().map((spec) => [spec.name, spec]));
  t.ok(files.length > 20, `found the kernel files (${files.length})`);
  t.same(files.filter((name) => !specs.has(name)), [], "every kernel file is declared");
  t.same([...specs.keys()].filter((name) => !files.includes(name)), [], "every declaration has its kernel file");
  for (const name of files) {
    const spec = specs.get(name);
    if (!spec) continue;
    t.same(contractMismatches(spec, readFileSync(`${kernelDir}/${name}.wgsl`, "utf8")), [], `kernels/${name}.wgsl`);
  }
});

/** The activation epilogue of a forward convolution kernel: its overrides and its function, as written. */
function epilogue(wgsl: string): string | undefined {
  return /override ACTIVATION: [\s\S]*?\nfn activate\(v: f32\) -> f32 \{[\s\S]*?\n\}\n/.exec(wgsl)?.[0];
}

t.test("every forward convolution kernel carries the same activation epilogue, and applies it to what it stores", async (t) => {
  const forward = readdirSync(kernelDir).filter((f) => /^conv2d_(direct|gemm|lanes_w\d+_m\d+(_n\d+)?|window_w\d+_m\d+_k\d+(_d\d+)?(_s\d+)?(_r\d+)?)\.wgsl$/.test(f)).sort();
  t.ok(forward.length >= 3, `found the forward kernels (${forward.length})`);
  const reference = epilogue(readFileSync(`${kernelDir}/conv2d_direct.wgsl`, "utf8"));
  t.ok(reference, "conv2d_direct.wgsl has the epilogue");
  for (const file of forward) {
    const wgsl = readFileSync(`${kernelDir}/${file}`, "utf8");
    t.equal(epilogue(wgsl), reference, `${file}: the same epilogue text`);
    const stores = withoutComments(wgsl).match(/^\s*(if \(.*\) \{ )?(y|c)\[.*\] = .*;/gm) ?? [];
    t.ok(stores.length > 0 && stores.every((line) => /= activate\(/.test(line)), `${file}: every store of the output goes through activate (${stores.length})`);
  }
});

/** The function that gives an invocation its run of vec4s in the broadcast layout, as written. */
function vec4Run(wgsl: string): string | undefined {
  return /\n\/\/ The run of invocation[\s\S]*?\nfn vec4_run\([\s\S]*?\n\}\n/.exec(wgsl)?.[0];
}

t.test("binary.wgsl and ternary.wgsl find their vec4 runs with the same function, the one grid broadcastLayout sizes", async (t) => {
  const [binary, ternary] = ["binary", "ternary"].map((name) => vec4Run(readFileSync(`${kernelDir}/${name}.wgsl`, "utf8")));
  t.ok(binary, "binary.wgsl has vec4_run");
  t.equal(ternary, binary, "ternary.wgsl: the same vec4_run text");
});
