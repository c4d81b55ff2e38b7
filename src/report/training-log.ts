/**
 * Curves from a training log in JSON Lines (one JSON object per line, as train.js appends them).
 * The reader does not depend on the trainer's field names: every numeric field of a line
 * becomes a curve named by its key (nested objects give dotted keys, "losses.d"), except
 * `step`, which is the x axis when present (the line number otherwise), and `time`.
 * A last line that does not parse is skipped, since a running trainer may be writing it; a bad
 * line anywhere else is an error naming it.
 *
 * Non-finite values are kept as NaN or infinities, never dropped: the trainer writes them as
 * the strings "NaN", "Infinity" and "-Infinity", and older logs as null (JSON's stand-in for
 * them). A null counts only in a field that holds numbers elsewhere. `nonFinite` says which
 * curves have such values and from where, so a diverged run is reported, not hidden.
 */

export interface Curve {
  x: number[];
  y: number[];
}

export interface TrainingLog {
  /** "step", or "line" when no line has a numeric step. */
  xLabel: string;
  /** Curves by key, in the order the keys first appear. */
  curves: Map<string, Curve>;
  /** Lines read (not counting blank ones and a skipped unfinished last line). */
  lines: number;
  /** Curves with non-finite values: how many, and the x of the first. */
  nonFinite: Map<string, { count: number; from: number }>;
}

const NON_FINITE_TEXT: Record<string, number> = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };

const NOT_CURVES = new Set(["step", "time"]);

export function parseTrainingLog(text: string, source = "the log"): TrainingLog {
  const rows = text.split("\n").map((line, i) => ({ line: line.trim(), number: i + 1 })).filter((r) => r.line !== "");
  const records: { record: Record<string, unknown>; number: number }[] = [];
  rows.forEach(({ line, number }, i) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      if (i === rows.length - 1) return; // an unfinished line from a trainer still writing
      throw new Error(`${source} line ${number} is not JSON (${(error as Error).message}); the log must hold one JSON object per line`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`${source} line ${number} is not a JSON object; the log must hold one JSON object per line`);
    records.push({ record: value as Record<string, unknown>, number });
  });
  const useStep = records.some(({ record }) => typeof record.step === "number");
  const all = new Map<string, Curve & { numbers: boolean }>();
  for (const { record, number } of records) {
    const x = useStep ? (typeof record.step === "number" ? record.step : NaN) : number;
    for (const [key, y, isNull] of numericFields(record)) {
      if (NOT_CURVES.has(key)) continue;
      if (!all.has(key)) all.set(key, { x: [], y: [], numbers: false });
      const curve = all.get(key)!;
      curve.x.push(x);
      curve.y.push(y);
      curve.numbers ||= !isNull;
    }
  }
  const curves = new Map([...all].filter(([, c]) => c.numbers).map(([key, c]) => [key, { x: c.x, y: c.y }]));
  const nonFinite = new Map<string, { count: number; from: number }>();
  for (const [key, { x, y }] of curves) {
    const first = y.findIndex((v) => !Number.isFinite(v));
    if (first >= 0) nonFinite.set(key, { count: y.filter((v) => !Number.isFinite(v)).length, from: x[first]! });
  }
  if (curves.size === 0) throw new Error(`${source} has no numeric fields besides step and time (${records.length} lines read); pass the log.jsonl a training run wrote`);
  return { xLabel: useStep ? "step" : "line", curves, lines: records.length, nonFinite };
}

/** [dotted key, value, whether it was null] of every number in a JSON object (non-finite ones included), nested objects too. */
function numericFields(record: Record<string, unknown>, prefix = ""): [string, number, boolean][] {
  return Object.entries(record).flatMap(([key, value]): [string, number, boolean][] => {
    if (typeof value === "number") return [[prefix + key, value, false]];
    if (typeof value === "string" && value in NON_FINITE_TEXT) return [[prefix + key, NON_FINITE_TEXT[value]!, false]];
    if (value === null) return [[prefix + key, NaN, true]];
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return numericFields(value as Record<string, unknown>, `${prefix}${key}.`);
    return [];
  });
}

/** The centred moving mean over `window` points (shorter at the ends), for a readable trend over noisy losses. */
export function movingMean(values: readonly number[], window: number): number[] {
  const half = Math.floor(window / 2);
  return values.map((_, i) => {
    const part = values.slice(Math.max(0, i - half), i + half + 1).filter(Number.isFinite);
    return part.length === 0 ? NaN : part.reduce((a, v) => a + v, 0) / part.length;
  });
}
