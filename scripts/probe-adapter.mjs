// Prints the adapter Dawn picks and its subgroup widths, and exits 0, or exits 1 when there
// is none. `--expect TEXT` also exits 1 when the adapter's name (its description) does not
// contain TEXT, ignoring case: the test scripts use it to make sure VK_ICD_FILENAMES took
// effect. `--subgroups N` exits 3 when the subgroups are not exactly N lanes wide.
import { create, globals } from "webgpu";

Object.assign(globalThis, globals);
process.env.XDG_RUNTIME_DIR ??= "/tmp";
const args = process.argv.slice(2);
const options = new Map();
for (let i = 0; i < args.length; i += 2) {
  if (!["--expect", "--subgroups"].includes(args[i]) || args[i + 1] === undefined) {
    console.error("usage: node scripts/probe-adapter.mjs [--expect TEXT] [--subgroups N]");
    process.exit(2);
  }
  options.set(args[i], args[i + 1]);
}
const expect = options.get("--expect");
const subgroups = options.has("--subgroups") ? Number(options.get("--subgroups")) : undefined;
const gpu = create([]);
const adapter = await gpu.requestAdapter();
if (!adapter) {
  console.error("no WebGPU adapter");
  process.exit(1);
}
const info = adapter.info;
const name = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.trim();
const widths = info.subgroupMinSize === info.subgroupMaxSize ? `${info.subgroupMinSize}` : `${info.subgroupMinSize}-${info.subgroupMaxSize}`;
console.log(`adapter: ${name} (subgroups of ${widths} lanes)`);
if (expect !== undefined && !name.toLowerCase().includes(expect.toLowerCase())) {
  console.error(`expected an adapter whose name contains "${expect}", got ${name}`);
  process.exit(1);
}
if (subgroups !== undefined && !(info.subgroupMinSize === subgroups && info.subgroupMaxSize === subgroups)) {
  console.error(`expected subgroups of exactly ${subgroups} lanes, got ${widths}`);
  process.exit(3);
}
process.exit(0);
