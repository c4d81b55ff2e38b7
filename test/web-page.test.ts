/**
 * The page in a real browser (headless Chromium, WebGPU on its SwiftShader): the generator
 * gives the page the outputs it gives Node, five training iterations give Node's losses, the
 * inpaint flow driven like a user keeps every known pixel, a checkpoint saved in the page is
 * read by inpaint.js and train.js --resume (with the kernels the page tuned), and bad input or a browser without WebGPU gets a
 * message instead of a blank page.
 *
 * Node must run on the driver the page runs on, so that the kernels, the adapter's limits and
 * its subgroup size (4) are the same: the comparisons run where this process's adapter is
 * SwiftShader (the SwiftShader pass of test:all-drivers) and are skipped elsewhere with that reason.
 */
import t from "tap";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import type { Page } from "playwright-core";
import { noGrad, tidy } from "../src/index.js";
import { loadImageFolder } from "../src/data/image-folder.js";
import { loadGenerator } from "../src/infer/load-generator.js";
import { makeConfig } from "../src/train/config.js";
import { readLosses, Trainer } from "../src/train/trainer.js";
import { adapterKey } from "../src/tensor/autotune.js";
import { testDevice, randomValues } from "./helpers.js";
import { runTool, testImage, tinyCheckpoint } from "./inpaint-fixtures.js";
import { avatars } from "./train-fixtures.js";
import { tempDir } from "./tempdir.js";
import { launchChromium, ROOT, servePage, whyNoBrowser } from "./web-browser.js";
import { encodePng } from "../src/io/image.js";

/** window.deepfill as the tests use it (docs/web.md describes it; the page's own type is web/hook.ts). */
interface Hook {
  ready: Promise<string>;
  error(): string | null;
  loadCheckpoint(safetensors: readonly number[], json: string): Promise<{ step: number; cnum: number }>;
  forward(x: readonly number[], mask: readonly number[], height: number, width: number): Promise<{ coarse: number[]; refined: number[] }>;
  mask(): { width: number; height: number; data: number[] };
  train(options: { steps: number; faces?: number; overrides?: object; tune?: boolean; checkpoint?: boolean }):
    Promise<{ losses: Record<string, number>[]; seconds: number[]; kernels: string; checkpoint?: { safetensors: number[]; json: string; name: string } }>;
}
// The callbacks passed to page.evaluate run in the page; these are the browser's globals they use.
declare const window: { deepfill: Hook };
declare const document: { getElementById(id: string): { textContent: string | null } | null };
declare const Navigator: { prototype: object };

/** The shapes the comparisons use: small, so the whole file stays within a minute or two on SwiftShader. */
const TRAIN = { height: 32, width: 32, batch: 1, cnum: 4, criticCnum: 8, seed: 11 };
const FACES = 6;
const STEPS = 5;

const device = await testDevice();
const why = whyNoBrowser() ?? (/swiftshader/i.test(`${device.adapter.architecture} ${device.adapter.description}`) ? null
  : `Node runs on ${device.adapter.description || device.adapter.architecture}, the page on Chromium's SwiftShader; run with VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (test:all-drivers' SwiftShader pass) so both use the same kernels`);

if (why) {
  t.test("the page in headless Chromium", { skip: why }, () => {});
} else {
  const server = await servePage();
  t.teardown(server.stop);
  const browser = await launchChromium();
  t.teardown(browser.close);
  const dir = tempDir(t, "deepfill-web-test-");

  const page: Page = await browser.context.newPage();
  await page.goto(server.url);
  const adapter = await page.evaluate(() => window.deepfill.ready);
  // Checked before any comparison: the reason Node runs on SwiftShader is that the page does.
  if (!/swiftshader/i.test(adapter)) throw new Error(`the page runs on ${adapter}, not Chromium's SwiftShader; the comparisons with Node need both on one driver`);
  const sidecar = await tinyCheckpoint(device, dir, 3);
  const tensorsFile = sidecar.replace(/\.json$/, ".safetensors");

  t.test("the generator gives the page the outputs it gives Node", async (t) => {
    const [height, width] = [24, 40];
    const x = randomValues(3 * height * width, 5);
    const mask = new Float32Array(height * width);
    for (let y = 6; y < 17; y++) mask.fill(1, y * width + 9, y * width + 30);
    const loaded = await page.evaluate(([bytes, json]) => window.deepfill.loadCheckpoint(bytes, json), [[...readFileSync(tensorsFile)], readFileSync(sidecar, "utf8")] as const);
    t.same(loaded, { step: 5, cnum: 4 });
    const inPage = await page.evaluate(([x, m, h, w]) => window.deepfill.forward(x, m, h, w), [[...x], [...mask], height, width] as const);
    const { generator } = loadGenerator(device, sidecar);
    const out = tidy(() => noGrad(() => generator.forward(device.tensor(x, [1, 3, height, width]), device.tensor(mask, [1, 1, height, width]))));
    const [coarse, refined] = [await out.coarse.read(), await out.refined.read()];
    for (const tensor of Object.values(out)) tensor.dispose();
    generator.dispose();
    for (const [name, node, browser] of [["coarse", coarse, inPage.coarse], ["refined", refined, inPage.refined]] as const) {
      const diff = node.reduce((m, v, i) => Math.max(m, Math.abs(v - browser[i]!)), 0);
      t.comment(`${name}: max |page - Node| = ${diff.toExponential(2)} over ${node.length} values`);
      t.equal(browser.length, node.length, `${name}: as many values`);
      t.ok(diff <= 1e-4, `${name}: within 1e-4`);
    }
  });

  t.test("five training iterations give the page Node's losses, and its checkpoint is train.js's", async (t) => {
    const faces = avatars(t, FACES);
    const trained = await page.evaluate(([steps, faces, overrides]) => window.deepfill.train({ steps, faces, overrides, checkpoint: true }), [STEPS, FACES, TRAIN] as const);
    // The page tunes as train.js does (a fresh profile: nothing in its localStorage yet).
    const tuned = /^kernels: tuned (\d+) shape classes of \d+ shapes \(\d+ timed, 0 from the tune cache\) in ([\d.]+) s: conv2d /.exec(trained.kernels);
    t.ok(tuned, `the page tunes its kernels first: ${trained.kernels}`);
    t.comment(`tuning in the page took ${tuned?.[2]} s`);
    const config = makeConfig("tiny", TRAIN);
    const trainer = new Trainer(device, config, loadImageFolder({ folder: faces, height: TRAIN.height, width: TRAIN.width }));
    const nodeLosses = [];
    const nodeSeconds: number[] = [];
    for (let i = 0; i < STEPS; i++) {
      const started = performance.now();
      nodeLosses.push(await readLosses(trainer.step(true)!));
      nodeSeconds.push((performance.now() - started) / 1000);
    }
    trainer.dispose();
    // Information only (speed is the bench's to measure): the first iteration compiles the kernels.
    const rate = (seconds: readonly number[]) => (seconds.length / seconds.reduce((a, s) => a + s, 0)).toFixed(2);
    t.comment(`iterations 2-${STEPS} at ${TRAIN.width}x${TRAIN.height}, batch ${TRAIN.batch}, cnum ${TRAIN.cnum}/${TRAIN.criticCnum}: page ${rate(trained.seconds.slice(1))} it/s, Node ${rate(nodeSeconds.slice(1))} it/s`);
    // Same kernels on the same driver, but Chromium's Dawn and the webgpu package's are not the
    // same build, and the autotuner may pick another (equally exact) variant by timing: sums
    // may round in another order. Float32 sums of a few thousand terms agree to about 1e-5
    // relative; after five Adam steps on those, 1e-3 relative (plus 1e-5 absolute, for losses
    // near zero) leaves room for rounding and none for a wrong step.
    let worst = 0;
    for (let i = 0; i < STEPS; i++) {
      for (const [name, value] of Object.entries(nodeLosses[i]!)) {
        const got = trained.losses[i]![name]!;
        const error = Math.abs(got - value) / (1e-2 + Math.abs(value));
        worst = Math.max(worst, Math.abs(got - value));
        t.ok(Math.abs(got - value) <= 1e-3 * Math.abs(value) + 1e-5, `step ${i + 1} ${name}: page ${got} Node ${value}`, { error });
      }
    }
    t.comment(`largest |page - Node| loss difference over ${STEPS} iterations: ${worst.toExponential(2)}`);
    const checkpoint = trained.checkpoint!;
    const saved = join(dir, "from-page");
    mkdirSync(saved);
    writeFileSync(join(saved, `${checkpoint.name}.safetensors`), Uint8Array.from(checkpoint.safetensors));
    writeFileSync(join(saved, `${checkpoint.name}.json`), checkpoint.json);
    const { kernels } = JSON.parse(checkpoint.json) as { kernels?: { adapter: string; choices: Record<string, string> } };
    t.match(kernels?.adapter, /swiftshader/i, `the checkpoint records the kernels it tuned, under the page's adapter (${kernels?.adapter})`);
    t.equal(Object.keys(kernels?.choices ?? {}).length, Number(tuned?.[1]), "a winner per tuned class");
    const image = join(dir, "face.png");
    const mask = join(dir, "mask.png");
    writeFileSync(image, encodePng(testImage(32, 32)));
    writeFileSync(mask, encodePng({ width: 32, height: 32, data: new Uint8Array(32 * 32 * 3).fill(255, 3 * 32 * 10, 3 * 32 * 20) }));
    const inpainted = runTool("inpaint", ["--checkpoint", saved, "--image", image, "--mask", mask, "--out", join(dir, "filled.png")]);
    t.equal(inpainted.status, 0, `inpaint.js reads the page's checkpoint: ${inpainted.stderr}`);
    const resumed = runTool("train", ["--resume", join(saved, `${checkpoint.name}.json`), "--data", faces, "--steps", String(STEPS + 1), "--out", join(dir, "resumed"), "--log-every", "1"],
      { DEEPFILL_TUNE_CACHE: join(dir, "tune.json") });
    t.equal(resumed.status, 0, `train.js --resume continues the page's run: ${resumed.stderr}`);
    // Chromium hides the driver's description, so the page's adapter is named by vendor and
    // architecture, and Node's is not the same name: train.js times its own kernels, naming the record's adapter.
    t.not(kernels?.adapter, adapterKey(device), `Node's adapter is named otherwise (${adapterKey(device)})`);
    t.match(resumed.stdout, new RegExp(`^kernels: tuned ${tuned?.[1]} shape classes of \\d+ shapes \\(the checkpoint's were measured on ${kernels?.adapter}\\)`, "m"),
      "train.js reads the record, and tunes for its own adapter");
    t.ok(existsSync(join(dir, "resumed", "checkpoints", "step-000006.json")), "and reaches the next iteration");
  });

  t.test("the inpaint flow, driven like a user, keeps every known pixel", async (t) => {
    const input = testImage(45, 37); // not multiples of 8: the page pads and crops as inpaint.js does
    const imageFile = join(dir, "photo.png");
    writeFileSync(imageFile, encodePng(input));
    await page.setInputFiles("#checkpoint-file", [sidecar, tensorsFile]);
    await page.waitForFunction(() => /width 4 at step 5/.test(document.getElementById("model-status")!.textContent ?? ""));
    await page.setInputFiles("#image-file", imageFile);
    const box = (await page.locator("#painter").boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.4);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.6, { steps: 8 });
    await page.mouse.up();
    const mask = await page.evaluate(() => window.deepfill.mask());
    const holes = mask.data.filter((v) => v === 1).length;
    t.ok(holes > 0 && holes < mask.data.length, `the stroke painted a hole (${holes} of ${mask.data.length} pixels)`);
    await page.click("#run");
    await page.waitForFunction(() => /Filled in/.test(document.getElementById("inpaint-status")!.textContent ?? ""));
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    const png = PNG.sync.read(readFileSync((await download.path())!));
    t.same([png.width, png.height], [45, 37], "the PNG has the image's size");
    let changed = 0;
    let known = 0;
    for (let p = 0; p < 45 * 37; p++) {
      const same = [0, 1, 2].every((c) => png.data[4 * p + c] === input.data[3 * p + c]);
      if (mask.data[p] === 0 && !same) changed++;
      if (mask.data[p] === 0) known++;
    }
    t.equal(changed, 0, `all ${known} known pixels are the input's bytes`);
    t.equal(await page.evaluate(() => window.deepfill.error()), null, "no error shown");
    // The README's picture: a default face with a keyboard-made hole, filled by the demo model
    // when the checkout has it (else by the test's untrained one).
    if (existsSync(join(ROOT, "web", "demo-model", "demo.json"))) {
      await page.click("#demo-model");
      await page.waitForFunction(() => /^the demo model:/.test(document.getElementById("model-status")!.textContent ?? ""));
    }
    await page.selectOption("#sample", "1.png");
    await page.waitForFunction(() => /^1\.png: /.test(document.getElementById("inpaint-status")!.textContent ?? ""));
    await page.click("#hole-middle");
    await page.click("#run");
    await page.waitForFunction(() => /Filled in/.test(document.getElementById("inpaint-status")!.textContent ?? ""));
    t.equal(await page.evaluate(() => window.deepfill.error()), null, "a sample face with the keyboard's hole fills too");
    // JPEG keeps the README's picture small: the page is mostly photographs. A test run
    // leaves the checkout as it was; DEEPFILL_UPDATE_DOCS_IMAGES=1 retakes the README's copy.
    const shot = join(dir, "page.jpg");
    await page.screenshot({ path: shot, fullPage: true, type: "jpeg", quality: 70 });
    const jpeg = readFileSync(shot);
    t.ok(jpeg.length > 1000 && jpeg[0] === 0xff && jpeg[1] === 0xd8, `the screenshot is a JPEG (${jpeg.length} bytes)`);
    if (process.env.DEEPFILL_UPDATE_DOCS_IMAGES === "1") {
      mkdirSync(join(ROOT, "docs", "images"), { recursive: true });
      copyFileSync(shot, join(ROOT, "docs", "images", "page.jpg"));
    }
  });

  t.test("a file that is neither a checkpoint nor an image, or a mask of another size, gets a message", async (t) => {
    const notes = join(dir, "notes.txt");
    writeFileSync(notes, "hello");
    await page.setInputFiles("#checkpoint-file", notes);
    t.match(await page.evaluate(() => window.deepfill.error()), /notes\.txt: neither a checkpoint .* nor an image/);
    const badSidecar = join(dir, "bad.json");
    writeFileSync(badSidecar, "{ not json");
    await page.setInputFiles("#checkpoint-file", [tensorsFile, badSidecar]);
    await page.waitForFunction(() => window.deepfill.error() !== null && /not JSON/.test(window.deepfill.error()!));
    t.pass("a .json that is not a sidecar is named");
    const small = join(dir, "small-mask.png");
    writeFileSync(small, encodePng(testImage(20, 20)));
    await page.setInputFiles("#mask-file", small);
    await page.waitForFunction(() => /the mask is 20x20 but the image is \d+x\d+;/.test(window.deepfill.error() ?? ""));
    t.pass("a mask of another size is refused with both sizes");
  });

  t.test("a browser without WebGPU gets a message saying what to enable", async (t) => {
    const bare = await launchChromium({ webgpu: false });
    try {
      const page = await bare.context.newPage();
      await page.addInitScript(() => Object.defineProperty(Navigator.prototype, "gpu", { get: () => undefined }));
      await page.goto(server.url);
      const rejected = await page.evaluate(() => window.deepfill.ready.then(() => "ready", (e: Error) => e.message));
      t.match(rejected, /no WebGPU.*--enable-unsafe-webgpu/);
      t.match(await page.textContent("#alert"), /no WebGPU/, "the page shows it");
      t.ok(await page.locator("#run").isDisabled(), "and its controls are off");
    } finally {
      await bare.close();
    }
  });
}
