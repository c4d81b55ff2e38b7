/**
 * What every command-line program (train.js, inpaint.js, eval.js, report.js, the demos) is
 * built from: a table of flags per program that both parses and documents them, so --help
 * cannot drift from what is accepted; one usage error; and a top level that prints --help and
 * turns any failure into one line on stderr and a non-zero exit, never a stack trace (set
 * DEEPFILL_DEBUG_STACK=1 to see it anyway).
 */

/** Thrown for a wrong command line: printed with a pointer to --help, exit status 2. */
export class UsageError extends Error {}

/** One flag of a program: parses its value into the program's options and documents itself in --help. */
export interface Flag<O> {
  name: string;
  /** Placeholder of the value in --help; absent for switches. */
  value?: string;
  help: string;
  parse: (value: string, flag: string, options: O) => void;
}

/** Parses argv (without node and the script) into `options`; also --flag=value. A bad flag or value is a UsageError. */
export function parseFlags<O>(argv: readonly string[], flags: readonly Flag<O>[], options: NoInfer<O>): O {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const flag = flags.find((f) => f.name === name);
    if (!flag) {
      const hint = arg.startsWith("-") ? "" : " (flags start with --; values follow their flag)";
      throw new UsageError(`unknown argument "${arg}"${hint}`);
    }
    let value = inline ?? "";
    if (flag.value) {
      if (inline === undefined) {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith("--")) throw new UsageError(`${flag.name} needs a value (${flag.value})`);
        value = next;
        i++;
      }
    } else if (inline !== undefined) {
      throw new UsageError(`${flag.name} is a switch and takes no value; write just ${flag.name}`);
    }
    flag.parse(value, flag.name, options);
  }
  return options;
}

/** The text --help prints: `intro`, the flags one per line, aligned, with --help itself last, then `outro`. */
export function usage<O>(intro: string, flags: readonly Flag<O>[], outro = ""): string {
  const all = [...flags, { name: "--help", help: "print this help and exit (also -h)" }];
  const width = Math.max(...all.map((f) => f.name.length + ("value" in f && f.value ? f.value.length + 1 : 0)));
  const lines = all.map((f) => `  ${`${f.name}${"value" in f && f.value ? ` ${f.value}` : ""}`.padEnd(width)}  ${f.help}`);
  return [intro.trim(), "", "Flags (also --flag=value):", ...lines, ...(outro ? ["", outro.trim()] : [])].join("\n");
}

/** --adapter NAME, for every program that opens the GPU (src/open-device.ts reads the choice). */
export function adapterFlag<O extends { adapter?: string }>(): Flag<O> {
  return {
    name: "--adapter",
    value: "NAME",
    help: "the adapter whose name contains NAME, ignoring case, e.g. llvmpipe or swiftshader (default: DEEPFILL_ADAPTER, else the first); a name that matches none lists the available ones",
    parse: (v, f, o) => {
      if (v === "") throw new UsageError(`${f} takes a part of an adapter's name, got an empty one`);
      o.adapter = v;
    },
  };
}

/** The value of a flag the program cannot run without, or a usage error naming it. */
export function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined || value === "") throw new UsageError(`${flag} is required`);
  return value;
}

/** A parser of integers from `min` to `max`. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER): (value: string, flag: string) => number {
  return (value, flag) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new UsageError(`${flag} takes an integer ${max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`}, got "${value}"`);
    }
    return n;
  };
}

/** "auto", or an integer of at least `min`. */
export function autoOrInteger(min: number): (value: string, flag: string) => number | "auto" {
  return (value, flag) => (value === "auto" ? "auto" : integer(min)(value, flag));
}

export function positive(value: string, flag: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} takes a positive number, got "${value}"`);
  return n;
}

export function oneOf<T extends string>(choices: readonly T[]): (value: string, flag: string) => T {
  return (value, flag) => {
    if (!(choices as readonly string[]).includes(value)) throw new UsageError(`${flag} takes one of ${choices.join(", ")}, got "${value}"`);
    return value as T;
  };
}

/**
 * Runs a program's main function with its arguments: prints `help` for --help or -h, and any
 * error as "<tool>: <message>" on one line with exit status 1 (2 for a wrong command line,
 * with a pointer to --help).
 */
export async function runCli(tool: string, help: string, main: (args: string[]) => Promise<void>, args = process.argv.slice(2)): Promise<void> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(help.trim() + "\n");
    return;
  }
  try {
    await main(args);
  } catch (error) {
    if (process.env.DEEPFILL_DEBUG_STACK === "1") console.error(error);
    // A WebGPU error keeps its lines (src/tensor/gpu-error.ts, matched by name since this helper
    // imports nothing of the project): the first report in full is what says what went wrong.
    const keepsLines = error instanceof Error && error.name === "WebGpuError";
    const message = keepsLines ? error.message : String((error as Error)?.message ?? error).split("\n")[0];
    process.stderr.write(`${tool}: ${message}${error instanceof UsageError ? ` (see ${tool} --help)` : ""}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  }
}
