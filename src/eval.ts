/**
 * `node dist/eval.js`: the paper's Table 1 metrics for a trained generator and two baselines
 * on the same images and seeded box holes. See USAGE; definitions in infer/metrics.ts.
 */
import { join } from "node:path";
import { adapterOption, chunkSizeOption, integerOption, parseOptions, required, runCli, UsageError } from "./infer/cli.js";
import { evaluate, formatTable, loadSamples } from "./infer/evaluation.js";
import { paintHoles } from "./infer/grid.js";
import { tileImages } from "./io/picture.js";
import { loadGenerator, type LoadedGenerator } from "./infer/load-generator.js";
import { atomicWrite } from "./io/atomic.js";
import { writePng } from "./io/image.js";
import { checkCheckpointPath, checkOutputFolder, refuseOverwrites } from "./io/paths.js";
import { ADAPTER_HELP, openDevice } from "./open-device.js";
import { listImages } from "./train/data.js";
import type { MaskKind } from "./train/masks.js";

const MASK_KINDS: readonly MaskKind[] = ["box", "free-form", "box+free-form"];

const USAGE = `
Evaluate a DeepFill v1 generator against two baselines (mean fill, diffusion fill).

  node dist/eval.js --checkpoint RUN/checkpoints --data DIR [--size 64] [--count 100] [--seed 1] [--out eval]

  --checkpoint PATH  a step-*.json sidecar, its .safetensors, or a run or checkpoints folder (the newest)
                     (leave it out to evaluate only the baselines)
  --data DIR         PNG/JPEG images, sorted by path; the first --count are used
  --size N           each image is shrunk so its shorter side is N, then centre-cropped to N x N (default 64)
  --count N          how many images (default 100)
  --seed S           seed of the holes (default 1); same seed, same holes
  --mask-kind KIND   box (default, the paper's table), free-form or box+free-form: the training masks' kinds
  --examples N       rows in the example grid (default 8)
  --out DIR          where eval.txt, eval.json and examples.png go (default eval)
  --chunk-size N     contextual attention's foreground positions per chunk (default auto)
  --adapter NAME     ${ADAPTER_HELP}

Metrics on [0, 1] images: mean l1 and mean l2 (squared error) inside the hole, PSNR in dB from
the hole's mean squared error, TV = mean |horizontal| + mean |vertical| neighbour difference of
the whole completed image (the ground truth's TV is printed for comparison).
`;

const OPTIONS = {
  checkpoint: { type: "string" }, data: { type: "string" }, size: { type: "string" }, count: { type: "string" },
  seed: { type: "string" }, "mask-kind": { type: "string" }, examples: { type: "string" }, out: { type: "string" }, "chunk-size": { type: "string" }, adapter: { type: "string" },
} as const;

async function main(args: string[]): Promise<void> {
  const values = parseOptions(args, OPTIONS);
  const data = required(values, "data");
  const size = integerOption(values, "size", 64, 8, 4096);
  const count = integerOption(values, "count", 100, 1);
  const seed = integerOption(values, "seed", 1);
  const keep = integerOption(values, "examples", 8, 0, 64);
  const out = (values.out as string | undefined) ?? "eval";
  const kind = (values["mask-kind"] as string | undefined) ?? "box";
  if (!MASK_KINDS.includes(kind as MaskKind)) throw new UsageError(`--mask-kind must be one of ${MASK_KINDS.join(", ")}, got ${JSON.stringify(kind)}`);
  const chunkSize = chunkSizeOption(values);
  const adapter = adapterOption(values);
  const checkpoint = values.checkpoint as string | undefined;
  checkOutputFolder(out, "--out");
  if (checkpoint !== undefined) checkCheckpointPath(checkpoint, "--checkpoint");
  const written = ["eval.txt", "eval.json", ...(keep > 0 ? ["examples.png"] : [])].map((name) => ({ path: join(out, name), what: "--out" }));
  const read = listImages(data).map((path) => ({ path, what: "--data image" }));
  refuseOverwrites(written, checkpoint === undefined ? read : [...read, { path: checkpoint, what: "--checkpoint" }]);
  const samples = loadSamples(data, size, count, seed, kind as MaskKind);
  console.log(`${samples.length} images from ${data} at ${size}x${size}, ${kind} holes from seed ${seed}`);
  const device = await openDevice(adapter);
  let loaded: LoadedGenerator | null = null;
  try {
    if (checkpoint !== undefined) {
      loaded = loadGenerator(device, checkpoint, { chunkSize });
      console.log(`generator from ${loaded.sidecarPath} (step ${loaded.step}, cnum ${loaded.cnum})`);
    }
    const started = performance.now();
    // Progress on a terminal only: a log file would collect every \r-overwritten count.
    const progress = process.stdout.isTTY ? (done: number) => process.stdout.write(`\r${done}/${samples.length} images${done === samples.length ? "\n" : ""}`) : undefined;
    const result = await evaluate(samples, loaded?.generator ?? null, keep, progress);
    const table = formatTable(result);
    console.log(table);
    atomicWrite(join(out, "eval.txt"), Buffer.from(table + "\n"));
    const json = {
      checkpoint: loaded ? { path: loaded.sidecarPath, step: loaded.step, cnum: loaded.cnum } : null,
      data, size, count: samples.length, seed, masks: kind,
      metrics: Object.fromEntries(result.methods),
      groundTruthTv: result.truthTv,
      definitions: {
        scale: "8-bit values / 255, per image, then the mean over images",
        l1: "mean |completed - truth| over hole pixels and channels", l2: "mean (completed - truth)^2 over hole pixels and channels",
        psnr: "10 log10(1 / l2) in dB, per image (l2 floored at 1e-10)", tv: "mean |horizontal difference| + mean |vertical difference| of the whole completed image",
      },
      seconds: (performance.now() - started) / 1000,
      perImage: result.perImage,
    };
    atomicWrite(join(out, "eval.json"), Buffer.from(JSON.stringify(json, null, 2) + "\n"));
    if (keep > 0) {
      const rows = samples.slice(0, keep).map((s, i) => [s.truth, paintHoles(s.truth, s.mask), ...[...result.examples.values()].map((list) => list[i]!)]);
      writePng(join(out, "examples.png"), tileImages(rows));
    }
    console.log(`wrote ${join(out, "eval.txt")}, eval.json${keep > 0 ? ", examples.png (columns: original, input, " + [...result.methods.keys()].join(", ") + ")" : ""}`);
  } finally {
    loaded?.generator.dispose();
    device.destroy();
  }
}

await runCli("eval", USAGE, main);
