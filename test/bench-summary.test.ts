// The bench's one-line summary of a list case (npm run bench prints one per list after the table).
import t from "tap";
import { listSummary, type BenchResult } from "../bench/harness.js";

t.test("a list's summary gives the spread of its fractions, the rows at 40% or more and the lowest", async (t) => {
  const row = (suffix: string, fraction: number): BenchResult => ({ name: `conv layers tiny ${suffix}`, ms: 1, gflops: 1, ceiling_fraction: fraction, adapter: "test" });
  const rows = [row("a", 0.5), row("b", 0.1), row("c", 0.45), row("d", 0.3), row("e", 0.9)];
  t.equal(listSummary("conv layers tiny", rows),
    "conv layers tiny: 5 rows, median 45% of the FMA ceiling (quartiles 30% and 50%), 3 at 40% or more; lowest b at 10%");
});
