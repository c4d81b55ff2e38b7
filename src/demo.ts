/**
 * `node dist/demo.js`: opens the GPU, says which adapter it got, and computes a gradient
 * of a gradient, the operation the WGAN gradient penalty rests on. A quick check that
 * the machine is set up.
 */
import { parseFlags, runCli, usage } from "./cli/args.js";
import { grad, mul, requireGrad, sum, tidy } from "./index.js";
import { openDevice } from "./open-device.js";

const HELP = usage(`
Open the GPU, print its adapter, and compute a gradient of a gradient.

  node dist/demo.js
`, []);

async function main(args: string[]): Promise<void> {
  parseFlags(args, [], {});
  const device = await openDevice();
  try {
    const { description, isSoftware } = device.adapter;
    console.log(`adapter: ${description}${isSoftware ? " (software)" : ""}`);
    const values = [0.5, -1, 2];
    const [f, df, d2f] = tidy(() => {
      const x = requireGrad(device.tensor(values, [3]));
      const y = sum(mul(mul(x, x), x)); // f(x) = sum x^3
      const [dx] = grad(y, [x], { createGraph: true }); // 3x^2
      const [d2x] = grad(sum(dx!), [x]); // 6x
      return [y, dx!, d2x!];
    });
    console.log(`x = [${values}]`);
    console.log(`f(x) = sum x^3 = ${await f.item()}`);
    console.log(`df/dx = 3x^2 = [${Array.from(await df.read())}]`);
    console.log(`d/dx sum(df/dx) = 6x = [${Array.from(await d2f.read())}]`);
  } finally {
    device.destroy();
  }
}

await runCli("demo", HELP, main);
