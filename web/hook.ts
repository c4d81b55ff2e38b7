/**
 * window.deepfill: a small scripted interface to the page, for tests and for people who
 * automate it (docs/web.md describes it). Everything it does, a user can do with the
 * controls; it takes plain arrays so that a driver (Playwright, Puppeteer) can pass data in.
 */
import { forward, TrainingRun, type Losses, type RgbImage, type TrainOverrides } from "./engine";
import { loadFaces } from "./faces";
import type { InpaintTab } from "./inpaint-tab";

export interface DeepfillHook {
  /** Resolves with the adapter's name once the engine runs; rejects with the page's message when it cannot. */
  ready: Promise<string>;
  /** The error the page shows now, or null. */
  error(): string | null;
  /** Loads a checkpoint (the .safetensors bytes and the .json text) as the Inpaint tab's model. */
  loadCheckpoint(safetensors: ArrayLike<number>, json: string): Promise<{ step: number; cnum: number }>;
  /** The generator's coarse and refined outputs for x (planar [1, 3, H, W] in [-1, 1]) and mask ([1, 1, H, W], 1 = hole). */
  forward(x: ArrayLike<number>, mask: ArrayLike<number>, height: number, width: number): Promise<{ coarse: number[]; refined: number[] }>;
  /** The holes painted on the Inpaint tab's image (1 = hole). */
  mask(): { width: number; height: number; data: number[] };
  /** The Inpaint tab's last result (the refined image), or null. */
  result(): { width: number; height: number; data: number[] } | null;
  /**
   * Trains `steps` iterations of the tiny preset (with overrides) on the first `faces` default
   * faces, reading every iteration's losses and timing each. First it tunes the kernels as the
   * Train tab does (`tune: false` skips that, as train.js's --no-tune does) and returns what it
   * chose as `kernels` (the line train.js prints). With `checkpoint`, also returns the checkpoint
   * after them (as plain numbers, so only for small runs: the tiny preset's is tens of MB).
   */
  train(options: { steps: number; faces?: number; overrides?: TrainOverrides; tune?: boolean; checkpoint?: boolean }):
    Promise<{ losses: Losses[]; seconds: number[]; kernels: string; checkpoint?: { safetensors: number[]; json: string; name: string } }>;
}

const plain = (image: RgbImage) => ({ width: image.width, height: image.height, data: [...image.data] });

export function installHook(ready: Promise<string>, inpaint: () => InpaintTab): void {
  const runningTab = async () => {
    await ready;
    return inpaint();
  };
  const hook: DeepfillHook = {
    ready,
    error: () => {
      const box = document.getElementById("alert")!;
      return box.hidden ? null : box.textContent;
    },
    async loadCheckpoint(safetensors, json) {
      const tab = await runningTab();
      await tab.setModel(Uint8Array.from(safetensors), json, "the checkpoint given to the hook");
      return { step: tab.model!.step, cnum: tab.model!.cnum };
    },
    async forward(x, mask, height, width) {
      const tab = await runningTab();
      if (!tab.model) throw new Error("load a checkpoint first");
      const out = await forward(tab.model, Float32Array.from(x), Float32Array.from(mask), height, width);
      return { coarse: [...out.coarse], refined: [...out.refined] };
    },
    mask: () => {
      const holes = inpaint().painter.holes();
      return { width: holes.width, height: holes.height, data: [...holes.data] };
    },
    result: () => {
      const result = inpaint().result;
      return result ? plain(result.refined) : null;
    },
    async train({ steps, faces, overrides = {}, tune = true, checkpoint = false }) {
      const tab = await runningTab();
      const run = await TrainingRun.create(tab.device, await loadFaces(faces), overrides, { tune });
      try {
        const losses: Losses[] = [];
        const seconds: number[] = [];
        for (let i = 0; i < steps; i++) {
          const started = performance.now();
          losses.push((await run.step(true))!);
          seconds.push((performance.now() - started) / 1000);
        }
        const kernels = run.kernels.message;
        if (!checkpoint) return { losses, seconds, kernels };
        const saved = await run.checkpoint();
        return { losses, seconds, kernels, checkpoint: { ...saved, safetensors: [...saved.safetensors] } };
      } finally {
        run.dispose();
      }
    },
  };
  (window as unknown as { deepfill: DeepfillHook }).deepfill = hook;
}
