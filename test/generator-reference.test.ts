// The whole generator (coarse network, refinement with both branches and the attention layer)
// against its float64 twin, with the engine's own weights read by name: this checks the
// wiring (dilations, activations, the guide channels, the small mask, the skip of the coarse
// result into the hole), which parameter counts and shapes cannot see.
import { Generator, noGrad, tidy } from "../src/index.js";
import { generatorRef } from "./reference/generator.js";
import type { NdArray } from "./reference/layout.js";
import { assertClose, leakCheckedTest, randomValues, testDevice, type Tolerance } from "./helpers.js";

const device = await testDevice();

// 72 x 80 pixels: the 4c maps are 18 x 20, wider than the largest dilation (16), so every
// atrous layer's outer taps read pixels and a wrong rate changes the result.
const [B, H, W] = [2, 72, 80];
const CNUM = 2;
/**
 * float32 against float64 through some forty layers, each a sum of at most 8c * 9 = 144
 * products of values below 1, and the attention's sums: the error measured on lavapipe is
 * below 1e-6 on outputs of size 0.02 to 0.6; the bound leaves ten times that for other
 * drivers' summation orders, still far below what a wiring mistake changes.
 */
const GENERATOR: Tolerance = { atol: 1e-5, rtol: 1e-4 };

/**
 * A different box hole in each image, so a mask shared across the batch would show. The edges
 * [top, bottom, left, right) lie where the small mask's align-corners resize and a plain
 * nearest one pick different pixels (17 against 16, 38 against 36, ...), so the small mask,
 * and with it the attention, depends on the rule.
 */
function masks(): Float32Array {
  const m = new Float32Array(B * H * W);
  const holes = [[17, 45, 25, 53], [38, 63, 8, 33]] as const;
  holes.forEach(([top, bottom, left, right], n) => {
    for (let y = top; y < bottom; y++) for (let x = left; x < right; x++) m[(n * H + y) * W + x] = 1;
  });
  return m;
}

leakCheckedTest(device, "the generator's coarse and refined outputs and offsets match the float64 reference", async (t) => {
  const g = new Generator(device, { cnum: CNUM, seed: 3 });
  // Nonzero biases, so a layer whose bias went missing would show too.
  let seed = 500;
  for (const [name, p] of g.parameters) if (name.endsWith(".bias")) device.write(p, randomValues(p.size, seed++, -0.1, 0.1));
  const weights = new Map<string, NdArray>();
  for (const [name, p] of g.parameters) weights.set(name, { data: await p.read(), shape: p.shape });

  const imageValues = randomValues(B * 3 * H * W, 77);
  const maskValues = masks();
  const image = device.tensor(imageValues, [B, 3, H, W]);
  const mask = device.tensor(maskValues, [B, 1, H, W]);
  const out = tidy(() => noGrad(() => g.forward(image, mask)));
  const [coarse, refined, offsets] = await Promise.all([out.coarse.read(), out.refined.read(), out.offsets.read()]);

  const ref = generatorRef({ data: imageValues, shape: [B, 3, H, W] }, { data: maskValues, shape: [B, 1, H, W] }, CNUM, (name) => {
    const w = weights.get(name);
    if (!w) throw new Error(`the engine's generator has no parameter ${name}`);
    return w;
  });

  // The comparison means something only where the clip did not flatten the output.
  for (const [name, values] of [["coarse", ref.coarse], ["refined", ref.refined]] as const) {
    const inside = values.filter((v) => Math.abs(v) < 1).length;
    t.ok(inside > 0.9 * values.length, `${name}: ${inside} of ${values.length} reference values inside (-1, 1)`);
  }
  assertClose(t, coarse, ref.coarse, GENERATOR, "coarse output");
  assertClose(t, refined, ref.refined, GENERATOR, "refined output");

  // Offsets are an argmax: compare them where the best weight leads the runner-up clearly.
  const n = (H / 8) * (W / 8);
  let compared = 0;
  let wrong = 0;
  for (let b = 0; b < B; b++) {
    for (let p = 0; p < n; p++) {
      const row = ref.attention.attention.subarray((b * n + p) * n, (b * n + p + 1) * n);
      const sorted = Array.from(row).sort((x, y) => y - x);
      if (sorted[0]! - sorted[1]! < 1e-3) continue;
      compared++;
      for (const axis of [0, 1]) if (offsets[(b * 2 + axis) * n + p] !== ref.attention.offsets[(b * 2 + axis) * n + p]) wrong++;
    }
  }
  t.ok(compared > 0.8 * B * n, `offsets: ${compared} of ${B * n} positions have a clear best match`);
  t.equal(wrong, 0, "offsets equal the reference's argmax wherever it is clear");

  [image, mask, out.coarse, out.refined, out.offsets].forEach((x) => x.dispose());
  g.dispose();
});
