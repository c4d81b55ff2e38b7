/**
 * The page's start: check for WebGPU (and say what to enable when it is missing), open the
 * engine, set up the two tabs and the scripted hook.
 */
import { openDevice } from "./engine";
import { checkWebGpu } from "./gpu-check";
import { installHook } from "./hook";
import { InpaintTab } from "./inpaint-tab";
import { messageOf, showError, showStatus } from "./messages";
import { setUpTabs } from "./tabs";
import { TrainTab } from "./train-tab";

let inpaint: InpaintTab | null = null;

async function start(): Promise<string> {
  setUpTabs(document.getElementById("tabs")!);
  const check = await checkWebGpu();
  if (!check.ok) throw new Error(check.message);
  const device = await openDevice();
  inpaint = new InpaintTab(device);
  new TrainTab(device);
  const { description, architecture, vendor } = device.adapter;
  return [description, architecture, vendor].filter(Boolean).join(" / ") || "an unnamed adapter";
}

const ready = start();
installHook(ready, () => {
  if (!inpaint) throw new Error("the engine is not running (see the page's message)");
  return inpaint;
});
ready.then(
  (adapter) => showStatus("adapter", `WebGPU adapter: ${adapter}.`),
  (error: unknown) => {
    showStatus("adapter", "WebGPU is not available, so nothing on this page can run.");
    showError(messageOf(error));
    for (const control of document.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLSelectElement>("main button:not([role=tab]), main input, main select")) control.disabled = true;
  },
);
