// The PyTorch peer of the bench (bench/peers/torch_iteration.py) builds our networks: its
// layer tables give every parameter's name and shape in the order our Generator and critics
// create them (checked without torch), and where an interpreter imports torch, one small
// iteration runs and reports our parameter counts. Its speed is the bench's business only.
import t from "tap";
import { spawnSync } from "node:child_process";
import { Generator, globalCritic, localCritic, type Tensor } from "../src/index.js";
import { bboxSize } from "../src/data/masks.js";
import { findTorchPython, parameterMismatches, runTorchPeer, TORCH_SCRIPT } from "../bench/peers.js";
import { testDevice } from "./helpers.js";

const python = spawnSync("python3", ["--version"], { encoding: "utf8" });
const noPython = python.error || python.status !== 0 ? "python3 is not installed here, so the peer's layer tables cannot be read" : false;
const torchPython = findTorchPython(process.env.DEEPFILL_PYTHON);
const noTorch = "problem" in torchPython ? `no interpreter here imports torch (${torchPython.problem})` : false;

// Small, odd-sided enough to matter: size 40 gives a 20x20 local critic input whose maps
// halve to 10, 5, 3, 2 (the rounding up of 'same' stride 2).
const config = { size: 40, batch: 1, cnum: 4, criticCnum: 6, criticSteps: 1 };

const device = await testDevice();

/** Our networks' parameters at `config`, in creation order, and the count per network. */
function ours(): { shapes: [string, number[]][]; counts: Record<string, number> } {
  const box = bboxSize(config.size, config.size);
  const networks = {
    generator: new Generator(device, { cnum: config.cnum }),
    globalCritic: globalCritic(device, { size: [config.size, config.size], cnum: config.criticCnum }),
    localCritic: localCritic(device, { size: [box.height, box.width], cnum: config.criticCnum }),
  };
  const shapes: [string, number[]][] = [];
  const counts: Record<string, number> = {};
  for (const [network, model] of Object.entries(networks)) {
    for (const [name, p] of model.parameters as Map<string, Tensor>) shapes.push([name, [...p.shape]]);
    counts[network] = model.store.count();
    model.dispose();
  }
  return { shapes, counts };
}

t.test("the peer's layer tables name and shape every parameter as our networks do", { skip: noPython }, async (t) => {
  const run = spawnSync("python3", [TORCH_SCRIPT, "--parameters", "--size", `${config.size}`, "--cnum", `${config.cnum}`, "--critic-cnum", `${config.criticCnum}`], { encoding: "utf8" });
  t.equal(run.status, 0, `the script lists its parameters: ${run.stderr}`);
  const peer = JSON.parse(run.stdout) as [string, number[]][];
  const mine = ours().shapes;
  t.equal(peer.length, mine.length, "as many parameters as ours");
  const first = mine.findIndex(([name, shape], i) => peer[i]?.[0] !== name || JSON.stringify(peer[i]?.[1]) !== JSON.stringify(shape));
  t.equal(first, -1, first < 0 ? "every name and shape equal, in order" : `parameter ${first}: ours ${JSON.stringify(mine[first])}, the peer's ${JSON.stringify(peer[first])}`);
});

t.test("one PyTorch iteration runs and its networks have our parameter counts", { skip: noTorch }, async (t) => {
  const found = torchPython as { python: string };
  const peer = runTorchPeer(found.python, config, 1);
  if ("problem" in peer) return t.fail(peer.problem);
  t.same(parameterMismatches(ours().counts, peer.parameters), [], "generator and both critics have our counts");
  t.equal(peer.times_ms.length, 1, "one timed iteration");
  t.ok(Number.isFinite(peer.ms) && peer.ms > 0, "a time is reported");
});
