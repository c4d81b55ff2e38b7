/**
 * `node dist/eval.js`: the paper's Table 1 metrics for a trained generator and two baselines
 * on the same images and seeded box holes. See HELP; definitions in infer/metrics.ts.
 */
import { join } from "node:path";
import { adapterFlag, autoOrInteger, integer, oneOf, parseFlags, required, runCli, usage, type Flag } from "./cli/args.js";
import { evaluate, formatTable, loadSamples } from "./infer/evaluation.js";
import { paintHoles } from "./infer/grid.js";
import { tileImages } from "./io/picture.js";
import { loadGenerator } from "./infer/load-generator.js";
import type { LoadedGenerator } from "./infer/generator-checkpoint.js";
import { atomicWrite } from "./io/atomic.js";
import { writePng } from "./io/image.js";
import { checkCheckpointPath, checkOutputFolder, refuseOverwrites } from "./io/paths.js";
import { openDevice } from "./open-device.js";
import { listImages } from "./data/image-folder.js";
import { MASK_KINDS, type MaskKind } from "./data/masks.js";

interface Options {
  checkpoint?: string;
  data?: string;
  size: number;
  count: number;
  seed: number;
  kind: MaskKind;
  keep: number;
  out: string;
  chunkSize: number | "auto";
  adapter?: string;
}

const FLAGS: Flag<Options>[] = [
  { name: "--checkpoint", value: "PATH", help: "a step-*.json sidecar or a model export.js wrote (NAME.json), its .safetensors, or a run or checkpoints folder (the newest); leave it out to evaluate only the baselines", parse: (v, _, o) => void (o.checkpoint = v) },
  { name: "--data", value: "DIR", help: "PNG/JPEG images, sorted by path; the first --count are used", parse: (v, _, o) => void (o.data = v) },
  { name: "--size", value: "N", help: "each image is shrunk so its shorter side is N, then centre-cropped to N x N (default 64)", parse: (v, f, o) => void (o.size = integer(8, 4096)(v, f)) },
  { name: "--count", value: "N", help: "how many images (default 100)", parse: (v, f, o) => void (o.count = integer(1)(v, f)) },
  { name: "--seed", value: "S", help: "seed of the holes (default 1); same seed, same holes", parse: (v, f, o) => void (o.seed = integer(0)(v, f)) },
  { name: "--mask-kind", value: "KIND", help: "box (default, the paper's table), free-form or box+free-form: the training masks' kinds", parse: (v, f, o) => void (o.kind = oneOf(MASK_KINDS)(v, f)) },
  { name: "--examples", value: "N", help: "rows in the example grid (default 8)", parse: (v, f, o) => void (o.keep = integer(0, 64)(v, f)) },
  { name: "--out", value: "DIR", help: "where eval.txt, eval.json and examples.png go (default eval)", parse: (v, _, o) => void (o.out = v) },
  { name: "--chunk-size", value: "N", help: "contextual attention's foreground positions per chunk (default auto)", parse: (v, f, o) => void (o.chunkSize = autoOrInteger(1)(v, f)) },
  adapterFlag<Options>(),
];

const HELP = usage(`
Evaluate a DeepFill v1 generator against two baselines (mean fill, diffusion fill).

  node dist/eval.js --checkpoint RUN/checkpoints --data DIR [--size 64] [--count 100] [--seed 1] [--out eval]
`, FLAGS, `
Metrics on [0, 1] images: mean l1 and mean l2 (squared error) inside the hole, PSNR in dB from
the hole's mean squared error, TV = mean |horizontal| + mean |vertical| neighbour difference of
the whole completed image (the ground truth's TV is printed for comparison).
`);

async function main(args: string[]): Promise<void> {
  const options = parseFlags(args, FLAGS, { size: 64, count: 100, seed: 1, kind: "box", keep: 8, out: "eval", chunkSize: "auto" });
  const { checkpoint, size, count, seed, kind, keep, out, chunkSize } = options;
  const data = required(options.data, "--data");
  checkOutputFolder(out, "--out");
  if (checkpoint !== undefined) checkCheckpointPath(checkpoint, "--checkpoint");
  const written = ["eval.txt", "eval.json", ...(keep > 0 ? ["examples.png"] : [])].map((name) => ({ path: join(out, name), what: "--out" }));
  const read = listImages(data).map((path) => ({ path, what: "--data image" }));
  refuseOverwrites(written, checkpoint === undefined ? read : [...read, { path: checkpoint, what: "--checkpoint" }]);
  const samples = loadSamples(data, size, count, seed, kind);
  console.log(`${samples.length} images from ${data} at ${size}x${size}, ${kind} holes from seed ${seed}`);
  const device = await openDevice(options.adapter);
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

await runCli("eval", HELP, main);
