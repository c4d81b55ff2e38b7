/**
 * The Inpaint tab: a model (the demo or a checkpoint the user opens), an image (opened or a
 * sample face) with holes painted on it, and the fill, shown as input, coarse, refined and
 * attention flow, with the refined image offered as a PNG download.
 */
import { fill, loadModel, maskFromRgb, type Device, type Filled, type HoleMask, type LoadedModel, type RgbImage } from "./engine";
import { acceptDrops, classifyFiles } from "./files";
import { decodeImage, download, drawImage, encodePng } from "./images";
import { MaskPainter } from "./mask-painter";
import { reporting, showStatus } from "./messages";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export class InpaintTab {
  model: LoadedModel | null = null;
  image: RgbImage | null = null;
  imageName = "image";
  result: Filled | null = null;
  readonly painter: MaskPainter;
  private running = false;

  constructor(readonly device: Device) {
    this.painter = new MaskPainter($("painter"), () => this.refresh());
    $<HTMLButtonElement>("demo-model").addEventListener("click", () => reporting(() => this.loadDemo()));
    const checkpointInput = $<HTMLInputElement>("checkpoint-file");
    checkpointInput.addEventListener("change", () => reporting(() => this.open([...(checkpointInput.files ?? [])])));
    acceptDrops($("drop-zone"), (files) => void reporting(() => this.open(files)));
    const imageInput = $<HTMLInputElement>("image-file");
    imageInput.addEventListener("change", () => reporting(() => this.open([...(imageInput.files ?? [])])));
    const maskInput = $<HTMLInputElement>("mask-file");
    maskInput.addEventListener("change", () => reporting(() => this.openMask(maskInput.files?.[0])));
    $<HTMLSelectElement>("sample").addEventListener("change", (event) => reporting(() => this.openSample((event.target as HTMLSelectElement).value)));
    const brush = $<HTMLInputElement>("brush");
    brush.addEventListener("input", () => (this.painter.brush = Number(brush.value)));
    $("undo").addEventListener("click", () => this.painter.undo());
    $("clear").addEventListener("click", () => this.painter.clear());
    $("hole-middle").addEventListener("click", () => reporting(() => this.painter.holeInMiddle()));
    $("run").addEventListener("click", () => reporting(() => this.run()));
    $("download").addEventListener("click", () => reporting(() => this.download()));
    void this.listSamples();
  }

  /** A checkpoint pair or an image, picked or dropped. */
  async open(files: File[]): Promise<void> {
    const opened = classifyFiles(files);
    if (opened.kind === "image") return this.setImage(await decodeImage(opened.file, opened.file.name), opened.file.name);
    const [tensors, sidecar] = await Promise.all([opened.tensors.arrayBuffer(), opened.sidecar.text()]);
    await this.setModel(new Uint8Array(tensors), sidecar, opened.tensors.name);
  }

  async loadDemo(): Promise<void> {
    showStatus("model-status", "Fetching the demo model…");
    const [tensors, sidecar] = await Promise.all(["demo.safetensors", "demo.json"].map((name) => fetch(`demo-model/${name}`)));
    if (!tensors!.ok || !sidecar!.ok) {
      showStatus("model-status", "No model loaded.");
      throw new Error("this build of the page has no demo model (web/demo-model is missing); open a checkpoint instead");
    }
    await this.setModel(new Uint8Array(await tensors!.arrayBuffer()), await sidecar!.text(), "the demo model");
  }

  async setModel(tensors: Uint8Array, sidecar: string, label: string): Promise<void> {
    showStatus("model-status", `Loading ${label}…`);
    let model: LoadedModel;
    try {
      model = await loadModel(this.device, tensors, sidecar, label);
    } catch (error) {
      showStatus("model-status", this.model ? `Kept ${this.model.label}.` : "No model loaded.");
      throw error;
    }
    this.model?.dispose();
    this.model = model;
    showStatus("model-status", `${label}: a generator of width ${model.cnum} at step ${model.step}; regions run at up to ${model.workSize}×${model.workSize}.`);
    this.refresh();
  }

  setImage(image: RgbImage, name: string): void {
    this.image = image;
    this.imageName = name.replace(/\.[^.]*$/, "");
    this.result = null;
    this.painter.setImage(image);
    showStatus("inpaint-status", `${name}: ${image.width}×${image.height}. Paint the holes.`);
  }

  async openMask(file: File | undefined): Promise<void> {
    if (!file) return;
    // inpaint.js's rule: a hole where the grey level is above mid-grey.
    this.painter.setHoles(maskFromRgb(await decodeImage(file, file.name)));
  }

  async run(): Promise<Filled> {
    if (!this.model) throw new Error("load a model first: the demo model or a checkpoint");
    if (!this.image) throw new Error("open an image first");
    const mask: HoleMask = this.painter.holes();
    this.running = true;
    this.refresh();
    try {
      const started = performance.now();
      this.result = await fill(this.model, this.image, mask, (index, count) => showStatus("inpaint-status", `Filling region ${index + 1} of ${count}…`));
      for (const [id, image] of [["out-input", this.result.input], ["out-coarse", this.result.coarse], ["out-refined", this.result.refined], ["out-flow", this.result.flow]] as const) drawImage($(id), image);
      showStatus("inpaint-status", `Filled in ${((performance.now() - started) / 1000).toFixed(2)} s.`);
      return this.result;
    } finally {
      this.running = false;
      this.refresh();
    }
  }

  async download(): Promise<void> {
    if (!this.result) throw new Error("fill the holes first");
    download(await encodePng(this.result.refined), `${this.imageName}-filled.png`);
  }

  private async openSample(name: string): Promise<void> {
    if (!name) return;
    const response = await fetch(`faces/${name}`);
    if (!response.ok) throw new Error(`the sample ${name} could not be fetched (HTTP ${response.status})`);
    this.setImage(await decodeImage(await response.blob(), name), name);
  }

  private async listSamples(): Promise<void> {
    const response = await fetch("faces/index.json");
    if (!response.ok) return;
    const names = (await response.json()) as string[];
    $("sample").append(...names.slice(0, 24).map((name) => new Option(`face ${name.replace(".png", "")}`, name)));
  }

  private refresh(): void {
    $<HTMLButtonElement>("run").disabled = this.running || !this.model || !this.image;
    $<HTMLButtonElement>("download").disabled = this.running || !this.result;
    $<HTMLButtonElement>("undo").disabled = !this.painter.canUndo;
  }
}
