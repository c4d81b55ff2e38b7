/**
 * How a run is asked to stop: Ctrl-C (SIGINT), `kill` (SIGTERM, also what service managers and
 * schedulers send) and a closed terminal (SIGHUP) all finish the current iteration, save a
 * checkpoint and end the process with the shell's code for that signal (128 + its number:
 * 130, 143, 129), so a script sees the run did not complete. A second signal exits at once
 * without a checkpoint; every checkpoint file is written atomically, so that leaves at worst
 * a temporary file, which the next start removes.
 */
import { constants } from "node:os";

const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
type StopSignal = (typeof STOP_SIGNALS)[number];

export class StopSignals {
  /** The first stop signal received, or null. */
  received: StopSignal | null = null;
  private readonly handlers = new Map<StopSignal, () => void>();

  /** Starts listening; `note` prints a line without breaking the progress display. */
  constructor(private readonly note: (message: string) => void) {
    for (const signal of STOP_SIGNALS) {
      const handler = () => this.onSignal(signal);
      this.handlers.set(signal, handler);
      process.on(signal, handler);
    }
  }

  /** The exit code for the received signal: 128 + its number. */
  get exitCode(): number {
    return this.received ? 128 + constants.signals[this.received] : 0;
  }

  /** Stops listening (the default handlers, which end the process at once, apply again). */
  dispose(): void {
    for (const [signal, handler] of this.handlers) process.off(signal, handler);
    this.handlers.clear();
  }

  private onSignal(signal: StopSignal): void {
    if (this.received) {
      process.stderr.write(`\n${signal} again: exiting now, without a checkpoint\n`);
      process.exit(128 + constants.signals[signal]);
    }
    this.received = signal;
    if (signal === "SIGHUP") {
      // The terminal may be gone: a failed write to it must not end the run before it saves.
      for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
    }
    try {
      this.note(`${signal}: finishing this iteration, then saving a checkpoint (a second signal exits at once, without one)`);
    } catch {
      // As above: nowhere to print; the checkpoint matters more.
    }
  }
}
