// The training RNG: matches a BigInt transcription of xoshiro128**, restores exactly from its
// JSON state, and its draws have the right ranges and moments.
import t from "tap";
import { Rng } from "../src/data/rng.js";

/** xoshiro128** written with BigInt and explicit masks, as slowly and plainly as possible. */
function referenceXoshiro(words: number[], count: number): number[] {
  const M = 0xffffffffn;
  const s = words.map(BigInt);
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(Number((rotl((s[1]! * 5n) & M, 7n) * 9n) & M));
    const t = (s[1]! << 9n) & M;
    s[2] = s[2]! ^ s[0]!;
    s[3] = s[3]! ^ s[1]!;
    s[1] = s[1]! ^ s[2]!;
    s[0] = s[0]! ^ s[3]!;
    s[2] = s[2]! ^ t;
    s[3] = rotl(s[3]!, 11n);
  }
  return out;
}

t.test("the generator is xoshiro128**", async (t) => {
  const rng = Rng.fromSeed(42);
  const expected = referenceXoshiro(rng.state().words, 1000);
  t.same(Array.from({ length: 1000 }, () => rng.nextU32()), expected);
});

t.test("same seed, same stream; different seeds or streams differ", async (t) => {
  const draw = (r: Rng) => Array.from({ length: 8 }, () => r.nextU32());
  t.same(draw(Rng.fromSeed(7)), draw(Rng.fromSeed(7)));
  t.notSame(draw(Rng.fromSeed(7)), draw(Rng.fromSeed(8)));
  t.notSame(draw(Rng.fromSeed(7)), draw(Rng.fromSeed(7, 1)));
  t.notSame(draw(Rng.fromSeed(2 ** 40)), draw(Rng.fromSeed(0)), "high bits of a large seed count");
});

t.test("state survives JSON and continues the exact sequence", async (t) => {
  const rng = Rng.fromSeed(3);
  for (let i = 0; i < 17; i++) rng.normal();
  const saved = JSON.parse(JSON.stringify(rng.state()));
  const restored = Rng.restore(saved);
  const mixed = (r: Rng) => [r.uniform(), r.int(0, 7), r.normal(), r.range(-2, 2), r.seed()];
  t.same(mixed(restored), mixed(rng));
  const clone = rng.clone();
  t.same(mixed(clone), mixed(rng), "clone continues the same sequence");
  for (const bad of [null, {}, { algorithm: "xoshiro128**", words: [0, 0, 0, 0] }, { algorithm: "mt", words: [1, 2, 3, 4] }, { algorithm: "xoshiro128**", words: [1, 2, 3, 2 ** 32] }]) {
    t.throws(() => Rng.restore(bad), /not a saved random state/, JSON.stringify(bad));
  }
});

t.test("int covers [low, high) evenly; uniform and normal have the right moments", async (t) => {
  const rng = Rng.fromSeed(11);
  const counts = new Array(17).fill(0);
  const n = 34000;
  for (let i = 0; i < n; i++) counts[rng.int(0, 17)]++;
  // each bin expects 2000 with std about 43; 5 std either side
  t.ok(counts.every((c) => Math.abs(c - 2000) < 220), `bins ${counts.join(",")}`);
  const ints = Array.from({ length: 1000 }, () => rng.int(-3, 4));
  t.equal(Math.min(...ints), -3);
  t.equal(Math.max(...ints), 3);
  t.throws(() => rng.int(5, 5), /low < high/);
  t.throws(() => rng.int(0.5, 3), /integers/);
  const u = Array.from({ length: 20000 }, () => rng.uniform());
  t.ok(u.every((v) => v >= 0 && v < 1), "uniform in [0, 1)");
  const z = Array.from({ length: 20000 }, () => rng.normal(2, 3));
  const mean = z.reduce((a, b) => a + b, 0) / z.length;
  const std = Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length);
  t.ok(Math.abs(mean - 2) < 0.1, `normal mean ${mean}`);
  t.ok(Math.abs(std - 3) < 0.1, `normal std ${std}`);
});
