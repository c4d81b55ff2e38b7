// Preloaded with `node --import` by plan.mjs: appends the file of every module the process
// loads, ESM and CommonJS alike, to the file named by DEEPFILL_TRACE_FILE, so the bundle
// carries the packages tap's runtime really uses rather than everything its manifest lists.
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";

const traceFile = process.env.DEEPFILL_TRACE_FILE;
if (!traceFile) throw new Error("trace-modules.mjs: set DEEPFILL_TRACE_FILE to the file to append to");

// The resolve hook runs on the loader thread; it sees every ESM import and every package a
// CommonJS module reaches through import. Plain require() calls inside CommonJS code never
// reach it, so the require cache is read as well when the process ends.
register(`data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from "node:fs";
let file;
export function initialize(data) { file = data; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url.startsWith("file:")) appendFileSync(file, result.url + "\\n");
  return result;
}`)}`, { data: traceFile });

process.on("exit", () => {
  const cache = createRequire(import.meta.url).cache;
  appendFileSync(traceFile, Object.keys(cache).map((path) => `file://${path}\n`).join(""));
});
