// Image reading and writing: PNG round trips exactly, every PNG flavour (grey, alpha, 16-bit)
// and JPEG decode to planar RGB in [-1, 1], the format comes from the bytes not the name, and
// each kind of bad file gets its one-line error naming the file.
import t from "tap";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { readMask } from "../src/infer/mask-file.js";
import { jpegSize, pngSize, readImage, readRgb, writePng } from "../src/io/image.js";
import { floatToRgb, rgbToFloat, type RgbImage } from "../src/io/rgb-image.js";
import { tempDir } from "./tempdir.js";

/** A w x h RGB image whose bytes are all different functions of position and channel. */
function pattern(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + (i % 3) * 71) % 256;
  return { width, height, data };
}

t.test("writePng then readImage gives back the same pixels, planar, in [-1, 1]", async (t) => {
  const dir = tempDir(t);
  const image = pattern(5, 3);
  const path = join(dir, "a.png");
  writePng(path, image);
  const read = readImage(path);
  t.equal(read.width, 5);
  t.equal(read.height, 3);
  // planar: channel c of pixel (y, x) at c*H*W + y*W + x
  const y = 2, x = 4, c = 1;
  t.equal(read.data[c * 15 + y * 5 + x], Math.fround(image.data[(y * 5 + x) * 3 + c]! / 127.5 - 1), "CHW layout");
  t.same([...floatToRgb(read).data], [...image.data], "bytes survive the float round trip");
  t.same(readdirSync(dir), ["a.png"], "no temporary file left beside it");
});

t.test("floatToRgb clips and rounds, rgbToFloat inverts it", async (t) => {
  const f = { width: 1, height: 1, data: new Float32Array([-2, 0, 2]) };
  t.same([...floatToRgb(f).data], [0, 128, 255]);
  t.same([...rgbToFloat({ width: 1, height: 1, data: new Uint8Array([0, 255, 51]) }).data], [-1, 1, Math.fround(51 / 127.5 - 1)]);
  t.throws(() => floatToRgb({ width: 2, height: 1, data: new Float32Array(3) }), /pass planar RGB/);
});

t.test("grey, grey+alpha, RGBA and 16-bit PNGs read as RGB", async (t) => {
  const dir = tempDir(t);
  const write = (name: string, colorType: 0 | 4 | 6, data: ArrayLike<number>, bitDepth: 8 | 16 = 8) => {
    const png = new PNG({ width: 2, height: 1, colorType, inputColorType: colorType, inputHasAlpha: colorType >= 4, bitDepth });
    png.data = (bitDepth === 16 ? new Uint16Array(data) : Buffer.from(data as number[])) as Buffer;
    writeFileSync(join(dir, name), PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: colorType >= 4, bitDepth }));
    return floatToRgb(readImage(join(dir, name))).data;
  };
  t.same([...write("grey.png", 0, [10, 200])], [10, 10, 10, 200, 200, 200], "grey expands to three channels");
  t.same([...write("greya.png", 4, [10, 0, 200, 255])], [10, 10, 10, 200, 200, 200], "alpha is dropped");
  t.same([...write("rgba.png", 6, [1, 2, 3, 0, 4, 5, 6, 128])], [1, 2, 3, 4, 5, 6], "RGBA drops alpha");
  t.same([...write("deep.png", 0, [0, 65535], 16)], [0, 0, 0, 255, 255, 255], "16-bit rescales to 8");
});

t.test("JPEG decodes close to what was encoded, whatever the file is called", async (t) => {
  const dir = tempDir(t);
  const width = 16, height = 8;
  const rgba = Buffer.alloc(width * height * 4);
  for (let p = 0; p < width * height; p++) rgba.set([200, 100, 30, 255], p * 4);
  const path = join(dir, "photo.png"); // wrong extension on purpose: bytes decide
  writeFileSync(path, jpeg.encode({ width, height, data: rgba }, 95).data);
  const read = floatToRgb(readImage(path));
  t.equal(read.width, width);
  const worst = Math.max(...read.data.map((v, i) => Math.abs(v - [200, 100, 30][i % 3]!)));
  t.ok(worst <= 3, `flat colour within 3 levels after JPEG (worst ${worst})`);
});

t.test("bad files give one-line errors naming the file and the fix", async (t) => {
  const dir = tempDir(t);
  const file = (name: string, bytes: Uint8Array | string) => {
    writeFileSync(join(dir, name), bytes);
    return join(dir, name);
  };
  const good = join(dir, "good.png");
  writePng(good, pattern(8, 8));
  const goodBytes = PNG.sync.write(Object.assign(new PNG({ width: 8, height: 8 }), { data: Buffer.alloc(256, 9) }));
  const cases: [string, RegExp][] = [
    [join(dir, "missing.png"), /cannot read image .*missing\.png: ENOENT \(check the path/],
    [file("notes.png", "hello, not an image"), /notes\.png is not a PNG or JPEG image.*convert it to PNG/],
    [file("anim.png", "GIF89a\x01\x00\x01\x00"), /anim\.png is a GIF image; only PNG and JPEG are read/],
    [file("pic.webp", "RIFF\x10\x00\x00\x00WEBPVP8 "), /pic\.webp is a WebP image/],
    [file("cut.png", goodBytes.subarray(0, goodBytes.length - 20)), /cut\.png is a corrupt or unsupported PNG \(.*\); re-export/],
    [file("cut.jpg", new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2])), /cut\.jpg is a corrupt or unsupported JPEG/],
  ];
  for (const [path, pattern] of cases) {
    const error = (() => { try { readImage(path); return null; } catch (e) { return (e as Error).message; } })();
    t.match(error, pattern, path);
    t.notMatch(error ?? "", /\n/, "one line");
  }
  t.equal(readImage(good).width, 8, "a good file beside them still reads");
});

t.test("an image over the pixel budget is refused from its header, before decoding, PNG and JPEG alike", async (t) => {
  const dir = tempDir(t);
  // A PNG whose IHDR claims 20000x20000 (the rest of the file does not matter: it is never decoded).
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(20000, 0);
  ihdr.writeUInt32BE(20000, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), Buffer.from("IHDR"), ihdr, Buffer.alloc(4)]);
  writeFileSync(join(dir, "bomb.png"), png);
  // A JPEG whose baseline start-of-frame claims 12000x9000 (108 megapixels), after an APP0 segment.
  const jpegBytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 17, 8, 0x23, 0x28, 0x2e, 0xe0, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 0xff, 0xd9]);
  writeFileSync(join(dir, "huge.jpg"), jpegBytes);
  t.throws(() => readImage(join(dir, "bomb.png")), /^.*bomb\.png is 20000x20000 \(400 megapixels\), over the limit of 100 megapixels per image; shrink it or remove it$/);
  t.throws(() => readImage(join(dir, "huge.jpg")), /^.*huge\.jpg is 12000x9000 \(108 megapixels\), over the limit of 100 megapixels per image; shrink it or remove it$/);
  t.same(pngSize(PNG.sync.write(Object.assign(new PNG({ width: 7, height: 3 }), { data: Buffer.alloc(84) }))), { width: 7, height: 3 });
  t.same(jpegSize(jpeg.encode({ width: 5, height: 9, data: Buffer.alloc(180, 50) }, 80).data), { width: 5, height: 9 }, "past the JFIF and quantisation segments");
});

t.test("readRgb drops alpha for images, composites over black for masks, so a transparent pixel is no hole", async (t) => {
  const dir = tempDir(t);
  // White everywhere; opaque on the left pixel, half on the middle, transparent on the right.
  const png = new PNG({ width: 3, height: 1, colorType: 6 });
  png.data = Buffer.from([255, 255, 255, 255, 255, 255, 255, 128, 255, 255, 255, 0]);
  writeFileSync(join(dir, "mask.png"), PNG.sync.write(png));
  t.same([...readRgb(join(dir, "mask.png")).data], Array(9).fill(255), "images keep the colour");
  t.same([...readRgb(join(dir, "mask.png"), "over-black").data], [255, 255, 255, 128, 128, 128, 0, 0, 0]);
  t.same([...readMask(join(dir, "mask.png")).data], [1, 1, 0], "a mask's hole is where it is opaque and white (128 > 127.5 counts)");
});
