// node scripts/web/train-speed.mjs [ITERATIONS]: the tiny preset's training speed in a page
// (headless Debian Chromium, WebGPU on its SwiftShader) and in Node on the same driver, one
// after the other, each timed over ITERATIONS (default 3) iterations after a first one that
// compiles the kernels. Run after `npm run build:dev`, with
// VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json so that Node uses SwiftShader too.
import { loadavg } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "./build.mjs";

const iterations = Number(process.argv[2] ?? 3);
if (!(Number.isInteger(iterations) && iterations > 0)) {
  console.error("train-speed: ITERATIONS must be a positive integer");
  process.exit(2);
}
const rate = (seconds) => `${(seconds.length / seconds.reduce((a, s) => a + s, 0)).toFixed(3)} it/s (${seconds.map((s) => s.toFixed(1)).join(", ")} s)`;
const built = (path) => import(pathToFileURL(join(ROOT, "build", "src", path)).href);

// The page's tests build, serve and launch it this way too (test/web-browser.ts).
const { servePage, launchChromium } = await import(pathToFileURL(join(ROOT, "build", "test", "web-browser.js")).href);
const server = await servePage();
const browser = await launchChromium();
try {
  const page = await browser.context.newPage();
  await page.goto(server.url);
  const adapter = await page.evaluate(() => window.deepfill.ready);
  // Without the Train tab's tuning, which on SwiftShader is a long wait before the first iteration.
  const { seconds } = await page.evaluate((steps) => window.deepfill.train({ steps, tune: false }), iterations + 1);
  console.log(`page (${adapter}): ${rate(seconds.slice(1))}`);
} finally {
  await browser.close();
  await server.stop();
}

const { openDevice } = await built("open-device.js");
const { makeConfig } = await built("train/config.js");
const { loadImageFolder } = await built("data/image-folder.js");
const { Trainer, readLosses } = await built("train/trainer.js");
const device = await openDevice();
const config = makeConfig("tiny", {});
const trainer = new Trainer(device, config, loadImageFolder({ height: config.height, width: config.width }));
const seconds = [];
for (let i = 0; i <= iterations; i++) {
  const started = performance.now();
  await readLosses(trainer.step(true));
  seconds.push((performance.now() - started) / 1000);
}
console.log(`Node (${device.adapter.description || device.adapter.architecture}): ${rate(seconds.slice(1))}`);
console.log(`load average ${loadavg().map((v) => v.toFixed(1)).join(" ")}`);
trainer.dispose();
device.destroy();
