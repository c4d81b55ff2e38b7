/**
 * What the command-line tools (inpaint.js, eval.js, report.js) share: option parsing with
 * one-line errors, --help, and a top level that turns any failure into one line on stderr
 * and a non-zero exit, never a stack trace (set DEEPFILL_DEBUG_STACK=1 to see it anyway).
 */
import { parseArgs } from "node:util";

export type OptionSpec = Record<string, { type: "string" | "boolean"; short?: string }>;

/** Thrown for a wrong command line: the message is printed with a pointer to --help. */
export class UsageError extends Error {}

/** Parsed options (strings and booleans by name); unknown options and stray arguments are usage errors. */
export function parseOptions(args: readonly string[], spec: OptionSpec): Record<string, string | boolean | undefined> {
  try {
    const { values } = parseArgs({ args: [...args], options: { ...spec, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals: false });
    return values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0]!);
  }
}

/** A required string option, or a usage error naming it. */
export function required(values: Record<string, string | boolean | undefined>, name: string): string {
  const v = values[name];
  if (typeof v !== "string" || v === "") throw new UsageError(`--${name} is required`);
  return v;
}

/** An optional integer option within [min, max], or `fallback` when absent. */
export function integerOption(values: Record<string, string | boolean | undefined>, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== "string" || !/^-?\d+$/.test(v) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return n;
}

/** --chunk-size: "auto" or a positive integer (foreground positions per attention chunk). */
export function chunkSizeOption(values: Record<string, string | boolean | undefined>): number | "auto" {
  return values["chunk-size"] === undefined || values["chunk-size"] === "auto" ? "auto" : integerOption(values, "chunk-size", 0, 1);
}

/** --adapter: a part of an adapter's name, or undefined when absent (openDevice then reads DEEPFILL_ADAPTER). */
export function adapterOption(values: Record<string, string | boolean | undefined>): string | undefined {
  const v = values.adapter;
  if (v === "") throw new UsageError("--adapter takes a part of an adapter's name, got an empty one");
  return v as string | undefined;
}

/**
 * Runs a tool's main function with its arguments: prints `usage` for --help, and any error as
 * "<tool>: <message>" on one line with exit status 1 (2 for a wrong command line).
 */
export async function runCli(tool: string, usage: string, main: (args: string[]) => Promise<void>, args = process.argv.slice(2)): Promise<void> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(usage.trim() + "\n");
    return;
  }
  try {
    await main(args);
  } catch (error) {
    if (process.env.DEEPFILL_DEBUG_STACK === "1") console.error(error);
    const message = String((error as Error)?.message ?? error).split("\n")[0];
    process.stderr.write(`${tool}: ${message}${error instanceof UsageError ? ` (see ${tool} --help)` : ""}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  }
}
