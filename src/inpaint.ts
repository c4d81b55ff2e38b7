/**
 * `node dist/inpaint.js`: fills the holes of your own images with a trained DeepFill generator.
 * See HELP below; the work is done in infer/inpaint-image.ts.
 */
import { mkdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { adapterFlag, autoOrInteger, integer, parseFlags, positive, required, runCli, usage, UsageError, type Flag } from "./cli/args.js";
import { checkMask } from "./infer/inpaint-image.js";
import { readMask } from "./infer/mask-file.js";
import { inpaintRegions } from "./infer/inpaint-regions.js";
import { loadGenerator } from "./infer/load-generator.js";
import { checkWorkingSize } from "./infer/memory-check.js";
import { readRgb, writePng } from "./io/image.js";
import { checkCheckpointPath, checkOutputFile, checkOutputFolder, refuseOverwrites, type NamedPath } from "./io/paths.js";
import { openDevice } from "./open-device.js";
import { listImages } from "./data/image-folder.js";

interface Options {
  checkpoint?: string;
  image?: string;
  mask?: string;
  out?: string;
  flow?: string;
  images?: string;
  masks?: string;
  chunkSize: number | "auto";
  workSize?: number;
  memoryBudgetGiB: number;
  adapter?: string;
}

const FLAGS: Flag<Options>[] = [
  { name: "--checkpoint", value: "PATH", help: "a step-*.json sidecar or a model export.js wrote (NAME.json), its .safetensors, or a run or checkpoints folder (its newest checkpoint)", parse: (v, _, o) => void (o.checkpoint = v) },
  { name: "--image", value: "FILE", help: "PNG or JPEG, any size: each group of holes is filled in a square region around it (twice the holes' size, at least the working size), then only the hole pixels are pasted back", parse: (v, _, o) => void (o.image = v) },
  { name: "--mask", value: "FILE", help: "same size as the image; white (grey > 127.5) = hole, black = keep; any shape; with alpha, it is composited over black first: a transparent pixel is no hole", parse: (v, _, o) => void (o.mask = v) },
  { name: "--out", value: "FILE|DIR", help: "the completed PNG (known pixels are copied unchanged), or a folder in batch mode", parse: (v, _, o) => void (o.out = v) },
  { name: "--flow", value: "FILE|DIR", help: "also write the attention flow (colour = direction and distance of the copied patch)", parse: (v, _, o) => void (o.flow = v) },
  { name: "--images", value: "DIR", help: "batch mode: every PNG/JPEG under DIR ...", parse: (v, _, o) => void (o.images = v) },
  { name: "--masks", value: "DIR", help: "... paired with the mask of the same relative name (any of .png .jpg .jpeg)", parse: (v, _, o) => void (o.masks = v) },
  { name: "--work-size", value: "N", help: "the longest side a region is run at; larger regions are shrunk to it, filled, and the fill enlarged back (default: the size the checkpoint was trained at)", parse: (v, f, o) => void (o.workSize = integer(8, 65536)(v, f)) },
  { name: "--memory-budget", value: "GIB", help: "GiB of GPU memory a region may take (default 2); a larger working size is refused up front", parse: (v, f, o) => void (o.memoryBudgetGiB = positive(v, f)) },
  { name: "--chunk-size", value: "N", help: "contextual attention's foreground positions per chunk (default auto: from the GPU's limits)", parse: (v, f, o) => void (o.chunkSize = autoOrInteger(1)(v, f)) },
  adapterFlag<Options>(),
];

const HELP = usage(`
Fill the holes of an image with a trained DeepFill v1 generator.

  node dist/inpaint.js --checkpoint RUN/checkpoints --image in.png --mask mask.png --out out.png [--flow flow.png]
  node dist/inpaint.js --checkpoint RUN/checkpoints --images DIR --masks DIR --out DIR [--flow DIR]
`, FLAGS);

/** The working size of a checkpoint whose sidecar does not give its training size: the paper's. */
const DEFAULT_WORK_SIZE = 256;

interface Job {
  image: string;
  mask: string;
  out: string;
  flow?: string;
}

async function main(args: string[]): Promise<void> {
  const options = parseFlags(args, FLAGS, { chunkSize: "auto", memoryBudgetGiB: 2 });
  const checkpoint = required(options.checkpoint, "--checkpoint");
  const out = required(options.out, "--out");
  const { flow, chunkSize, workSize: workSizeFlag } = options;
  const budgetBytes = options.memoryBudgetGiB * 2 ** 30;
  const batch = options.images !== undefined || options.masks !== undefined;
  if (batch && (options.image !== undefined || options.mask !== undefined)) throw new UsageError("use either --image/--mask or --images/--masks, not both");
  const [imageArg, maskArg] = batch ? [required(options.images, "--images"), required(options.masks, "--masks")] : [required(options.image, "--image"), required(options.mask, "--mask")];
  const checkOutput = batch ? checkOutputFolder : checkOutputFile;
  checkOutput(out, "--out");
  if (flow !== undefined) checkOutput(flow, "--flow");
  checkCheckpointPath(checkpoint, "--checkpoint");
  const jobs = batch ? pairFolders(imageArg, maskArg, out, flow) : [{ image: imageArg, mask: maskArg, out, flow }];
  refuseOverwrites(jobs.flatMap((job) => outputsOf(job, batch)), [
    ...jobs.flatMap((job) => [{ path: job.image, what: batch ? "image" : "--image" }, { path: job.mask, what: batch ? "mask" : "--mask" }]),
    { path: checkpoint, what: "--checkpoint" },
  ]);
  // Read and check every input before the (slow) model load, so a bad pair fails at once. One
  // pair is kept for the run (decoding a 12-megapixel JPEG takes seconds); a folder's are read again.
  const checked = jobs.map((job) => {
    const pair = { image: readRgb(job.image), mask: readMask(job.mask) };
    checkMask(pair.image, pair.mask, { image: job.image, mask: `mask ${job.mask}` });
    return { width: pair.image.width, height: pair.image.height, pair: jobs.length === 1 ? pair : undefined };
  });
  const device = await openDevice(options.adapter);
  try {
    const { generator, step, sidecarPath, trainedSize } = loadGenerator(device, checkpoint, { chunkSize });
    const workSize = workSizeFlag ?? trainedSize ?? DEFAULT_WORK_SIZE;
    const why = workSizeFlag !== undefined ? "--work-size" : trainedSize !== undefined ? "the training size" : "the checkpoint does not say its training size";
    console.log(`generator from ${sidecarPath} (step ${step}), regions run at up to ${workSize}x${workSize} (${why})`);
    // A region is never larger than its image, nor than the working size on either side.
    const widest = Math.max(...checked.map((s) => Math.min(s.width, workSize)));
    const tallest = Math.max(...checked.map((s) => Math.min(s.height, workSize)));
    checkWorkingSize(generator, widest, tallest, device.limits, budgetBytes);
    for (const [index, job] of jobs.entries()) {
      const started = performance.now();
      const { image, mask } = checked[index]!.pair ?? { image: readRgb(job.image), mask: readMask(job.mask) };
      const result = await inpaintRegions(generator, image, mask, { workSize, flow: job.flow !== undefined });
      mkdirSync(dirname(job.out), { recursive: true });
      writePng(job.out, result.image);
      if (job.flow) {
        mkdirSync(dirname(job.flow), { recursive: true });
        writePng(job.flow, result.flow!);
      }
      const regions = result.regions.length;
      console.log(`${job.out} (${image.width}x${image.height}, ${regions} region${regions === 1 ? "" : "s"}, ${((performance.now() - started) / 1000).toFixed(2)} s)`);
    }
    generator.dispose();
  } finally {
    device.destroy();
  }
}

/** The files a job writes, named for messages by the flag (one image) or the input they come from (batch). */
function outputsOf(job: Job, batch: boolean): NamedPath[] {
  const out = { path: job.out, what: batch ? `the result of ${job.image}` : "--out" };
  return job.flow === undefined ? [out] : [out, { path: job.flow, what: batch ? `the flow of ${job.image}` : "--flow" }];
}

/**
 * Image/mask pairs of two folders, matched by relative path without the extension. Two masks
 * for one name (x.png and x.jpg) are refused rather than one picked silently.
 */
function pairFolders(imagesDir: string, masksDir: string, outDir: string, flowDir: string | undefined): Job[] {
  const key = (root: string, path: string) => relative(root, path).replace(/\.(png|jpe?g)$/i, "");
  const masks = new Map<string, string>();
  for (const mask of listImages(masksDir)) {
    const name = key(masksDir, mask);
    const other = masks.get(name);
    if (other) throw new Error(`masks ${other} and ${mask} both match images named ${name}; keep only one of them`);
    masks.set(name, mask);
  }
  return listImages(imagesDir).map((image) => {
    const name = key(imagesDir, image);
    const mask = masks.get(name);
    if (!mask) throw new Error(`image ${image} has no mask ${join(masksDir, name)}.png (or .jpg/.jpeg); add one or remove the image`);
    return { image, mask, out: join(outDir, `${name}.png`), flow: flowDir === undefined ? undefined : join(flowDir, `${name}.png`) };
  });
}

await runCli("inpaint", HELP, main);
