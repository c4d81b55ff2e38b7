// The training data set: folder listing (recursive, sorted, images only), scaling to the crop,
// batches that are always real crops (flipped or not) of real images and reproducible from the
// seed, each bad-input error, area downscaling against hand-computed averages, and the default
// fake-avatars folder.
import t from "tap";
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import jpeg from "jpeg-js";
import { readRgb, writePng } from "../src/io/image.js";
import { type RgbImage } from "../src/io/rgb-image.js";
import { downscaleArea } from "../src/io/resize.js";
import { defaultDataFolder, listImages, loadImageFolder } from "../src/data/image-folder.js";
import { Rng } from "../src/data/rng.js";
import { testDevice } from "./helpers.js";
import { tempDir } from "./tempdir.js";

const device = await testDevice();

function pattern(width: number, height: number, seed: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 53 + seed * 97) % 256;
  return { width, height, data };
}

/** A folder with two PNGs (one in a subfolder), a JPEG, and files that must be skipped. */
function makeFolder(t: Parameters<typeof tempDir>[0]): string {
  const dir = tempDir(t);
  mkdirSync(join(dir, "sub"));
  writePng(join(dir, "b.png"), pattern(6, 5, 1));
  writePng(join(dir, "sub", "a.PNG"), pattern(5, 7, 2));
  const rgba = Buffer.alloc(8 * 8 * 4, 120);
  writeFileSync(join(dir, "c.jpeg"), jpeg.encode({ width: 8, height: 8, data: rgba }, 90).data);
  writeFileSync(join(dir, "notes.txt"), "not an image");
  writeFileSync(join(dir, ".hidden.png"), "not even read");
  return dir;
}

/** All planar crops (and their mirror images) of `image` at h x w, as float arrays in [-1, 1]. */
function allCrops(image: RgbImage, h: number, w: number): { key: string; flipped: boolean; top: number; left: number; data: Float32Array }[] {
  const crops = [];
  for (let top = 0; top + h <= image.height; top++) for (let left = 0; left + w <= image.width; left++) {
    for (const flipped of [false, true]) {
      const data = new Float32Array(3 * h * w);
      for (let c = 0; c < 3; c++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        const sx = left + (flipped ? w - 1 - x : x);
        data[c * h * w + y * w + x] = image.data[((top + y) * image.width + sx) * 3 + c]! / 127.5 - 1;
      }
      crops.push({ key: data.join(), flipped, top, left, data });
    }
  }
  return crops;
}

t.test("lists images recursively and in a fixed order, skipping other and hidden files", async (t) => {
  const dir = makeFolder(t);
  t.same(listImages(dir).map((p) => p.slice(dir.length + 1)), ["b.png", "c.jpeg", join("sub", "a.PNG")]);
});

t.test("follows symlinked folders, once each, and a link back up the tree does not loop", async (t) => {
  const dir = makeFolder(t);
  const elsewhere = tempDir(t);
  writePng(join(elsewhere, "d.png"), pattern(5, 5, 3));
  symlinkSync(elsewhere, join(dir, "linked"));
  symlinkSync(elsewhere, join(dir, "sub", "again"));
  symlinkSync(dir, join(dir, "sub", "loop"));
  symlinkSync(join(dir, "missing"), join(dir, "broken"));
  t.same(listImages(dir).map((p) => p.slice(dir.length + 1)), ["b.png", "c.jpeg", join("linked", "d.png"), join("sub", "a.PNG")]);
});

t.test("crop mode: every batch item is a crop of an image, flipped or not; the seed reproduces it", async (t) => {
  const dir = makeFolder(t);
  const data = loadImageFolder({ folder: dir, height: 4, width: 3, mode: "crop" });
  t.equal(data.count, 3);
  const crops = listImages(dir).flatMap((file, index) => allCrops(readRgb(file), 4, 3).map((c) => ({ ...c, index })));
  const byKey = new Map(crops.map((c) => [c.key, c]));
  const batch = data.batchArray(Rng.fromSeed(1), 64);
  const seen = { flipped: new Set<boolean>(), index: new Set<number>(), offsets: new Set<string>() };
  let unmatched = 0;
  for (let b = 0; b < 64; b++) {
    const item = byKey.get(batch.subarray(b * 36, (b + 1) * 36).join());
    if (!item) { unmatched++; continue; }
    seen.flipped.add(item.flipped); seen.index.add(item.index); seen.offsets.add(`${item.index}:${item.top},${item.left}`);
  }
  t.equal(unmatched, 0, "every item equals some crop of some image");
  t.same([...seen.flipped].sort(), [false, true], "flips happen, and not always");
  t.equal(seen.index.size, 3, "all images drawn");
  t.ok(seen.offsets.size > 10, `many crop offsets (${seen.offsets.size})`);
  t.same([...data.batchArray(Rng.fromSeed(1), 64)], [...batch], "same seed, same batch");
  t.notSame([...data.batchArray(Rng.fromSeed(2), 64)], [...batch], "another seed, another batch");
  const noFlip = loadImageFolder({ folder: dir, height: 4, width: 3, mode: "crop", flip: false }).batchArray(Rng.fromSeed(3), 32);
  // Compared with unflipped crops only: a flat image's crop equals its own mirror image.
  const unflipped = new Set(crops.filter((c) => !c.flipped).map((c) => c.key));
  t.ok(Array.from({ length: 32 }, (_, b) => noFlip.subarray(b * 36, (b + 1) * 36).join()).every((k) => unflipped.has(k)), "flip: false never flips");
});

t.test("scale mode shrinks each image so it just covers the crop", async (t) => {
  const dir = tempDir(t);
  writePng(join(dir, "wide.png"), pattern(16, 8, 3));
  const data = loadImageFolder({ folder: dir, height: 4, width: 4 });
  const shrunk = downscaleArea(readRgb(join(dir, "wide.png")), 4, 8);
  const keys = new Set(allCrops(shrunk, 4, 4).map((c) => c.key));
  const batch = data.batchArray(Rng.fromSeed(4), 16);
  t.ok(Array.from({ length: 16 }, (_, b) => batch.subarray(b * 48, (b + 1) * 48).join()).every((k) => keys.has(k)), "items are crops of the 8x4 area-shrunk image");
  const progress: string[] = [];
  loadImageFolder({ folder: dir, height: 4, width: 4, onProgress: (done, total) => progress.push(`${done}/${total}`) });
  t.same(progress, ["1/1"], "progress is reported per image");
});

t.test("downscaleArea averages the covered area", async (t) => {
  const image = { width: 4, height: 2, data: new Uint8Array([0, 0, 0, 10, 10, 10, 20, 20, 20, 30, 30, 30, 40, 40, 40, 50, 50, 50, 60, 60, 60, 70, 70, 70]) };
  t.same([...downscaleArea(image, 1, 2).data], [25, 25, 25, 45, 45, 45], "2x2 blocks");
  // 3 -> 2: output 0 covers input 0 fully and half of input 1
  const row = { width: 3, height: 1, data: new Uint8Array([0, 0, 0, 90, 90, 90, 30, 30, 30]) };
  t.same([...downscaleArea(row, 1, 2).data], [30, 30, 30, 50, 50, 50], "fractional weights");
  t.throws(() => downscaleArea(row, 1, 4), /cannot shrink 3x1 to 4x1/);
});

t.test("bad inputs give one-line errors naming the path and the fix", async (t) => {
  const dir = tempDir(t);
  const empty = join(dir, "empty");
  mkdirSync(empty);
  writeFileSync(join(empty, "readme.txt"), "no images here");
  const broken = join(dir, "broken");
  mkdirSync(broken);
  writePng(join(broken, "ok.png"), pattern(8, 8, 1));
  writeFileSync(join(broken, "bad.png"), "garbage bytes");
  const small = join(dir, "small");
  mkdirSync(small);
  writePng(join(small, "tiny.png"), pattern(6, 9, 1));
  const file = join(broken, "ok.png");
  const cases: [string, RegExp][] = [
    [join(dir, "nowhere"), /data folder .*nowhere does not exist; pass a folder of PNG or JPEG images/],
    [file, /data folder .*ok\.png is a file, not a folder/],
    [empty, /data folder .*empty holds no \.png, \.jpg or \.jpeg files \(searched recursively\); add images/],
    [broken, /broken\/bad\.png is not a PNG or JPEG image/],
    [small, /tiny\.png is 6x9, smaller than the 8x8 training crop; remove it or train at a smaller size/],
  ];
  for (const [folder, expected] of cases) {
    const message = (() => { try { loadImageFolder({ folder, height: 8, width: 8 }); return ""; } catch (e) { return (e as Error).message; } })();
    t.match(message, expected, folder);
    t.notMatch(message, /\n/, "one line");
  }
  t.same(readdirSync(broken).sort(), ["bad.png", "ok.png"], "nothing in the folder is touched");
});

t.test("the default data set is fake-avatars' 263 faces, and batches upload as [B, 3, H, W]", async (t) => {
  const folder = defaultDataFolder();
  t.equal(listImages(folder).length, 263);
  const data = loadImageFolder({ height: 32, width: 32 });
  t.equal(data.source, folder);
  const batch = data.batch(device, Rng.fromSeed(5), 2);
  t.same(batch.shape, [2, 3, 32, 32]);
  const values = await batch.read();
  t.ok(values.every((v) => v >= -1 && v <= 1), "values in [-1, 1]");
  t.ok(new Set(values).size > 50, "real image content");
  batch.dispose();
});
