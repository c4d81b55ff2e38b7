/**
 * `node dist/report.js`: loss curves of a training run as PNGs, from its JSONL log, with no
 * browser. One chart per numeric field of the log (see report/training-log.ts).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseFlags, required, runCli, usage, type Flag } from "./cli/args.js";
import { lineChart } from "./report/plot.js";
import { movingMean, parseTrainingLog } from "./report/training-log.js";
import { writePng } from "./io/image.js";
import { checkOutputFolder, refuseOverwrites } from "./io/paths.js";

interface Options {
  log?: string;
  out?: string;
}

const FLAGS: Flag<Options>[] = [
  { name: "--log", value: "FILE", help: "the JSON Lines log a training run writes (one object per line)", parse: (v, _, o) => void (o.log = v) },
  { name: "--out", value: "DIR", help: "one PNG per numeric field (every field except step and time), e.g. DIR/g_loss.png", parse: (v, _, o) => void (o.out = v) },
];

const HELP = usage(`
Draw the loss curves of a training run as PNG charts.

  node dist/report.js --log RUN/log.jsonl --out DIR
`, FLAGS, `
Each chart shows the raw values (light) and, past 50 points, a moving mean (dark). The x axis
is the step field, or the line number when the log has none.
`);

const RAW = [160, 190, 230] as const;
const TREND = [20, 70, 170] as const;

async function main(args: string[]): Promise<void> {
  const options = parseFlags(args, FLAGS, {});
  const path = required(options.log, "--log");
  const out = required(options.out, "--out");
  checkOutputFolder(out, "--out");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`cannot read the log ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (pass the log.jsonl of a training run)`);
  }
  const log = parseTrainingLog(text, path);
  const files = new Map([...log.curves.keys()].map((key) => [key, join(out, `${key.replace(/[^A-Za-z0-9_.-]/g, "_")}.png`)]));
  refuseOverwrites([...files].map(([key, file]) => ({ path: file, what: `the chart of ${JSON.stringify(key)}` })), [{ path, what: "--log" }]);
  mkdirSync(out, { recursive: true });
  for (const [key, curve] of log.curves) {
    const series = [{ x: curve.x, y: curve.y, colour: curve.y.length > 50 ? RAW : TREND }];
    if (curve.y.length > 50) series.push({ x: curve.x, y: movingMean(curve.y, Math.ceil(curve.y.length / 25)), colour: TREND });
    const file = files.get(key)!;
    writePng(file, lineChart({ title: key, xLabel: log.xLabel, series }));
    const finite = curve.y.filter(Number.isFinite);
    const summary = finite.length === 0 ? "no finite values" : `last ${finite.at(-1)!.toPrecision(4)}, min ${Math.min(...finite).toPrecision(4)}, max ${Math.max(...finite).toPrecision(4)}`;
    const bad = log.nonFinite.get(key);
    const badText = bad ? `; ${bad.count} non-finite from ${log.xLabel} ${bad.from}` : "";
    console.log(`${file} (${curve.y.length} points${badText}; ${summary})`);
  }
  if (log.nonFinite.size > 0) {
    const which = [...log.nonFinite].map(([key, bad]) => `${key} from ${log.xLabel} ${bad.from}`).join(", ");
    console.error(`report: ${path} has non-finite values (NaN or infinite), not drawn: ${which}; the run diverged there (resume from an earlier checkpoint with a lower --lr)`);
  }
}

await runCli("report", HELP, main);
