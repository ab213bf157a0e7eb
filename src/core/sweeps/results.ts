// A sweep's results in the paper's shape (He et al. Table 6, Fig. 6): final
// test error against depth, one series per variant (plain/residual, shortcut
// A/B, ...), the seeds of a point folded into mean ± std. Which axis is which
// is read from the names: `depth` (else the first numeric axis) is x, `seed`
// is folded, every other axis makes the variants.
import type { AxisValue } from '../lib/sweep';
import { readRunInfo } from '../runs/runFolder';
import type { Queue, QueueRunStatus } from './queue';

export interface SweepRunResult {
  params: Readonly<Record<string, AxisValue>>;
  status: QueueRunStatus;
  testError?: number | null;
  trainError?: number | null;
  /** Trainable parameters of the run's model, from its run.json. */
  trainableParams?: number;
}

export interface ResultCell {
  variant: string;
  x: AxisValue;
  /** Test errors (0..1) of the finished runs of this cell, one per seed. */
  errors: number[];
  mean: number;
  /** Sample standard deviation (n - 1); 0 for a single run. */
  std: number;
  best: number;
  trainableParams?: number;
}

export interface SweepResults {
  xAxis: string;
  seedAxis?: string;
  variantAxes: string[];
  variants: string[];
  xs: AxisValue[];
  cells: ResultCell[];
  /** Runs not counted: failed, cancelled, still to come, or finished with no test error. */
  missing: number;
}

export function chooseXAxis(axes: Readonly<Record<string, readonly AxisValue[]>>): string {
  const names = Object.keys(axes);
  return (
    names.find((n) => n === 'depth') ??
    names.find((n) => n !== 'seed' && axes[n].every((v) => typeof v === 'number')) ??
    names.find((n) => n !== 'seed') ??
    names[0]
  );
}

export function variantLabel(params: Readonly<Record<string, AxisValue>>, variantAxes: string[]): string {
  if (!variantAxes.length) return 'all runs';
  return variantAxes
    .map((a) => (variantAxes.length === 1 ? String(params[a]) : `${a} ${String(params[a])}`))
    .join(', ');
}

export function aggregate(
  axes: Readonly<Record<string, readonly AxisValue[]>>,
  runs: readonly SweepRunResult[],
): SweepResults {
  const xAxis = chooseXAxis(axes);
  const seedAxis = xAxis !== 'seed' && 'seed' in axes ? 'seed' : undefined;
  const variantAxes = Object.keys(axes).filter((a) => a !== xAxis && a !== seedAxis);
  const cells = new Map<string, ResultCell>();
  const variants: string[] = [];
  let missing = 0;
  for (const r of runs) {
    const variant = variantLabel(r.params, variantAxes);
    if (!variants.includes(variant)) variants.push(variant);
    if (r.status !== 'finished' || typeof r.testError !== 'number') {
      missing++;
      continue;
    }
    const key = JSON.stringify([variant, r.params[xAxis]]);
    const cell = cells.get(key) ?? { variant, x: r.params[xAxis], errors: [], mean: 0, std: 0, best: 0 };
    cell.errors.push(r.testError);
    cell.trainableParams ??= r.trainableParams;
    cells.set(key, cell);
  }
  for (const c of cells.values()) {
    const n = c.errors.length;
    c.mean = c.errors.reduce((a, b) => a + b, 0) / n;
    c.std = n > 1 ? Math.sqrt(c.errors.reduce((s, e) => s + (e - c.mean) ** 2, 0) / (n - 1)) : 0;
    c.best = Math.min(...c.errors);
  }
  const xs = [...axes[xAxis]];
  const order = (c: ResultCell) => variants.indexOf(c.variant) * xs.length + xs.indexOf(c.x);
  return {
    xAxis,
    seedAxis,
    variantAxes,
    variants,
    xs,
    cells: [...cells.values()].sort((a, b) => order(a) - order(b)),
    missing,
  };
}

/** The runs of a queue with what their run folders say (the model's size); a folder that is gone only loses that. */
export function queueRunResults(queue: Queue): SweepRunResult[] {
  return queue.runs.map((r) => {
    let trainableParams: number | undefined;
    if (r.runDir && r.status === 'finished') {
      try {
        trainableParams = readRunInfo(r.runDir).summary.trainableParams;
      } catch {
        // A deleted or damaged run folder: its errors are in the queue already.
      }
    }
    return { params: r.params, status: r.status, testError: r.testError, trainError: r.trainError, trainableParams };
  });
}

export const percent = (e: number) => (e * 100).toFixed(2);

/** The paper's cell: `7.51` for one run, `6.43 (6.61±0.16)` (best, then mean±std) for several seeds. */
export function errorCell(c: ResultCell): string {
  return c.errors.length > 1 ? `${percent(c.best)} (${percent(c.mean)}±${percent(c.std)})` : percent(c.mean);
}

export function paramsCell(n: number | undefined): string {
  if (n === undefined) return '';
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(n >= 1e5 ? 0 : 1)}K` : String(n);
}

/** Table 6's layout: method, # layers (the x axis), # params, error (%); one row per variant and x. */
export function resultsTable(r: SweepResults): { header: string[]; rows: string[][] } {
  const xHeader = r.xAxis === 'depth' ? '# layers' : r.xAxis;
  return {
    header: ['method', xHeader, '# params', 'error (%)', 'runs'],
    rows: r.cells.map((c) => [
      c.variant,
      String(c.x),
      paramsCell(c.trainableParams),
      errorCell(c),
      String(c.errors.length),
    ]),
  };
}

const csvField = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** One row per variant and x, numbers unformatted (errors as fractions) for a spreadsheet or pandas. */
export function resultsCsv(r: SweepResults): string {
  const header = [
    'variant',
    r.xAxis,
    'runs',
    'mean_test_error',
    'std_test_error',
    'best_test_error',
    'trainable_params',
  ];
  const rows = r.cells.map((c) => [
    c.variant,
    String(c.x),
    String(c.errors.length),
    String(c.mean),
    String(c.std),
    String(c.best),
    c.trainableParams === undefined ? '' : String(c.trainableParams),
  ]);
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}
