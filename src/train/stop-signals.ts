/**
 * How a run is asked to stop: Ctrl-C (SIGINT), `kill` (SIGTERM, also what service managers and
 * schedulers send) and a closed terminal (SIGHUP) all finish the current iteration, save a
 * checkpoint and end the process with the shell's code for that signal (128 + its number:
 * 130, 143, 129), so a script sees the run did not complete. A second signal ends the process
 * at once without a checkpoint; every checkpoint file is written atomically, so that leaves at
 * worst a temporary file, which the next start removes.
 *
 * The second signal is raised again with its default action, which ends the process as that
 * signal (a shell reports 130, 143 or 129 for it too). process.exit() would first run the
 * native teardown of the GPU driver while its threads may still be working on the queue:
 * SwiftShader crashed there (SIGSEGV). So what must not be left behind (the run folder's lock)
 * is released by `beforeExitNow` first.
 */
import { constants } from "node:os";

const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
type StopSignal = (typeof STOP_SIGNALS)[number];

export class StopSignals {
  /** The first stop signal received, or null. */
  received: StopSignal | null = null;
  private readonly handlers = new Map<StopSignal, () => void>();

  /**
   * Starts listening; `note` prints a line without breaking the progress display, and
   * `beforeExitNow` runs when a second signal is about to end the process.
   */
  constructor(private readonly note: (message: string) => void, private readonly beforeExitNow: () => void = () => {}) {
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
      this.beforeExitNow();
      this.dispose();
      process.kill(process.pid, signal);
      return;
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
