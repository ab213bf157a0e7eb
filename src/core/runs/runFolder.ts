// A run on disk: run.json (what ran, on what, how it ended), metrics.jsonl and
// gradients.jsonl (append-only, one JSON object a line; metricRecords.ts), and
// checkpoints in the tfjs layers format (checkpoint.ts); runFiles.ts names
// them all. Everything is written so that a trainer killed at any moment
// leaves a folder that reads back and resumes.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { z } from 'zod';
import type { ModelGraph, ModelSummary } from '../../protocol/graph';
import type { Overrides, StepMode } from '../../protocol/trainer';
import type { ResolvedRecipe } from '../lib/experiment';
import { RunFolderError } from './runErrors';
import { firstIssue, RunInfoSchema, StoredRunStatusSchema } from './runInfoSchema';
import { readJsonLines } from './metricRecords';
import { CONFUSION, DISTRIBUTIONS, GRADIENTS, METRICS, RUN_JSON } from './runFiles';
import { isAlive } from './runLock';

/** What the panel and the CLI call a run's engine: "tensorflow · graph". */
export function backendLabel(backend: string, mode?: StepMode): string {
  return mode ? `${backend} · ${mode}` : backend;
}

/** A run's engine as the panel, the side view and the report name it: "tensorflow · graph", "keras · jax · 1× NVIDIA H200". */
export function runBackendLabel(
  info: Pick<RunInfo, 'backend' | 'mode' | 'kerasBackend' | 'devices' | 'precision'>,
): string {
  if (info.backend !== 'keras' || !info.kerasBackend) return backendLabel(info.backend, info.mode);
  const d = info.devices;
  const where = d ? `${d.count}× ${d.platform === 'cpu' ? 'CPU' : d.name}` : undefined;
  const processes = d?.processes && d.processes > 1 ? `${d.processes} processes` : undefined;
  const precision = info.precision && info.precision !== 'fp32' ? info.precision : undefined;
  return ['keras', info.kerasBackend, where, processes, precision].filter(Boolean).join(' · ');
}

export type RunStatus = z.infer<typeof StoredRunStatusSchema>;

export interface RunInfo {
  id: string;
  experiment: string;
  file: string;
  createdAt: string;
  status: RunStatus;
  pid?: number;
  /** The machine `pid` belongs to; none: this one (runs written before it was recorded). */
  host?: string;
  backend: string;
  /** How the steps ran (graph mode, eager, data-parallel); absent in runs from before it was recorded. */
  mode?: StepMode;
  recipe: ResolvedRecipe;
  overrides: Overrides;
  dataset: {
    name: string;
    source: string;
    train: number;
    test: number;
    validation?: number;
    inputShape: number[];
    classNames: string[];
  };
  summary: ModelSummary;
  graph: ModelGraph;
  iterationsPerEpoch: number;
  totalIterations: number;
  epochs: number;
  final?: { iteration: number; trainError: number | null; testError: number | null };
  error?: string;
  kerasBackend?: string;
  devices?: { count: number; platform: string; name: string; processes?: number };
  precision?: string;
  /** A sweep's run (`experiment` is then `<sweep>#<point>`): the sweep, the point, its axis values. */
  sweep?: { name: string; point: number; params: Record<string, string | number | boolean> };
}

// Older imports name the run's files and records through this module.
export { GRADIENTS, METRICS, RUN_JSON } from './runFiles';
export type { GradientRecord, MetricRecord } from './metricRecords';
export { appendJsonLine, readGradients, readJsonLines, readMetrics } from './metricRecords';

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

export function createRunFolder(runsDir: string, experiment: string, now = new Date()): string {
  fs.mkdirSync(runsDir, { recursive: true });
  const base = `${stamp(now)}-${experiment.replace(/[^\w.-]+/g, '_')}`;
  for (let i = 0; ; i++) {
    const dir = path.join(runsDir, i === 0 ? base : `${base}-${i}`);
    try {
      fs.mkdirSync(dir);
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/** Write-then-rename, so a reader never sees half a file; a failed write (a full disk) leaves no temporary behind. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    // A failed write(2) has no path: name the file it was for (not the temporary).
    const err = e as NodeJS.ErrnoException;
    if (err?.code && (!err.path || err.path === tmp)) err.path = file;
    throw e;
  }
}

export function writeRunInfo(dir: string, info: RunInfo): void {
  writeFileAtomic(path.join(dir, RUN_JSON), JSON.stringify(info, null, 2));
}

export function updateRunInfo(dir: string, patch: Partial<RunInfo>): RunInfo {
  const info = { ...readRunInfo(dir), ...patch };
  writeRunInfo(dir, info);
  return info;
}

/**
 * Reads and validates run.json; a missing, empty, torn or invalid one is a RunFolderError naming the file and what to do.
 * `schema`: a lighter check for readers that use only part of it (the runs table reads hundreds).
 */
export function readRunInfo(dir: string, schema: z.ZodTypeAny = RunInfoSchema): RunInfo {
  const file = path.join(dir, RUN_JSON);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new RunFolderError(`${dir} is not a run folder (no ${RUN_JSON})`);
    throw e;
  }
  const fix =
    'the run cannot be opened or resumed; train it again (its checkpoints/ are still loadable with tf.loadLayersModel)';
  if (!text.trim()) throw new RunFolderError(`${file} is empty: ${fix}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new RunFolderError(`${file} is damaged (${(e as Error).message}): ${fix}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new RunFolderError(`${file} is not a valid run record (${firstIssue(parsed.error)}): ${fix}`);
  const info = parsed.data as unknown as RunInfo;
  // A pid means something only on the machine that wrote it (run.json's host; none: this one).
  const local = info.host === undefined || info.host === os.hostname();
  if (info.status === 'running' && local && !(info.pid && isAlive(info.pid))) info.status = 'interrupted';
  return info;
}

/** On resume: drop the metrics, gradient and distribution records from after the checkpoint, so the curves continue without duplicates. */
export function truncateRecordsAfter(dir: string, iteration: number): void {
  for (const name of [METRICS, GRADIENTS, DISTRIBUTIONS, CONFUSION]) {
    const file = path.join(dir, name);
    const kept = readJsonLines<{ iteration: number }>(file).filter((r) => r.iteration <= iteration);
    writeFileAtomic(file, kept.map((r) => JSON.stringify(r) + '\n').join(''));
  }
}

export function listRuns(runsDir: string): { dir: string; info: RunInfo }[] {
  if (!fs.existsSync(runsDir)) return [];
  const runs: { dir: string; info: RunInfo }[] = [];
  for (const name of fs.readdirSync(runsDir)) {
    const dir = path.join(runsDir, name);
    try {
      runs.push({ dir, info: readRunInfo(dir) });
    } catch {
      // not a run folder, or one whose run.json was never written
    }
  }
  return runs.sort((a, b) => b.info.createdAt.localeCompare(a.info.createdAt));
}
