/**
 * Curves from a training log in JSON Lines (one JSON object per line, as train.js appends them).
 * The reader does not depend on the trainer's field names: every numeric field of a line
 * becomes a curve named by its key (nested objects give dotted keys, "losses.d"), except
 * `step`, which is the x axis when present (the line number otherwise), and `time`.
 * A last line that does not parse is skipped, since a running trainer may be writing it; a bad
 * line anywhere else is an error naming it.
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
}

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
  const curves = new Map<string, Curve>();
  for (const { record, number } of records) {
    const x = useStep ? (typeof record.step === "number" ? record.step : NaN) : number;
    for (const [key, y] of numericFields(record)) {
      if (NOT_CURVES.has(key)) continue;
      if (!curves.has(key)) curves.set(key, { x: [], y: [] });
      curves.get(key)!.x.push(x);
      curves.get(key)!.y.push(y);
    }
  }
  if (curves.size === 0) throw new Error(`${source} has no numeric fields besides step and time (${records.length} lines read); pass the log.jsonl a training run wrote`);
  return { xLabel: useStep ? "step" : "line", curves, lines: records.length };
}

/** [dotted key, value] of every number in a JSON object, nested objects included. */
function numericFields(record: Record<string, unknown>, prefix = ""): [string, number][] {
  return Object.entries(record).flatMap(([key, value]): [string, number][] => {
    if (typeof value === "number") return [[prefix + key, value]];
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
