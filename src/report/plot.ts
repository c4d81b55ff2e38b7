/**
 * Line charts drawn by hand into an 8-bit RGB buffer, so training curves become PNGs without a
 * browser or a plotting library: a canvas with pixels, lines, rectangles and bitmap text, and a
 * chart with axes, grid lines at "nice" tick values (1, 2 or 5 times a power of ten), tick
 * labels, a title, and one or more series.
 */
import type { RgbImage } from "../io/rgb-image.js";
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyphRows, textWidth } from "./font.js";

export type Colour = readonly [number, number, number];

export class Canvas {
  readonly data: Uint8Array;

  constructor(readonly width: number, readonly height: number, background: Colour = [255, 255, 255]) {
    this.data = new Uint8Array(width * height * 3);
    for (let p = 0; p < width * height; p++) this.data.set(background, 3 * p);
  }

  pixel(x: number, y: number, colour: Colour): void {
    const [px, py] = [Math.round(x), Math.round(y)];
    if (px >= 0 && py >= 0 && px < this.width && py < this.height) this.data.set(colour, 3 * (py * this.width + px));
  }

  rect(x: number, y: number, w: number, h: number, colour: Colour): void {
    for (let yy = y; yy < y + h; yy++) for (let xx = x; xx < x + w; xx++) this.pixel(xx, yy, colour);
  }

  /** A one-pixel line from (x0, y0) to (x1, y1), stepping along the longer axis. */
  line(x0: number, y0: number, x1: number, y1: number, colour: Colour): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    for (let i = 0; i <= steps; i++) this.pixel(x0 + ((x1 - x0) * i) / steps, y0 + ((y1 - y0) * i) / steps, colour);
  }

  /** `text` with its top-left corner at (x, y), each font pixel drawn as scale x scale. */
  text(x: number, y: number, text: string, colour: Colour, scale = 1): void {
    [...text].forEach((char, i) => {
      glyphRows(char).forEach((bits, row) => {
        for (let col = 0; col < GLYPH_WIDTH; col++) {
          if (bits & (1 << (GLYPH_WIDTH - 1 - col))) this.rect(x + (i * (GLYPH_WIDTH + 1) + col) * scale, y + row * scale, scale, scale, colour);
        }
      });
    });
  }

  image(): RgbImage {
    return { width: this.width, height: this.height, data: this.data };
  }
}

/** Tick values covering [lo, hi], as close to `target` of them as a step of 1, 2 or 5 times a power of ten allows. */
export function niceTicks(lo: number, hi: number, target = 5): { ticks: number[]; step: number } {
  const exponent = Math.floor(Math.log10((hi - lo) / Math.max(1, target)));
  // n x 10^exponent, dividing for negative exponents: 10 ** -4 is not the double nearest 1e-4, 1 / 10 ** 4 is.
  const times = (n: number) => (exponent >= 0 ? n * 10 ** exponent : n / 10 ** -exponent);
  const multiple = [1, 2, 5, 10].reduce((best, m) => (Math.abs((hi - lo) / times(m) - target) < Math.abs((hi - lo) / times(best) - target) ? m : best));
  const step = times(multiple);
  const ticks: number[] = [];
  // Each tick computed from its integer multiple, not accumulated, so labels carry no drift.
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) ticks.push(times(k * multiple) + 0);
  return { ticks, step };
}

/** A tick label with as many decimals as the step needs; exponent form for very large or small values. */
export function formatTick(value: number, step: number): string {
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  // Three mantissa digits, trailing zeros dropped: 8e-4, 2.5e-4 (the step is a 1, 2 or 5 multiple).
  if (magnitude >= 1e6 || magnitude < 1e-3) return value.toExponential(3).replace(/\.?0+e/, "e").replace("e+", "e");
  return value.toFixed(Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
}

export interface Series {
  x: readonly number[];
  y: readonly number[];
  colour: Colour;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  series: readonly Series[];
  width?: number;
  height?: number;
}

const AXIS: Colour = [0, 0, 0];
const GRID: Colour = [225, 225, 225];
const LABEL: Colour = [60, 60, 60];

/** A line chart of the finite points of each series; the axes span all of them. */
export function lineChart(options: ChartOptions): RgbImage {
  const { width = 640, height = 400 } = options;
  const canvas = new Canvas(width, height);
  const points = options.series.flatMap((s) => s.x.map((x, i) => [x, s.y[i]!] as const)).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  canvas.text(Math.round((width - textWidth(options.title, 2)) / 2), 6, options.title, AXIS, 2);
  if (points.length === 0) {
    canvas.text(20, height / 2, "no finite values", LABEL);
    return canvas.image();
  }
  const range = (values: number[]): [number, number] => {
    let [lo, hi] = [Math.min(...values), Math.max(...values)];
    if (lo === hi) [lo, hi] = [lo - (Math.abs(lo) || 1) * 0.1, hi + (Math.abs(hi) || 1) * 0.1];
    return [lo, hi];
  };
  const [xLo, xHi] = range(points.map((p) => p[0]));
  const [yLo, yHi] = range(points.map((p) => p[1]));
  const xTicks = niceTicks(xLo, xHi, 6);
  const yTicks = niceTicks(yLo, yHi, 5);
  const yLabels = yTicks.ticks.map((v) => formatTick(v, yTicks.step));
  const left = 12 + Math.max(...yLabels.map((l) => textWidth(l)));
  const [top, right, bottom] = [30, width - 16, height - 36];
  const px = (x: number) => left + ((x - xLo) / (xHi - xLo)) * (right - left);
  const py = (y: number) => bottom - ((y - yLo) / (yHi - yLo)) * (bottom - top);

  yTicks.ticks.forEach((v, i) => {
    const y = Math.round(py(v));
    canvas.line(left, y, right, y, GRID);
    canvas.line(left - 4, y, left, y, AXIS);
    canvas.text(left - 6 - textWidth(yLabels[i]!), y - 3, yLabels[i]!, LABEL);
  });
  for (const v of xTicks.ticks) {
    const x = Math.round(px(v));
    const label = formatTick(v, xTicks.step);
    canvas.line(x, top, x, bottom, GRID);
    canvas.line(x, bottom, x, bottom + 4, AXIS);
    canvas.text(x - Math.floor(textWidth(label) / 2), bottom + 8, label, LABEL);
  }
  canvas.line(left, top, left, bottom, AXIS);
  canvas.line(left, bottom, right, bottom, AXIS);
  canvas.text(Math.round((left + right - textWidth(options.xLabel)) / 2), height - 11, options.xLabel, LABEL);

  for (const s of options.series) {
    let previous: [number, number] | null = null;
    s.x.forEach((x, i) => {
      const y = s.y[i]!;
      if (!Number.isFinite(x) || !Number.isFinite(y)) return (previous = null);
      const here: [number, number] = [px(x), py(y)];
      if (previous) canvas.line(previous[0], previous[1], here[0], here[1], s.colour);
      else canvas.pixel(here[0], here[1], s.colour);
      previous = here;
    });
  }
  return canvas.image();
}
