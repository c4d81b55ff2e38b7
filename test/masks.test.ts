// Training masks: box holes stay within the official bounds at 256 and scale with the image,
// batches get a mask per image (or one shared), a seed reproduces them, free-form strokes stay
// binary, inside the image and within their bbox rules, and the tensor has the [B,1,H,W] layout.
import t from "tap";
import { bboxSize, maxShrink, maskTensor, sampleMasks, type BBox, type MaskKind } from "../src/data/masks.js";
import { Rng } from "../src/data/rng.js";
import { testDevice } from "./helpers.js";

const device = await testDevice();

/** The extent of the 1s in one plane, or null if there are none. */
function extent(plane: Float32Array, height: number, width: number): BBox | null {
  let top = height, bottom = -1, left = width, right = -1;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    if (plane[y * width + x] !== 1) continue;
    top = Math.min(top, y); bottom = Math.max(bottom, y); left = Math.min(left, x); right = Math.max(right, x);
  }
  return bottom < 0 ? null : { top, left, height: bottom - top + 1, width: right - left + 1 };
}

function planes(data: Float32Array, batch: number, height: number, width: number): Float32Array[] {
  return Array.from({ length: batch }, (_, b) => data.subarray(b * height * width, (b + 1) * height * width));
}

for (const [height, width] of [[256, 256], [64, 64], [64, 96]] as const) {
  t.test(`box masks at ${height}x${width} stay within the official bounds`, async (t) => {
    const size = bboxSize(height, width);
    const shrink = maxShrink(height, width);
    if (height === 256) t.same([size, shrink], [{ height: 128, width: 128 }, { dh: 16, dw: 16 }], "the official numbers at 256");
    const rng = Rng.fromSeed(height * 1000 + width);
    const seenDh = new Set<number>();
    let problems = 0;
    for (let round = 0; round < 40; round++) {
      const { data, boxes } = sampleMasks(rng, { batch: 8, height, width });
      planes(data, 8, height, width).forEach((plane, b) => {
        const box = boxes[b]!;
        const hole = extent(plane, height, width)!;
        const area = plane.reduce((a, v) => a + v, 0);
        const dh = hole.top - box.top;
        const dw = hole.left - box.left;
        seenDh.add(dh);
        const ok = box.height === size.height && box.width === size.width &&
          box.top >= 0 && box.top < height - size.height && box.left >= 0 && box.left < width - size.width &&
          area === hole.height * hole.width && // a solid rectangle
          dh >= 0 && dh <= shrink.dh && dw >= 0 && dw <= shrink.dw &&
          hole.height === box.height - 2 * dh && hole.width === box.width - 2 * dw; // centred in the bbox
        if (!ok) problems++;
      });
    }
    t.equal(problems, 0, "every box is the standard size, inside the image, and its hole is the bbox shrunk evenly by 0..max");
    t.ok(seenDh.has(0) && seenDh.has(shrink.dh), `both ends of dh's inclusive range occur (saw ${[...seenDh].sort((a, b) => a - b).join(",")})`);
  });
}

t.test("a mask per image by default, one shared on request, same seed same masks", async (t) => {
  const options = { batch: 4, height: 64, width: 64 };
  const a = sampleMasks(Rng.fromSeed(5), options);
  const b = sampleMasks(Rng.fromSeed(5), options);
  t.same([...a.data], [...b.data], "seeded: identical masks");
  t.same(a.boxes, b.boxes, "seeded: identical boxes");
  const p = planes(a.data, 4, 64, 64);
  t.ok(p.slice(1).every((plane) => plane.some((v, i) => v !== p[0]![i])), "each image's mask differs from the first");
  const shared = sampleMasks(Rng.fromSeed(5), { ...options, shared: true });
  const s = planes(shared.data, 4, 64, 64);
  t.ok(s.every((plane) => plane.every((v, i) => v === s[0]![i])), "shared: every image has the same mask");
  t.ok(shared.boxes.every((box) => box === shared.boxes[0]), "shared: one bbox");
  t.notSame([...sampleMasks(Rng.fromSeed(6), options).data], [...a.data], "another seed, other masks");
});

for (const kind of ["free-form", "box+free-form"] as MaskKind[]) {
  t.test(`${kind} masks are binary, non-trivial, and their bbox is inside the image`, async (t) => {
    const rng = Rng.fromSeed(99);
    for (const [height, width] of [[256, 256], [64, 48]]) {
      const batch = 16;
      const { data, boxes } = sampleMasks(rng, { batch, height, width, kind });
      t.ok(data.every((v) => v === 0 || v === 1), `${height}x${width}: values are 0 or 1`);
      const coverage = planes(data, batch, height, width).map((plane) => plane.reduce((a, v) => a + v, 0) / plane.length);
      t.ok(coverage.every((c) => c > 0 && c < 0.95), `${height}x${width}: every mask has a hole and keeps known pixels (coverage ${coverage.map((c) => c.toFixed(2)).join(" ")})`);
      t.ok(new Set(coverage).size > batch / 2, "masks vary");
      const size = bboxSize(height, width);
      t.ok(boxes.every((b) => b.height === size.height && b.width === size.width && b.top >= 0 && b.left >= 0 &&
        b.top + b.height <= height && b.left + b.width <= width), "bboxes are the standard size and inside the image");
    }
  });
}

t.test("free-form: the bbox sits on the strokes; box+free-form contains its box hole", async (t) => {
  const height = 128, width = 128;
  const free = sampleMasks(Rng.fromSeed(1), { batch: 16, height, width, kind: "free-form" });
  planes(free.data, 16, height, width).forEach((plane, b) => {
    const hole = extent(plane, height, width)!;
    const box = free.boxes[b]!;
    const overlaps = box.top < hole.top + hole.height && hole.top < box.top + box.height && box.left < hole.left + hole.width && hole.left < box.left + box.width;
    t.ok(overlaps, `image ${b}: bbox overlaps the strokes`);
  });
  const union = sampleMasks(Rng.fromSeed(2), { batch: 8, height, width, kind: "box+free-form" });
  const boxesOnly = sampleMasks(Rng.fromSeed(2), { batch: 8, height, width, kind: "box" });
  // The union draws the box hole first from the same stream, so its first draws match the box-only masks.
  const first = planes(union.data, 8, height, width)[0]!;
  const box = planes(boxesOnly.data, 8, height, width)[0]!;
  t.ok(box.every((v, i) => v === 0 || first[i] === 1), "the box hole is inside the union");
  t.ok(first.some((v, i) => v === 1 && box[i] === 0), "the strokes add pixels outside the box hole");
});

t.test("bad options are named", async (t) => {
  t.throws(() => sampleMasks(Rng.fromSeed(1), { batch: 0, height: 64, width: 64 }), /positive integers/);
  t.throws(() => sampleMasks(Rng.fromSeed(1), { batch: 1, height: 64, width: 64, kind: "circle" as MaskKind }), /unknown mask kind "circle"; use box/);
});

t.test("maskTensor uploads [B, 1, H, W]", async (t) => {
  const masks = sampleMasks(Rng.fromSeed(3), { batch: 3, height: 10, width: 7 });
  const tensor = maskTensor(device, masks);
  t.same(tensor.shape, [3, 1, 10, 7]);
  t.same([...(await tensor.read())], [...masks.data]);
  tensor.dispose();
});
