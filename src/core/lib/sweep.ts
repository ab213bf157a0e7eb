// `sweep(axes, build)` is a grid of experiments written in the model file:
//
//   export const depths = sweep({ depth: [20, 32, 44, 56], shortcut: ['A', 'B'], seed: [1, 2] }, (p) =>
//     experiment({ model: resnetCifar({ depth: p.depth, shortcut: p.shortcut }), seed: p.seed }));
//
// The axes are a const type parameter, so `p` is typed by the values written
// (p.depth: 20 | 32 | 44 | 56) and IntelliSense lists the axes. A run of the
// grid is named `<sweep>#<point>` (point = index in `sweepPoints` order), which
// the trainer resolves like any experiment name.
import { Experiment, isExperiment } from './experiment';

export type AxisValue = string | number | boolean;
export type SweepAxes = Readonly<Record<string, readonly AxisValue[]>>;
/** One point of the grid: a value of each axis. */
export type SweepPoint<A extends SweepAxes = SweepAxes> = { readonly [K in keyof A]: A[K][number] };

export interface Sweep<A extends SweepAxes = SweepAxes> {
  readonly kind: 'resnet-lab/sweep';
  readonly axes: A;
  readonly build: (point: SweepPoint<A>) => Experiment;
}

/** A grid bigger than this is almost surely a typo (an axis of 1,000 seeds); training it would take weeks. */
export const MAX_SWEEP_RUNS = 10_000;

/** Why `axes` cannot be a sweep's axes, or undefined when it can. */
export function axesProblem(axes: unknown): string | undefined {
  if (typeof axes !== 'object' || axes === null || Array.isArray(axes))
    return 'sweep(axes, build) needs its axes as an object of arrays, e.g. { depth: [20, 56], seed: [1, 2] }';
  const entries = Object.entries(axes as Record<string, unknown>);
  if (entries.length === 0) return 'sweep(axes, build) needs at least one axis, e.g. { depth: [20, 56] }';
  let runs = 1;
  for (const [name, values] of entries) {
    if (!Array.isArray(values) || values.length === 0)
      return `sweep axis "${name}" must be a non-empty array of values, e.g. ${name}: [1, 2]`;
    const bad: unknown = (values as unknown[]).find((v) => !['string', 'number', 'boolean'].includes(typeof v));
    if (bad !== undefined || values.some((v) => v === undefined))
      return `sweep axis "${name}" holds ${JSON.stringify(bad) ?? 'undefined'}: axis values are strings, numbers or booleans`;
    if (new Set(values).size !== values.length) return `sweep axis "${name}" lists a value twice`;
    runs *= values.length;
  }
  if (runs > MAX_SWEEP_RUNS) return `the sweep has ${runs} runs; at most ${MAX_SWEEP_RUNS} are allowed`;
  return undefined;
}

export function sweep<const A extends SweepAxes>(axes: A, build: (point: SweepPoint<A>) => Experiment): Sweep<A> {
  const problem = axesProblem(axes);
  if (problem) throw new Error(problem);
  if (typeof build !== 'function')
    throw new Error(
      'sweep(axes, build) needs build as a function from a point to an experiment: (p) => experiment({...})',
    );
  return { kind: 'resnet-lab/sweep', axes, build };
}

export function isSweep(value: unknown): value is Sweep {
  return typeof value === 'object' && value !== null && (value as Sweep).kind === 'resnet-lab/sweep';
}

/** Every point of the grid, the last axis varying fastest (as nested loops in the order written). */
export function sweepPoints<A extends SweepAxes>(axes: A): SweepPoint<A>[] {
  let points: Record<string, AxisValue>[] = [{}];
  for (const [name, values] of Object.entries(axes))
    points = points.flatMap((p) => values.map((v) => ({ ...p, [name]: v })));
  return points as SweepPoint<A>[];
}

/** The experiment of one point, checked: a build that returns something else is the user's error, said plainly. */
export function pointExperiment(s: Sweep, index: number): { experiment: Experiment; point: SweepPoint } {
  const points = sweepPoints(s.axes);
  const point = points[index];
  if (!point) throw new Error(`the sweep has ${points.length} runs; there is no run #${index}`);
  const experiment = s.build(point);
  if (!isExperiment(experiment))
    throw new Error(`the sweep's build function must return experiment({...}) for ${pointLabel(point)}`);
  return { experiment, point };
}

/** `depth=20 shortcut=A seed=1`: how a point is shown in the queue, logs and errors. */
export function pointLabel(point: Readonly<Record<string, AxisValue>>): string {
  return Object.entries(point)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

/**
 * The axes cut down to the values `only` lists (`--only depth=20,56`): a
 * subset of the grid, its points keeping their indices in the whole grid.
 * Values are matched as written (`20`, `A`, `true`).
 */
export function narrowAxes<A extends SweepAxes>(axes: A, only: Record<string, readonly string[]>): SweepAxes {
  const out: Record<string, AxisValue[]> = Object.fromEntries(Object.entries(axes).map(([k, v]) => [k, [...v]]));
  for (const [axis, wanted] of Object.entries(only)) {
    const values = out[axis];
    if (!values) throw new Error(`the sweep has no axis "${axis}" (its axes: ${Object.keys(axes).join(', ')})`);
    const unknown = wanted.filter((w) => !values.some((v) => String(v) === w));
    if (unknown.length)
      throw new Error(`axis "${axis}" has no value ${unknown.join(', ')} (its values: ${values.join(', ')})`);
    out[axis] = values.filter((v) => wanted.includes(String(v)));
  }
  return out;
}

/** `depth=20,56` → { depth: ['20', '56'] }: the CLI's --only. */
export function parseOnly(specs: readonly string[]): Record<string, string[]> {
  const only: Record<string, string[]> = {};
  for (const spec of specs) {
    const m = /^([^=]+)=(.+)$/.exec(spec);
    if (!m) throw new Error(`--only ${spec}: write it as axis=value,value (e.g. depth=20,56)`);
    only[m[1].trim()] = m[2].split(',').map((v) => v.trim());
  }
  return only;
}

/** `depths#3` → { sweep: 'depths', point: 3 }; a plain experiment name → undefined. */
export function parsePointRef(name: string): { sweep: string; point: number } | undefined {
  const m = /^(.+)#(\d+)$/.exec(name);
  return m ? { sweep: m[1], point: Number(m[2]) } : undefined;
}

export const pointRef = (sweepName: string, point: number) => `${sweepName}#${point}`;
