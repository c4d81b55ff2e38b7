/**
 * node dist/attention-demo.js [flow.png]
 *
 * Runs contextual attention on the copy scene (src/models/attention/copy-scene.ts: a hole
 * whose content is an exact copy of a region 16 pixels to its right), prints the offsets of
 * the hole's positions and how closely the paste-back reproduces the source, and writes the
 * attention flow as a PNG (default attention-flow.png), upscaled x8: white where the
 * attention stays in place, one colour over the hole for its shared displacement.
 */
import { runCli, usage, UsageError } from "./cli/args.js";
import { tidy } from "./index.js";
import { openDevice } from "./open-device.js";
import { contextualAttention } from "./models/contextual-attention.js";
import { copyScene } from "./models/attention/copy-scene.js";
import { writeFlowPng } from "./io/flow-png.js";

const HELP = usage(`
Run contextual attention on a hole whose content is copied from elsewhere, print where each
hole position found its match, and write the attention flow as a PNG.

  node dist/attention-demo.js [FLOW.png]   (default attention-flow.png)
`, []);

async function main(args: string[]): Promise<void> {
  if (args.length > 1 || args[0]?.startsWith("-")) throw new UsageError(`takes one optional argument, the PNG to write; got ${args.map((a) => `"${a}"`).join(" ")}`);
  const path = args[0] ?? "attention-flow.png";
  const device = await openDevice();
  try {
    const scene = copyScene();
    const { size, channels, hole, shift } = scene;
    const { output, offsets } = tidy(() => {
      const features = device.tensor(scene.features, [1, channels, size, size]);
      return contextualAttention(features, features, device.tensor(scene.mask, [1, 1, size, size]));
    });
    const [values, where] = [await output.read(), await offsets.read()];
    const small = size / 2;
    const found: string[] = [];
    for (let y = hole[0]; y < hole[1]; y++)
      for (let x = hole[0]; x < hole[1]; x++) found.push(`(${y},${x})->(${where[y * small + x]},${where[small * small + y * small + x]})`);
    console.log(`hole positions -> best match (downscaled; the copy is ${shift} columns right): ${found.join(" ")}`);
    // Pixels pasted only from hole positions: full resolution [2 hole[0] + 1, 2 hole[1] - 1)^2.
    let worst = 0;
    for (let c = 0; c < channels; c++)
      for (let y = 2 * hole[0] + 1; y < 2 * hole[1] - 1; y++)
        for (let x = 2 * hole[0] + 1; x < 2 * hole[1] - 1; x++) {
          const i = (c * size + y) * size + x;
          worst = Math.max(worst, Math.abs(values[i]! - scene.features[i + 2 * shift]!));
        }
    console.log(`largest difference between the pasted hole and its source: ${worst.toExponential(2)}`);
    writeFlowPng(path, where, offsets.shape, 8);
    console.log(`wrote ${path}`);
    output.dispose();
    offsets.dispose();
  } finally {
    device.destroy();
  }
}

await runCli("attention-demo", HELP, main);
