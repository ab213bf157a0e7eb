// What differs between two runs, model structure first: "depth 20 → 56,
// shortcut A → B, lr 0.1 → 0.05". A run's configuration is flattened into
// labelled settings (the model's facts from its graph, then the recipe,
// data, overrides and engine); fields this version does not name are kept
// under their path, so nothing a newer run.json records is silently equal.
import * as path from 'node:path';
import type { ConfigChange } from '../../protocol/runsTable';
import { modelTraits } from '../graph/modelTraits';
import { RunInfo, runBackendLabel } from '../runs/runFolder';

/** Recipe paths under the names people use for them; the order is the diff's order. */
const RECIPE_LABELS: Record<string, string> = {
  epochs: 'epochs',
  iterations: 'iterations',
  batchSize: 'batch',
  'optimizer.type': 'optimizer',
  'optimizer.lr': 'lr',
  'optimizer.momentum': 'momentum',
  'optimizer.weightDecay': 'weight decay',
  'schedule.milestones': 'lr milestones',
  'schedule.gamma': 'lr gamma',
  seed: 'seed',
};

/** Leaves of a plain object as dotted paths; arrays are one value ("32000, 48000"). */
function flatten(value: unknown, prefix: string, out: Map<string, string>): void {
  if (value === undefined) return;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  out.set(prefix, Array.isArray(value) ? value.map(text).join(', ') : text(value));
}

/** A run's settings as label → value, in the order a diff lists them. */
export function runConfig(info: RunInfo): Map<string, string> {
  const traits = modelTraits(info.graph);
  const config = new Map<string, string>([
    ['model', info.summary.name],
    ['depth', String(info.summary.depth)],
    ['shortcut', traits.shortcut],
    ['block', traits.blockKind],
    ['params', info.summary.totalParams.toLocaleString('en-US')],
    ['layers', String(info.summary.layers.length)],
    ['experiment', info.experiment],
    ['file', path.basename(info.file)],
  ]);
  const recipe = new Map<string, string>();
  flatten(info.recipe, '', recipe);
  for (const [key, label] of Object.entries(RECIPE_LABELS)) {
    const v = recipe.get(key);
    if (v !== undefined) config.set(label, v);
    recipe.delete(key);
  }
  // The data set by name (its source is a path, and its size follows from the name).
  config.set('data', info.dataset.name);
  for (const key of [...recipe.keys()].filter((k) => k.startsWith('data.'))) recipe.delete(key);
  for (const [key, v] of recipe) config.set(key, v);
  const overrides = new Map<string, string>();
  flatten(info.overrides, '', overrides);
  for (const [key, v] of overrides) config.set(`override ${key}`, v);
  config.set('engine', runBackendLabel(info));
  return config;
}

/** The settings that differ, in `a`'s order then those only `b` has; "—" where a run has none. */
export function configDiff(a: Map<string, string>, b: Map<string, string>): ConfigChange[] {
  const keys = [...a.keys(), ...[...b.keys()].filter((k) => !a.has(k))];
  return keys
    .filter((k) => a.get(k) !== b.get(k))
    .map((k) => ({ key: k, label: k, from: a.get(k) ?? '—', to: b.get(k) ?? '—' }));
}

/** "depth 20 → 56, shortcut A → B"; "same configuration" when nothing differs. */
export function diffText(changes: ConfigChange[]): string {
  return changes.length ? changes.map((c) => `${c.label} ${c.from} → ${c.to}`).join(', ') : 'same configuration';
}
