// A real WebGPU validation error (a tensor bound past the adapter's storage-binding limit):
// the device reports the first error in full, all its lines, and the
// command-line top level prints exactly that on stderr; Dawn prints nothing on stdout.
import t from "tap";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { affine } from "../src/index.js";
import { runCli } from "../src/cli/args.js";
import { WebGpuError } from "../src/tensor/gpu-error.js";
import { testDevice } from "./helpers.js";

const device = await testDevice();
const binding = device.limits.maxStorageBufferBindingSize;
const skip = binding > 256 * 2 ** 20 ? `this adapter binds ${binding} bytes; the test provokes its error with a buffer just past the limit and keeps under 256 MiB` : false;

/** Records an op on a tensor one binding too large and reads it: WebGPU rejects the bind group. */
async function provoke(): Promise<unknown> {
  const big = device.empty([binding / 4 + 1024]);
  try {
    const y = affine(big, 2, 1);
    try {
      await y.read();
    } finally {
      y.dispose();
    }
  } catch (error) {
    return error;
  } finally {
    big.dispose();
    device.trim();
  }
  return null;
}

t.test("the first error in full", { skip }, async (t) => {
  const error = await provoke();
  t.ok(error instanceof WebGpuError, `a WebGpuError: ${String(error)}`);
  const { message, reports } = error as WebGpuError;
  t.match(message, reports.length === 1 ? /^WebGPU reported an error:\n/ : new RegExp(`^WebGPU reported ${reports.length} errors; the first:\\n`));
  t.ok(reports[0]!.split("\n").length > 1, `Dawn's report has several lines:\n${reports[0]}`);
  t.equal(message.split("\n").slice(1).join("\n"), reports[0], "the message ends with the whole first report");
});

t.test("in a process of its own: the report on stderr, nothing from Dawn on stdout", { skip }, async (t) => {
  const src = join(dirname(fileURLToPath(import.meta.url)), "..", "src");
  const script = `
    import { affine, createDevice } from ${JSON.stringify(join(src, "index.js"))};
    import { runCli } from ${JSON.stringify(join(src, "cli", "args.js"))};
    await runCli("tool", "", async () => {
      const device = await createDevice();
      try {
        await affine(device.empty([${binding / 4 + 1024}]), 2, 1).read();
      } finally {
        device.destroy();
      }
    }, []);`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000 });
  t.equal(run.status, 1);
  t.equal(run.stdout, "", "stdout is empty");
  const stderr = run.stderr.split("\n").filter((line) => !line.startsWith("Warning: ")).join("\n");
  t.match(stderr, /^tool: WebGPU reported (an error|\d+ errors; the first):\nBinding size \(\d+\) .* is larger than the maximum storage buffer binding size[^\n]*\n - While/);
});
