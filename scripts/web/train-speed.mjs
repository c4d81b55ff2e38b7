// node scripts/web/train-speed.mjs [ITERATIONS]: the tiny preset's training speed in a page
// (headless Debian Chromium, WebGPU on its SwiftShader) and in Node on the same driver, one
// after the other, each timed over ITERATIONS (default 3) iterations after a first one that
// compiles the kernels. Run after `npm run build:dev`, with
// VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json so that Node uses SwiftShader too.
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { buildWeb, ROOT } from "./build.mjs";
import { serveWeb } from "./serve.mjs";

const iterations = Number(process.argv[2] ?? 3);
if (!(Number.isInteger(iterations) && iterations > 0)) {
  console.error("train-speed: ITERATIONS must be a positive integer");
  process.exit(2);
}
const rate = (seconds) => `${(seconds.length / seconds.reduce((a, s) => a + s, 0)).toFixed(3)} it/s (${seconds.map((s) => s.toFixed(1)).join(", ")} s)`;
const built = (path) => import(pathToFileURL(join(ROOT, "build", "src", path)).href);

const outdir = mkdtempSync(join(tmpdir(), "deepfill-web-"));
const profile = mkdtempSync(join(tmpdir(), "deepfill-chromium-"));
const server = await serveWeb({ root: await buildWeb({ outdir }), port: 0 });
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium", headless: true,
  args: ["--headless=new", "--no-sandbox", "--enable-unsafe-webgpu", "--enable-features=Vulkan", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  const adapter = await page.evaluate(() => window.deepfill.ready);
  const { seconds } = await page.evaluate((steps) => window.deepfill.train({ steps }), iterations + 1);
  console.log(`page (${adapter}): ${rate(seconds.slice(1))}`);
} finally {
  await browser.close();
  await server.close();
  rmSync(outdir, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
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
