// The generated kernels (conv2d_lanes_w*_m*[_n*].wgsl, conv2d_window_w*_m*_k*.wgsl, conv2d_filter_w*_m*_k*.wgsl,
// matmul_lanes_w*.wgsl) are exactly what tools/gen-kernels writes: an edit to a .wgsl file
// that the generators would undo, or a generator change whose output was not committed,
// fails here. The launchers' tile table
// must be the generators' too, or they would dispatch a grid for another tile.
import t from "tap";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "./tempdir.js";
import { filterKernelNames, LANES_TILES, LANES_WIDTHS, lanesKernelNames, windowKernelNames } from "../src/autograd/ops/lanes.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const GENERATOR = join(ROOT, "tools", "gen-kernels", "generate.py");

const python = spawnSync("python3", ["--version"], { encoding: "utf8" });
const noPython = python.error || python.status !== 0 ? "python3 is not installed here, so the generators cannot run" : false;

t.test("the committed lanes kernels equal the generators' output", { skip: noPython }, async (t) => {
  const out = tempDir(t);
  const run = spawnSync("python3", [GENERATOR, out], { encoding: "utf8" });
  t.equal(run.status, 0, `the generator runs: ${run.stderr}`);
  const written = readdirSync(out).sort();
  const expected = LANES_WIDTHS.flatMap((width) => [
    `matmul_lanes_w${width}.wgsl`,
    ...[...lanesKernelNames(width), ...windowKernelNames(width), ...filterKernelNames(width)].map((name) => `${name}.wgsl`),
  ]).sort();
  t.same(written, expected, "one matmul, the conv tiles (wide and narrow) and the window and filter kernels per subgroup width of the launchers' table");
  for (const name of written) {
    const committed = readFileSync(join(ROOT, "kernels", name), "utf8");
    const generated = readFileSync(join(out, name), "utf8");
    const line = firstDifference(committed, generated);
    t.ok(line === null, line === null ? `${name} is up to date` : `kernels/${name} differs from the generator's output at line ${line}; run npm run gen:kernels and commit the result`);
  }
});

t.test("the launchers' lanes tiles are the generators'", { skip: noPython }, async (t) => {
  const run = spawnSync("python3", [GENERATOR, "--tiles"], { encoding: "utf8" });
  t.equal(run.status, 0, `the generator prints its table: ${run.stderr}`);
  t.same(JSON.parse(run.stdout), JSON.parse(JSON.stringify(LANES_TILES)), "src/autograd/ops/lanes.ts LANES_TILES equals tools/gen-kernels/lanes_core.py TILES");
});

/** The 1-based number of the first line where two texts differ, or null when they are equal. */
function firstDifference(a: string, b: string): number | null {
  if (a === b) return null;
  const x = a.split("\n");
  const y = b.split("\n");
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  return i + 1;
}
