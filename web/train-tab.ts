/**
 * The Train tab: the tiny preset on the default faces, in this tab. The loop runs one
 * iteration at a time and waits for the GPU after each (as train.js does), so the page stays
 * responsive; losses are read every LOG_EVERY iterations and a sample grid is drawn every
 * SAMPLE_EVERY. Before the first iteration the run tunes its kernels as train.js does, and the
 * status line keeps saying what it chose. Pause takes effect between iterations; "Save checkpoint" downloads the pair
 * train.js would write at this iteration (inpaint.js and train.js --resume read it).
 */
import { TrainingRun, type Device, type Losses, type TrainOverrides } from "./engine";
import { loadFaces } from "./faces";
import { download, encodePng } from "./images";
import { LossChart } from "./loss-chart";
import { reporting, showStatus } from "./messages";

const LOG_EVERY = 5;
const SAMPLE_EVERY = 50;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export class TrainTab {
  run: TrainingRun | null = null;
  private paused = false;
  private resume: (() => void) | null = null;
  private readonly chart = new LossChart($("loss-charts"));
  private speed = { iterations: 0, since: 0, perSecond: 0 };

  constructor(private readonly device: Device) {
    $("sample-every").textContent = String(SAMPLE_EVERY);
    $("train-start").addEventListener("click", () => reporting(() => this.start()));
    $("train-pause").addEventListener("click", () => (this.paused ? this.continue() : this.pause()));
    $("train-save").addEventListener("click", () => reporting(() => this.save()));
  }

  /** Builds the run (tiny preset, or the overrides the page's hook passes) and trains until the tab closes. */
  async start(overrides: TrainOverrides = {}, faceCount?: number): Promise<void> {
    if (this.run) throw new Error("training is already running; pause it, or reload the page to start over");
    $<HTMLButtonElement>("train-start").disabled = true;
    try {
      const faces = await loadFaces(faceCount, (done, total) => showStatus("train-status", `Decoding faces: ${done} of ${total}…`));
      showStatus("train-status", "Timing the candidate kernels for this run's shapes (the winners are remembered for the next run on this GPU)…");
      this.run = await TrainingRun.create(this.device, faces, overrides, { tune: true });
    } catch (error) {
      $<HTMLButtonElement>("train-start").disabled = false;
      throw error;
    }
    this.chart.clear();
    $<HTMLButtonElement>("train-pause").disabled = false;
    $<HTMLButtonElement>("train-save").disabled = false;
    void reporting(() => this.loop());
  }

  pause(): void {
    this.paused = true;
    $("train-pause").textContent = "Resume";
    showStatus("train-status", `Paused at iteration ${this.run?.iteration ?? 0}.`);
  }

  continue(): void {
    this.paused = false;
    $("train-pause").textContent = "Pause";
    this.resume?.();
  }

  /** Downloads the checkpoint of the current iteration (taken between two iterations). */
  async save(): Promise<void> {
    if (!this.run) throw new Error("start training first");
    const saved = await this.run.exclusive(() => this.run!.checkpoint());
    // encodeTrainer's bytes are a fresh ArrayBuffer of their own, never a shared one.
    download(new Blob([saved.safetensors as Uint8Array<ArrayBuffer>]), `${saved.name}.safetensors`);
    download(new Blob([saved.json], { type: "application/json" }), `${saved.name}.json`);
    showStatus("train-status", `Saved ${saved.name}.safetensors and ${saved.name}.json: put both in one folder for inpaint.js or train.js --resume.`);
  }

  /** What the chart shows: one iteration's losses. */
  show(iteration: number, losses: Losses): void {
    this.chart.add(iteration, losses);
  }

  private async loop(): Promise<void> {
    const run = this.run!;
    this.speed = { iterations: 0, since: performance.now(), perSecond: 0 };
    for (;;) {
      if (this.paused) {
        await new Promise<void>((resolve) => (this.resume = resolve));
        this.speed = { iterations: 0, since: performance.now(), perSecond: this.speed.perSecond };
      }
      const losses = await run.exclusive(() => run.step(run.iteration % LOG_EVERY === 0));
      this.speed.iterations++;
      const seconds = (performance.now() - this.speed.since) / 1000;
      if (seconds >= 2) this.speed = { iterations: 0, since: performance.now(), perSecond: this.speed.iterations / seconds };
      if (losses) this.show(run.iteration, losses);
      if (run.iteration % SAMPLE_EVERY === 0) await this.drawSamples(run);
      if (!this.paused) showStatus("train-status", `Iteration ${run.iteration}, ${this.speed.perSecond ? this.speed.perSecond.toFixed(2) : "…"} it/s; ${run.kernels.message}.`);
    }
  }

  private async drawSamples(run: TrainingRun): Promise<void> {
    const grid = await run.exclusive(() => run.sampleGrid());
    const img = $<HTMLImageElement>("train-samples");
    const old = img.src;
    img.src = URL.createObjectURL(await encodePng(grid));
    img.alt = `Sample grid at iteration ${run.iteration}: input with hole, coarse, refined, attention flow, original`;
    img.hidden = false;
    if (old) URL.revokeObjectURL(old);
  }
}
