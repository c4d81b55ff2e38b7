/**
 * The live loss chart of the Train tab: one small line chart per loss (their scales differ
 * by orders of magnitude, and the critics' losses go negative), each titled with its latest
 * value, so the numbers are readable as text too.
 */
const WIDTH = 220;
const HEIGHT = 90;
const MAX_POINTS = 2000;

export class LossChart {
  private readonly series = new Map<string, { steps: number[]; values: number[]; canvas: HTMLCanvasElement; title: HTMLElement }>();

  constructor(private readonly container: HTMLElement) {}

  /** Adds one logged step's losses and redraws the charts of the losses it has. */
  add(step: number, losses: Readonly<Record<string, number>>): void {
    for (const [name, value] of Object.entries(losses)) {
      const line = this.series.get(name) ?? this.create(name);
      line.steps.push(step);
      line.values.push(value);
      if (line.steps.length > MAX_POINTS) {
        // Every other point goes: the chart keeps the whole run at half the resolution.
        line.steps = line.steps.filter((_, i) => i % 2 === 0);
        line.values = line.values.filter((_, i) => i % 2 === 0);
      }
      line.title.textContent = `${name}: ${value.toPrecision(4)} (step ${step})`;
      draw(line.canvas, line.values);
    }
  }

  clear(): void {
    this.series.clear();
    this.container.replaceChildren();
  }

  private create(name: string) {
    const figure = document.createElement("figure");
    const title = document.createElement("figcaption");
    const canvas = document.createElement("canvas");
    [canvas.width, canvas.height] = [WIDTH, HEIGHT];
    canvas.setAttribute("aria-hidden", "true");
    figure.append(title, canvas);
    this.container.append(figure);
    const line = { steps: [] as number[], values: [] as number[], canvas, title };
    this.series.set(name, line);
    return line;
  }
}

function draw(canvas: HTMLCanvasElement, values: readonly number[]): void {
  const context = canvas.getContext("2d")!;
  context.clearRect(0, 0, WIDTH, HEIGHT);
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return;
  let [low, high] = [Math.min(...finite), Math.max(...finite)];
  if (high === low) [low, high] = [low - 1, high + 1];
  const y = (v: number) => HEIGHT - 4 - ((v - low) / (high - low)) * (HEIGHT - 8);
  const x = (i: number) => (values.length === 1 ? WIDTH / 2 : 2 + (i / (values.length - 1)) * (WIDTH - 4));
  context.strokeStyle = "#1f5fbf";
  context.lineWidth = 1.5;
  context.beginPath();
  values.forEach((v, i) => (i === 0 ? context.moveTo(x(i), y(v)) : context.lineTo(x(i), y(v))));
  context.stroke();
}
