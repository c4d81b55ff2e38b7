// Prints the adapter Dawn picks and exits 0, or exits 1 when there is none.
// `--expect TEXT` also exits 1 when the adapter's name (its description) does not contain
// TEXT, ignoring case: the test scripts use it to make sure VK_ICD_FILENAMES took effect.
import { create, globals } from "webgpu";

Object.assign(globalThis, globals);
process.env.XDG_RUNTIME_DIR ??= "/tmp";
const args = process.argv.slice(2);
const expect = args[0] === "--expect" && args.length === 2 ? args[1] : undefined;
if (args.length > 0 && expect === undefined) {
  console.error("usage: node scripts/probe-adapter.mjs [--expect TEXT]");
  process.exit(2);
}
const gpu = create([]);
const adapter = await gpu.requestAdapter();
if (!adapter) {
  console.error("no WebGPU adapter");
  process.exit(1);
}
const info = adapter.info;
const name = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.trim();
console.log(`adapter: ${name}`);
if (expect !== undefined && !name.toLowerCase().includes(expect.toLowerCase())) {
  console.error(`expected an adapter whose name contains "${expect}", got ${name}`);
  process.exit(1);
}
process.exit(0);
