/**
 * Headless Chromium for the page's tests: Debian's /usr/bin/chromium (never a downloaded
 * build) driven by playwright-core, on a fresh profile, with WebGPU on (Chromium's own
 * SwiftShader when there is no GPU) and nothing that reaches the network. The page is built
 * by scripts/web/build.mjs into a temporary folder and served by scripts/web/serve.mjs.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const QUIET = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
export const WEBGPU_FLAGS = ["--enable-unsafe-webgpu", "--enable-features=Vulkan"];

/** Why the page cannot be tested here, or null. */
export function whyNoBrowser(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing: install Debian's chromium (sudo bash scripts/setup-system.sh --test-drivers)`;
}

/** Builds the page into a temporary folder and serves it; stop() closes the server and removes the folder. */
export async function servePage(): Promise<{ url: string; stop: () => Promise<void> }> {
  const { buildWeb } = (await import(pathToFileURL(join(ROOT, "scripts", "web", "build.mjs")).href)) as { buildWeb(o: { outdir: string; minify: boolean }): Promise<string> };
  const { serveWeb } = (await import(pathToFileURL(join(ROOT, "scripts", "web", "serve.mjs")).href)) as { serveWeb(o: { root: string; port: number }): Promise<{ url: string; close(): Promise<void> }> };
  const outdir = mkdtempSync(join(tmpdir(), "deepfill-web-"));
  await buildWeb({ outdir, minify: false });
  const server = await serveWeb({ root: outdir, port: 0 });
  return { url: server.url, stop: async () => { await server.close(); rmSync(outdir, { recursive: true, force: true }); } };
}

/** Starts Chromium (WebGPU on unless `webgpu` is false) on a fresh profile; close() also removes the profile. */
export async function launchChromium(options: { webgpu?: boolean; downloads?: string } = {}): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), "deepfill-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless=new", "--no-sandbox", ...QUIET, ...(options.webgpu === false ? [] : WEBGPU_FLAGS)],
    acceptDownloads: true,
    viewport: { width: 760, height: 1000 },
  });
  return { context, close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); } };
}
