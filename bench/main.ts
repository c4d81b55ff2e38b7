/**
 * npm run bench [-- --filter TEXT] [--json FILE] [--repeats N] [--all] [--peers [--python PATH]] [--adapter NAME]
 *
 * Measures the ceilings, runs every registered case (those whose name contains TEXT, or one
 * of several TEXTs separated by "|"; a TEXT ending in "$" must end the name), prints
 * a table and, with --json, writes one JSON record per case (one per line). --all includes
 * the cases marked slow. --peers runs each case that names a peer configuration again in
 * PyTorch (bench/peers.ts; --python or DEEPFILL_PYTHON picks the interpreter), and each
 * matmul and convolution case that describes its work for tfjs again in tfjs-backend-webgpu
 * on the same adapter (bench/tfjs-peer.ts), and adds the peer's time and the ratio. New case
 * files go in bench/cases/ and are imported below.
 */
import { writeFileSync } from "node:fs";
import { openDevice } from "../src/open-device.js";
import "./cases/matmul.js";
import "./cases/elementwise.js";
import "./cases/conv.js";
import "./cases/conv-layers.js";
import "./cases/attention.js";
import "./cases/train.js";
import { formatTable, listSummary, measureCopyCeiling, measureFmaCeiling, registeredCases, runCase, type BenchResult } from "./harness.js";
import { choosePeerPython, comparePeer } from "./peers.js";
import { compareTfjs, openTfjsPeer, type TfjsPeer } from "./tfjs-peer.js";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i < 0) return undefined;
  const value = process.argv[i + 1];
  if (value === undefined || value.startsWith("--")) throw new Error(`bench: ${name} needs a value`);
  return value;
}

const filter = option("--filter");
const jsonFile = option("--json");
const repeats = Number(option("--repeats") ?? 5);
const all = process.argv.includes("--all");
if (!(repeats >= 1)) throw new Error(`bench: --repeats must be a positive number`);
const peers = process.argv.includes("--peers");
const peerPython = peers ? choosePeerPython(option("--python") ?? process.env.DEEPFILL_PYTHON) : null;

const device = await openDevice(option("--adapter"));
let tfjsPeer: TfjsPeer | null = null;
try {
  console.log(`adapter: ${device.adapter.description} (${device.adapter.isSoftware ? "software" : "hardware"})`);
  if (peers) {
    const opened = await openTfjsPeer(device);
    if ("problem" in opened) console.log(`peer tfjs-backend-webgpu: skipped, ${opened.problem}`);
    else {
      tfjsPeer = opened;
      console.log(`peer tfjs-backend-webgpu ${opened.tf.version_core} on the adapter ${opened.adapter}`);
    }
  }
  const measureCeilings = async () => ({ gflops: await measureFmaCeiling(device, repeats), gbps: await measureCopyCeiling(device, repeats) });
  const before = await measureCeilings();
  const results: BenchResult[] = [];
  const lists = new Map<string, BenchResult[]>();
  for (const bench of registeredCases()) {
    if (filter !== undefined && !filter.split("|").some((text) => text.endsWith("$") ? bench.name.endsWith(text.slice(0, -1)) : bench.name.includes(text))) continue;
    if (bench.slow && !all && filter === undefined) continue;
    for (const one of "expand" in bench ? await bench.expand(device) : [bench]) {
      const runs = one.repeats ?? repeats;
      const result = await runCase(device, one, before, repeats, async (prepared, result) => {
        console.log(`  ${one.name}: ${result.ms.toFixed(1)} ms`);
        if (!tfjsPeer || prepared.tfjs === undefined) return;
        if (typeof prepared.tfjs === "string") console.log(`  ${one.name}: no tfjs peer, ${prepared.tfjs}`);
        else await compareTfjs(tfjsPeer, one.name, prepared.tfjs, runs, result);
      });
      results.push(result);
      if ("expand" in bench) lists.set(bench.name, [...(lists.get(bench.name) ?? []), result]);
      if (peerPython && one.peer) comparePeer(peerPython, one.name, one.peer, runs, result);
    }
  }
  // Other work on a shared machine lowers a ceiling measured once; the higher of two
  // measurements, before and after the cases, is the fairer yardstick.
  const after = await measureCeilings();
  const ceilings = { gflops: Math.max(before.gflops, after.gflops), gbps: Math.max(before.gbps, after.gbps) };
  for (const r of results) {
    r.ceiling_fraction = r.gflops !== undefined ? r.gflops / ceilings.gflops : r.gbps! / ceilings.gbps;
  }
  console.log(`ceilings: FMA ${ceilings.gflops.toFixed(1)} GFLOP/s (kernels/fma_peak.wgsl; ${before.gflops.toFixed(1)} before the cases, ${after.gflops.toFixed(1)} after), ` +
    `copy ${ceilings.gbps.toFixed(1)} GB/s (copyBufferToBuffer; ${before.gbps.toFixed(1)} before, ${after.gbps.toFixed(1)} after)`);
  console.log(formatTable(results));
  for (const [name, rows] of lists) console.log(listSummary(name, rows));
  if (jsonFile) {
    const header = { name: "ceilings", fma_gflops: ceilings.gflops, copy_gbps: ceilings.gbps, adapter: device.adapter.description };
    writeFileSync(jsonFile, [header, ...results].map((r) => JSON.stringify(r)).join("\n") + "\n");
    console.log(`wrote ${results.length + 1} records to ${jsonFile}`);
  }
} finally {
  tfjsPeer?.close();
  device.destroy();
}
