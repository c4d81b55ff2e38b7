/**
 * `node dist/inpaint.js`: fills the holes of your own images with a trained DeepFill generator.
 * See USAGE below; the work is done in infer/inpaint-image.ts.
 */
import { mkdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { adapterOption, chunkSizeOption, parseOptions, required, runCli, UsageError } from "./infer/cli.js";
import { checkMask, flowImage, inpaint, readMask } from "./infer/inpaint-image.js";
import { loadGenerator } from "./infer/load-generator.js";
import { readRgb, writePng } from "./io/image.js";
import { checkCheckpointPath, checkOutputFile, checkOutputFolder, refuseOverwrites, type NamedPath } from "./io/paths.js";
import { ADAPTER_HELP, openDevice } from "./open-device.js";
import { listImages } from "./train/data.js";

const USAGE = `
Fill the holes of an image with a trained DeepFill v1 generator.

  node dist/inpaint.js --checkpoint RUN/checkpoints --image in.png --mask mask.png --out out.png [--flow flow.png]
  node dist/inpaint.js --checkpoint RUN/checkpoints --images DIR --masks DIR --out DIR [--flow DIR]

  --checkpoint PATH  a step-*.json sidecar, its .safetensors, or a run or checkpoints folder (its newest checkpoint)
  --image FILE       PNG or JPEG, any size (mirror-padded to a multiple of 8, cropped back)
  --mask FILE        same size as the image; white (grey > 127.5) = hole, black = keep; any shape;
                     with alpha, it is composited over black first: a transparent pixel is no hole
  --out FILE|DIR     the completed PNG (known pixels are copied unchanged), or a folder in batch mode
  --flow FILE|DIR    also write the attention flow (colour = direction and distance of the copied patch)
  --images DIR       batch mode: every PNG/JPEG under DIR ...
  --masks DIR        ... paired with the mask of the same relative name (any of .png .jpg .jpeg)
  --chunk-size N     contextual attention's foreground positions per chunk (default auto: from the GPU's limits)
  --adapter NAME     ${ADAPTER_HELP}
`;

const OPTIONS = {
  checkpoint: { type: "string" }, image: { type: "string" }, mask: { type: "string" }, out: { type: "string" },
  flow: { type: "string" }, images: { type: "string" }, masks: { type: "string" }, "chunk-size": { type: "string" }, adapter: { type: "string" },
} as const;

interface Job {
  image: string;
  mask: string;
  out: string;
  flow?: string;
}

async function main(args: string[]): Promise<void> {
  const values = parseOptions(args, OPTIONS);
  const checkpoint = required(values, "checkpoint");
  const out = required(values, "out");
  const flow = values.flow as string | undefined;
  const chunkSize = chunkSizeOption(values);
  const adapter = adapterOption(values);
  const batch = values.images !== undefined || values.masks !== undefined;
  if (batch && (values.image !== undefined || values.mask !== undefined)) throw new UsageError("use either --image/--mask or --images/--masks, not both");
  const [imageArg, maskArg] = batch ? [required(values, "images"), required(values, "masks")] : [required(values, "image"), required(values, "mask")];
  const checkOutput = batch ? checkOutputFolder : checkOutputFile;
  checkOutput(out, "--out");
  if (flow !== undefined) checkOutput(flow, "--flow");
  checkCheckpointPath(checkpoint, "--checkpoint");
  const jobs = batch ? pairFolders(imageArg, maskArg, out, flow) : [{ image: imageArg, mask: maskArg, out, flow }];
  refuseOverwrites(jobs.flatMap((job) => outputsOf(job, batch)), [
    ...jobs.flatMap((job) => [{ path: job.image, what: batch ? "image" : "--image" }, { path: job.mask, what: batch ? "mask" : "--mask" }]),
    { path: checkpoint, what: "--checkpoint" },
  ]);
  // Read and check every input before the (slow) model load, so a bad pair fails at once.
  for (const job of jobs) checkMask(readRgb(job.image), readMask(job.mask), { image: job.image, mask: `mask ${job.mask}` });
  const device = await openDevice(adapter);
  try {
    const { generator, step, sidecarPath } = loadGenerator(device, checkpoint, { chunkSize });
    console.log(`generator from ${sidecarPath} (step ${step})`);
    for (const job of jobs) {
      const started = performance.now();
      const image = readRgb(job.image);
      const result = await inpaint(generator, image, readMask(job.mask));
      mkdirSync(dirname(job.out), { recursive: true });
      writePng(job.out, result.image);
      if (job.flow) {
        mkdirSync(dirname(job.flow), { recursive: true });
        writePng(job.flow, flowImage(result));
      }
      console.log(`${job.out} (${image.width}x${image.height}, ${((performance.now() - started) / 1000).toFixed(2)} s)`);
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

await runCli("inpaint", USAGE, main);
