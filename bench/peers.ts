/**
 * The bench's peers (`npm run bench -- --peers`): the same training iteration in PyTorch on
 * the CPU, run by bench/peers/torch_iteration.py in a child process after our case, so the
 * two never share the cores. Its time sits beside ours as "peer ms" and "ours/peer". (The
 * matmul and convolution cases have the other peer, tfjs-backend-webgpu: bench/tfjs-peer.ts.)
 *
 * The Python that runs it must import torch. Debian's python3-torch installs into the
 * system interpreter (/usr/bin/python3), which is often not the `python3` first on PATH
 * (pyenv, virtual environments), so both are tried unless --python or DEEPFILL_PYTHON names
 * one. A ratio is only given when the peer's networks have exactly our parameter counts.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TfjsPeerResult } from "./tfjs-peer.js";

/** The configuration a training-iteration case runs, which the peer repeats. */
export interface TrainPeerConfig {
  size: number;
  batch: number;
  cnum: number;
  criticCnum: number;
  criticSteps: number;
}

/** What the bench records of the PyTorch peer's run beside our result. */
export interface TorchPeerResult {
  peer: "pytorch-cpu";
  ms: number;
  /** Our ms over the peer's: below 1, we are faster. */
  ratio: number;
  torch: string;
  threads: number;
  times_ms: number[];
  parameters: Record<string, number>;
  /** The OpenMP settings the peer ran under (its speed on a busy machine depends on them). */
  openmp: Record<string, string>;
}

/** What the bench records of a peer's run beside our result. */
export type PeerResult = TorchPeerResult | TfjsPeerResult;

/** bench/peers/torch_iteration.py, found from build/bench/peers.js. */
export const TORCH_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "bench", "peers", "torch_iteration.py");

export const INSTALL_HINT = "on Debian: apt-get install python3-torch, then --python /usr/bin/python3 if that is not the python3 on PATH";

/** The torch version `python` imports, or why it cannot. */
export function probeTorch(python: string): { version: string } | { problem: string } {
  const run = spawnSync(python, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8", timeout: 120_000 });
  if (run.error) return { problem: `${python} does not run (${run.error.message})` };
  if (run.status !== 0) return { problem: `${python} cannot import torch (${lastLine(run.stderr)})` };
  return { version: run.stdout.trim() };
}

/**
 * The interpreter to run the PyTorch peer with: `explicit` (from --python or DEEPFILL_PYTHON)
 * if given, else the first of python3 and /usr/bin/python3 that imports torch.
 */
export function findTorchPython(explicit?: string): { python: string; version: string } | { problem: string } {
  const candidates = explicit !== undefined ? [explicit] : ["python3", "/usr/bin/python3"];
  const problems: string[] = [];
  for (const python of candidates) {
    const probe = probeTorch(python);
    if ("version" in probe) return { python, version: probe.version };
    problems.push(probe.problem);
  }
  return { problem: problems.join("; ") };
}

/** Runs the peer's iteration `runs` times after one warm-up; the parsed result, or why there is none. */
export function runTorchPeer(python: string, config: TrainPeerConfig, runs: number): Omit<TorchPeerResult, "ratio"> | { problem: string } {
  const args = [
    TORCH_SCRIPT, "--size", `${config.size}`, "--batch", `${config.batch}`, "--cnum", `${config.cnum}`,
    "--critic-cnum", `${config.criticCnum}`, "--critic-steps", `${config.criticSteps}`, "--warmup", "1", "--runs", `${runs}`,
  ];
  const run = spawnSync(python, args, { encoding: "utf8", maxBuffer: 16 * 2 ** 20 });
  if (run.error || run.status !== 0) return { problem: `the PyTorch peer failed: ${run.error?.message ?? lastLine(run.stderr)}` };
  try {
    return JSON.parse(lastLine(run.stdout)) as Omit<TorchPeerResult, "ratio">;
  } catch {
    return { problem: `the PyTorch peer printed no JSON result: ${lastLine(run.stdout)}` };
  }
}

/** The networks whose parameter counts differ between ours and the peer's, as "name ours/peer". */
export function parameterMismatches(ours: Record<string, number>, peer: Record<string, number>): string[] {
  const names = new Set([...Object.keys(ours), ...Object.keys(peer)]);
  return [...names].filter((n) => ours[n] !== peer[n]).map((n) => `${n} ${ours[n] ?? "none"}/${peer[n] ?? "none"}`);
}

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

/**
 * The Python for --peers, chosen before the GPU opens. An interpreter the user named that
 * cannot import torch is an error (exit 2); when none was named and none imports torch,
 * one line says how to install it and the bench runs without the peer.
 */
export function choosePeerPython(explicit: string | undefined): string | null {
  const found = findTorchPython(explicit);
  if ("python" in found) {
    console.log(`peer PyTorch ${found.version} on the CPU through ${found.python}`);
    return found.python;
  }
  if (explicit !== undefined) {
    console.error(`bench: ${found.problem}; ${INSTALL_HINT}`);
    process.exit(2);
  }
  console.log(`peer PyTorch: skipped, ${found.problem}; ${INSTALL_HINT}`);
  return null;
}

/** Runs the PyTorch peer for `result`'s case and records it there, or prints why it could not. */
export function comparePeer(python: string, name: string, config: TrainPeerConfig, runs: number,
  result: { ms: number; parameters?: Record<string, number>; peer?: PeerResult }): void {
  const peer = runTorchPeer(python, config, runs);
  if ("problem" in peer) {
    console.log(`  ${name}: ${peer.problem}`);
    return;
  }
  const mismatches = parameterMismatches(result.parameters ?? {}, peer.parameters);
  if (mismatches.length > 0) {
    console.log(`  ${name}: the PyTorch peer's networks differ from ours (parameters ours/peer: ${mismatches.join(", ")}), so no ratio`);
    return;
  }
  result.peer = { ...peer, ratio: result.ms / peer.ms };
  const openmp = Object.entries(peer.openmp).map(([k, v]) => `${k}=${v}`).join(" ");
  console.log(`  ${name}: PyTorch ${peer.ms.toFixed(1)} ms (${peer.threads} threads${openmp ? ", " + openmp : ""}; parameter counts equal ours)`);
}
