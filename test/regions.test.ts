// Planning the regions a large image is filled in: one per group of nearby holes, a square of
// twice the holes' size (at least the working size) kept inside the image, merged when two
// would overlap, shrunk to the working size when larger; and the hole-preserving mask shrink.
import t from "tap";
import { maskFromRgb } from "../src/infer/inpaint-image.js";
import { shrinkMask } from "../src/infer/inpaint-regions.js";
import { holeBoxes, planRegions } from "../src/infer/regions.js";
import { maskImage } from "./inpaint-fixtures.js";

const mask = (width: number, height: number, boxes: [number, number, number, number][]) => maskFromRgb(maskImage(width, height, boxes));

t.test("holes are 8-connected components, each with its bounding box", async (t) => {
  const m = mask(20, 10, [[1, 1, 2, 2], [3, 3, 2, 2], [0, 10, 1, 5]]);
  t.same(holeBoxes(m), [
    { left: 10, top: 0, width: 5, height: 1 },
    { left: 1, top: 1, width: 4, height: 4 }, // the two squares touch at a corner
  ]);
});

t.test("separate holes: one working-size square centred on each", async (t) => {
  const regions = planRegions(mask(400, 300, [[50, 60, 10, 10], [200, 300, 8, 12]]), 64);
  t.same(regions, [
    { box: { left: 33, top: 23, width: 64, height: 64 }, work: { width: 64, height: 64 } },
    { box: { left: 274, top: 172, width: 64, height: 64 }, work: { width: 64, height: 64 } },
  ]);
});

t.test("a hole at a corner or a border: the region is shifted inside the image", async (t) => {
  const [corner, border] = planRegions(mask(300, 200, [[0, 0, 5, 5], [190, 140, 10, 20]]), 64);
  t.same(corner!.box, { left: 0, top: 0, width: 64, height: 64 });
  t.same(border!.box, { left: 118, top: 136, width: 64, height: 64 });
});

t.test("holes whose regions would overlap are planned as one", async (t) => {
  const regions = planRegions(mask(400, 300, [[100, 100, 10, 10], [100, 150, 10, 10], [250, 300, 4, 4]]), 64);
  t.equal(regions.length, 2);
  // The union of the first two spans x 100..159: twice its width is 120, centred.
  t.same(regions[0]!.box, { left: 70, top: 45, width: 120, height: 120 });
  t.same(regions[0]!.work, { width: 64, height: 64 }, "shrunk to the working size");
});

t.test("a hole larger than the working size: twice its size, run shrunk to the working size", async (t) => {
  const [region] = planRegions(mask(1000, 800, [[300, 400, 100, 150]]), 64);
  t.same(region!.box, { left: 325, top: 200, width: 300, height: 300 });
  t.same(region!.work, { width: 64, height: 64 });
  const [clipped] = planRegions(mask(1000, 200, [[20, 400, 100, 150]]), 64);
  t.same(clipped!.box, { left: 325, top: 0, width: 300, height: 200 }, "only the image's height is there to take");
  t.same(clipped!.work, { width: 64, height: 43 }, "the aspect is kept");
});

t.test("an image no larger than the working size is one region at its own size", async (t) => {
  t.same(planRegions(mask(37, 29, [[3, 4, 7, 9], [21, 30, 8, 7]]), 64), [{ box: { left: 0, top: 0, width: 37, height: 29 }, work: { width: 37, height: 29 } }]);
  t.throws(() => planRegions(mask(8, 8, [[0, 0, 1, 1]]), 4), /working size must be an integer >= 8/);
});

t.test("shrinking a mask keeps every hole: a pixel is a hole where any pixel it covers is one", async (t) => {
  const m = mask(9, 6, [[0, 0, 1, 1], [5, 8, 1, 1]]);
  const small = shrinkMask(m, 3, 2);
  t.same([...small.data], [1, 0, 0, 0, 0, 1]);
  t.equal(shrinkMask(m, 9, 6).data.join(""), m.data.join(""), "the same size is the same mask");
});
