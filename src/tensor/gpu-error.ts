/**
 * Errors WebGPU reported since the last check (the first of each kind: a scope keeps one, and
 * the rest are mostly its consequences). Dawn's messages run over several lines (the error,
 * then the calls it happened in), so the message gives the first report in full; `reports`
 * holds them all.
 */
export class WebGpuError extends Error {
  constructor(readonly reports: readonly string[]) {
    super(`${reports.length === 1 ? "WebGPU reported an error" : `WebGPU reported ${reports.length} errors; the first`}:\n${reports[0]}`);
    this.name = "WebGpuError";
  }
}
