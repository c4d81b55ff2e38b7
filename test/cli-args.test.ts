// The command-line helper every program uses (src/cli/args.ts): one flag table parses and
// documents, a wrong command line is a UsageError (exit 2, with a pointer to --help), any other
// failure exit 1, both as one line on stderr.
import t from "tap";
import { autoOrInteger, integer, oneOf, parseFlags, required, runCli, usage, UsageError, type Flag } from "../src/cli/args.js";

interface Options {
  size?: number;
  name?: string;
  quiet?: boolean;
  kind?: "a" | "b";
}

const FLAGS: Flag<Options>[] = [
  { name: "--size", value: "N", help: "a size", parse: (v, f, o) => void (o.size = integer(1, 9)(v, f)) },
  { name: "--name", value: "TEXT", help: "a name", parse: (v, _, o) => void (o.name = v) },
  { name: "--quiet", help: "a switch", parse: (_, __, o) => void (o.quiet = true) },
  { name: "--kind", value: "K", help: "a choice", parse: (v, f, o) => void (o.kind = oneOf(["a", "b"] as const)(v, f)) },
];

t.test("parseFlags: values after the flag or after =, switches, the last value wins", async (t) => {
  t.same(parseFlags(["--size", "3", "--name=x=y", "--quiet", "--kind", "b", "--size=4"], FLAGS, {}), { size: 4, name: "x=y", quiet: true, kind: "b" });
  t.same(parseFlags([], FLAGS, { name: "default" }), { name: "default" }, "defaults stay when a flag is absent");
});

t.test("parseFlags: every wrong command line is a UsageError naming the flag", async (t) => {
  const fails = (argv: string[], pattern: RegExp) => {
    const error = (() => {
      try {
        parseFlags(argv, FLAGS, {});
      } catch (e) {
        return e;
      }
    })();
    t.ok(error instanceof UsageError, `${argv.join(" ")}: a UsageError`);
    t.match(String((error as Error | undefined)?.message), pattern, `${argv.join(" ")}: names the problem`);
  };
  fails(["--bogus"], /^unknown argument "--bogus"$/);
  fails(["stray"], /^unknown argument "stray" \(flags start with --; values follow their flag\)$/);
  fails(["--size"], /^--size needs a value \(N\)$/);
  fails(["--name", "--quiet"], /^--name needs a value \(TEXT\)$/);
  fails(["--quiet=yes"], /^--quiet is a switch and takes no value/);
  fails(["--size", "10"], /^--size takes an integer from 1 to 9, got "10"$/);
  fails(["--size", "-1"], /^--size takes an integer from 1 to 9, got "-1"$/);
  fails(["--size", "2.5"], /takes an integer/);
  fails(["--kind", "c"], /^--kind takes one of a, b, got "c"$/);
});

t.test("value parsers and required", async (t) => {
  t.equal(integer(0)("0", "--n"), 0);
  t.throws(() => integer(2)("1", "--n"), /^--n takes an integer of at least 2, got "1"$/);
  t.equal(autoOrInteger(1)("auto", "--c"), "auto");
  t.equal(autoOrInteger(1)("7", "--c"), 7);
  t.throws(() => autoOrInteger(1)("0", "--c"), /--c takes an integer of at least 1/);
  t.equal(required("x", "--x"), "x");
  t.throws(() => required(undefined, "--x"), /^--x is required$/);
  t.throws(() => required("", "--x"), /^--x is required$/);
});

t.test("usage: the intro, the flags aligned with --help last, the outro", async (t) => {
  const text = usage("Intro line.\n", FLAGS, "\nOutro line.");
  t.equal(text, [
    "Intro line.",
    "",
    "Flags (also --flag=value):",
    "  --size N     a size",
    "  --name TEXT  a name",
    "  --quiet      a switch",
    "  --kind K     a choice",
    "  --help       print this help and exit (also -h)",
    "",
    "Outro line.",
  ].join("\n"));
});

t.test("runCli: --help prints the help; errors are one line with exit status 2 for usage, 1 otherwise", async (t) => {
  const run = async (args: string[], main: (args: string[]) => Promise<void>) => {
    const out: string[] = [];
    const err: string[] = [];
    const writes = [process.stdout.write, process.stderr.write];
    process.stdout.write = ((s: string) => (out.push(s), true)) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => (err.push(s), true)) as typeof process.stderr.write;
    const before = process.exitCode;
    try {
      await runCli("tool", "the help\n", main, args);
      return { out: out.join(""), err: err.join(""), code: process.exitCode };
    } finally {
      [process.stdout.write, process.stderr.write] = writes as [typeof process.stdout.write, typeof process.stderr.write];
      process.exitCode = before;
    }
  };
  let ran = false;
  t.same(await run(["--x", "-h"], async () => void (ran = true)), { out: "the help\n", err: "", code: undefined });
  t.notOk(ran, "--help does not run the program");
  t.same(await run([], async (args) => void parseFlags(args, FLAGS, {})), { out: "", err: "", code: undefined }, "success leaves the exit status alone");
  t.same(await run(["--size", "0"], async (args) => void parseFlags(args, FLAGS, {})),
    { out: "", err: "tool: --size takes an integer from 1 to 9, got \"0\" (see tool --help)\n", code: 2 });
  t.same(await run([], async () => { throw new Error("disk full\n    at somewhere"); }), { out: "", err: "tool: disk full\n", code: 1 }, "first line only, no stack");
});
