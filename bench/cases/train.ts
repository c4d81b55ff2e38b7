/**
 * Training cases: one full iteration (5 critic steps + 1 generator step, each with its own
 * batch, masks and Adam update) at the tiny preset (64x64, batch 4, widths 16/32) and at the
 * paper's size with batch 1 (256x256, widths 32/64, marked slow). Data: the default faces.
 *
 * The note gives the peak memory of an iteration (pool trimmed, one iteration run, bytes the
 * pool then holds) and, on a device made with DEEPFILL_PROFILE=1, the share of GPU time per
 * kernel family (width and tile variants such as conv2d_lanes_w8_m8/_w8_m32 merged) over one iteration.
 *
 * FLOPs are an estimate by the usual count, so the rate compares runs rather than
 * measuring the machine: convolutions, dense layers and the attention products of a forward
 * pass from the parameters' shapes, a backward pass as two forwards, the gradient penalty as
 * a forward, an input gradient and a backward through both (six forwards). A critic step is
 * then B (G + 12 D) and a generator step B (3 G + 3 D), D being both critics' forward.
 */
import type { Device, Tensor } from "../../src/index.js";
import { makeConfig } from "../../src/train/config.js";
import { loadImageFolder } from "../../src/data/image-folder.js";
import { Trainer } from "../../src/train/trainer.js";
import { peakMiB, register, type Prepared } from "../harness.js";

/** Forward FLOPs per image of the generator's convolutions (output size tracked from the layer names) and attention. */
function generatorFlops(params: ReadonlyMap<string, Tensor>, height: number, width: number, cnum: number): number {
  let scale = 1;
  let flops = 0;
  for (const [name, p] of params) {
    if (!name.endsWith(".weight")) continue;
    const layer = name.split(".").at(-2)!;
    // Each branch starts at full resolution with its conv1 (conv1, xconv1, pmconv1).
    if (/conv1$/.test(layer)) scale = 1;
    if (layer.includes("downsample")) scale /= 2;
    if (layer.includes("upsample")) scale *= 2;
    const [cout, cin, k1, k2] = p.shape as [number, number, number, number];
    flops += 2 * cout * cin * k1 * k2 * height * scale * width * scale;
  }
  // Attention: matching (3x3 patches) and paste-back (4x4) over n = (H/8)(W/8) patches of 4c channels.
  const n = (height / 8) * (width / 8);
  return flops + 2 * n * n * 4 * cnum * (9 + 16);
}

/** Forward FLOPs per image of a critic: four 5x5 stride-2 'SAME' convolutions and the dense layer. */
function criticFlops(params: ReadonlyMap<string, Tensor>, height: number, width: number): number {
  let [h, w] = [height, width];
  let flops = 0;
  for (const [name, p] of params) {
    if (!name.endsWith(".weight")) continue;
    if (p.rank === 4) {
      [h, w] = [Math.ceil(h / 2), Math.ceil(w / 2)];
      flops += 2 * p.size * h * w;
    } else {
      flops += 2 * p.size;
    }
  }
  return flops;
}

/** GPU time per kernel family over one run, as "conv2d_lanes 45%, unary 15%, ...", when the device profiles. */
async function kernelShares(device: Device, run: () => void): Promise<string> {
  try {
    await device.profile();
  } catch {
    return "DEEPFILL_PROFILE=1 for kernel shares";
  }
  run();
  const families = new Map<string, number>();
  for (const k of await device.profile()) {
    const family = k.kernel.replace(/(_w\d+)?(_m\d+)?$/, "");
    families.set(family, (families.get(family) ?? 0) + k.ms);
  }
  const total = [...families.values()].reduce((a, b) => a + b, 0);
  const top = [...families].sort((a, b) => b[1] - a[1]).slice(0, 6);
  return top.map(([name, ms]) => `${name} ${((100 * ms) / total).toFixed(0)}%`).join(", ") + ` (of ${total.toFixed(0)} ms GPU time)`;
}

function trainCase(size: number, batch: number, cnum: number, criticCnum: number, slow: boolean): void {
  const config = makeConfig("tiny", { height: size, width: size, batch, cnum, criticCnum });
  register({
    name: `train iteration ${size}x${size} b${batch} cnum ${cnum}/${criticCnum} (5 critic + 1 G step)`,
    slow,
    repeats: slow ? 1 : 3,
    peer: { size, batch, cnum, criticCnum, criticSteps: config.criticSteps },
    prepare: async (device): Promise<Prepared> => {
      const dataset = loadImageFolder({ height: size, width: size });
      const trainer = new Trainer(device, config, dataset);
      const run = () => void trainer.step(false);
      const box = trainer.localCritic.size;
      const g = generatorFlops(trainer.generator.parameters, size, size, cnum);
      const d = criticFlops(trainer.globalCritic.parameters, size, size) + criticFlops(trainer.localCritic.parameters, box[0], box[1]);
      const steps = trainer.config.criticSteps;
      const flops = batch * (steps * (g + 12 * d) + 3 * g + 3 * d);
      // The first iteration (it compiles the pipelines) gives the peak memory.
      const peak = await peakMiB(device, run);
      const shares = await kernelShares(device, run);
      return {
        run,
        flops,
        note: `peak ${peak.toFixed(0)} MiB; ${shares}`,
        parameters: {
          generator: trainer.generator.store.count(),
          globalCritic: trainer.globalCritic.store.count(),
          localCritic: trainer.localCritic.store.count(),
        },
        dispose: () => trainer.dispose(),
      };
    },
  });
}

trainCase(64, 4, 16, 32, false);
trainCase(256, 1, 32, 64, true);
