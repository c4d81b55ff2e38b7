// The browser platform, driven here by Dawn's GPU object standing in for navigator.gpu: the
// engine opens its device through it, compiles kernels from the map a page passes, waits
// without Node's help, filters adapters by their info, keeps tuning choices in localStorage,
// and says what to do when the browser has no WebGPU.
import t from "tap";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { add, createDevice } from "../src/index.js";
import { browserPlatform } from "../src/platform/browser.js";
import { installNodePlatform, nodePlatform } from "../src/platform/node.js";
import { installPlatform, NoAdapterError, NoSuchAdapterError } from "../src/platform/platform.js";

const KERNELS = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "kernels");
const sources = Object.fromEntries(readdirSync(KERNELS).filter((f) => f.endsWith(".wgsl")).map((f) => [f.slice(0, -5), readFileSync(join(KERNELS, f), "utf8")]));
const { gpu } = await nodePlatform().requestAdapter({ adapter: process.env.DEEPFILL_ADAPTER || undefined });
const globals = globalThis as { navigator?: unknown; localStorage?: unknown };
const saved = { navigator: globals.navigator, localStorage: globals.localStorage };
t.teardown(() => {
  Object.assign(globals, saved);
  installNodePlatform();
});

/** A localStorage stand-in: the two calls the platform makes. */
function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  return { items, getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value) };
}

t.test("a device opened through navigator.gpu runs kernels from the page's sources", async (t) => {
  Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });
  installPlatform(browserPlatform(sources));
  const device = await createDevice();
  t.teardown(() => device.destroy());
  const a = device.tensor([1, 2, 3, 4, 5], [5]);
  const b = device.tensor([10, 20, 30, 40, 50], [5]);
  t.same([...(await add(a, b).read())], [11, 22, 33, 44, 55]);

  const part = device.adapter.description.split(" ")[0]!.toUpperCase();
  const named = await createDevice({ adapter: part });
  t.equal(named.adapter.description, device.adapter.description, `the name filter matches the adapter's info ignoring case (${part})`);
  named.destroy();
  const refused = await createDevice({ adapter: "no-such-adapter-xyz" }).then(() => null, (e: unknown) => e);
  t.ok(refused instanceof NoSuchAdapterError, "another name is refused");
  t.match(String(refused), /no WebGPU adapter's name contains "no-such-adapter-xyz"; available: ".+" \(browser\)$/);
});

t.test("a kernel missing from the sources is named with the fix", async (t) => {
  installPlatform(browserPlatform({}));
  const device = await createDevice();
  t.teardown(() => device.destroy());
  t.throws(() => add(device.tensor([1], [1]), device.tensor([2], [1])), /kernel \w+: not in the kernel sources given to startBrowserEngine; bundle every kernels\/\*\.wgsl file/);
});

t.test("without navigator.gpu the error says what the browser needs", async (t) => {
  Object.defineProperty(globalThis, "navigator", { value: {}, configurable: true, writable: true });
  installPlatform(browserPlatform(sources));
  await t.rejects(createDevice(), new NoAdapterError("this browser has no WebGPU (navigator.gpu is missing); use a browser with WebGPU enabled, on a page served over https or from localhost"));
});

t.test("the tune store lives in localStorage when there is one", async (t) => {
  globals.localStorage = undefined;
  t.equal(browserPlatform(sources).tuneStore, undefined, "no localStorage: choices last one page load");
  const storage = memoryStorage({ "deepfill-webgpu.tune": "not json" });
  globals.localStorage = storage;
  const store = browserPlatform(sources).tuneStore!;
  t.same(store.load(), {}, "a damaged entry reads as empty (it costs a re-measurement)");
  store.save({ "llvmpipe|matmul 64": "tiled" });
  t.same(browserPlatform(sources).tuneStore!.load(), { "llvmpipe|matmul 64": "tiled" }, "what one page saved, the next loads");
});
