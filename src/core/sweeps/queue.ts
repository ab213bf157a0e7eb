// A sweep's queue on disk: `.resnet-lab/sweeps/<name>-<stamp>/queue.json`
// beside the runs. It is the sweep's only state: every change is written
// whole and atomically (write, then rename), so a crash or a window reload
// mid-write leaves the previous version, and whoever opens it next picks up
// where it stopped. A run that was `running` when its runner died is queued
// again (its half-written run folder is kept and listed in `abandoned`).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { AxisValue, pointLabel, sweepPoints } from '../lib/sweep';
import { writeFileAtomic } from '../runs/runFolder';
import { firstIssue } from '../runs/runInfoSchema';

export const QUEUE_FILE = 'queue.json';

const ValueSchema = z.union([z.string(), z.number(), z.boolean()]);

export const QueueRunSchema = z.object({
  point: z.number().int().nonnegative(),
  params: z.record(ValueSchema),
  status: z.enum(['pending', 'running', 'finished', 'failed', 'cancelled']),
  runDir: z.string().optional(),
  trainError: z.number().nullable().optional(),
  testError: z.number().nullable().optional(),
  message: z.string().optional(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  /** Run folders of attempts cut short by a crash or a reload. */
  abandoned: z.array(z.string()).default([]),
});
export type QueueRun = z.infer<typeof QueueRunSchema>;
export type QueueRunStatus = QueueRun['status'];

export const QueueSchema = z.object({
  version: z.literal(1),
  id: z.string(),
  /** The model file (absolute) and the sweep's export name. */
  file: z.string(),
  sweep: z.string(),
  axes: z.record(z.array(ValueSchema)),
  createdAt: z.string(),
  /** Who runs it: the extension resumes its own queues after a reload, the CLI its own on the next `sweep`. */
  owner: z.enum(['extension', 'cli']),
  engine: z.enum(['tfjs', 'keras']).default('tfjs'),
  parallel: z.number().int().positive().default(1),
  /** What each run is started with (backend, overrides): the same for all of them. */
  settings: z.record(z.unknown()).default({}),
  runs: z.array(QueueRunSchema),
});
export type Queue = z.infer<typeof QueueSchema>;

export interface NewQueue {
  file: string;
  sweep: string;
  axes: Readonly<Record<string, readonly AxisValue[]>>;
  /** A subset of the grid (narrowAxes): the runs whose values it keeps, numbered as in the whole grid. */
  only?: Readonly<Record<string, readonly AxisValue[]>>;
  owner: Queue['owner'];
  engine?: Queue['engine'];
  parallel?: number;
  settings?: Record<string, unknown>;
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** Makes the sweep's folder under `sweepsDir` and writes its queue: every point pending. Returns the folder. */
export function createQueue(sweepsDir: string, q: NewQueue, now = new Date()): string {
  fs.mkdirSync(sweepsDir, { recursive: true });
  const base = `${q.sweep.replace(/[^\w.-]+/g, '_')}-${stamp(now)}`;
  for (let i = 0; ; i++) {
    const dir = path.join(sweepsDir, i === 0 ? base : `${base}-${i}`);
    try {
      fs.mkdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw e;
    }
    const queue: Queue = {
      version: 1,
      id: path.basename(dir),
      file: path.resolve(q.file),
      sweep: q.sweep,
      axes: Object.fromEntries(Object.entries(q.only ?? q.axes).map(([k, v]) => [k, [...v]])),
      createdAt: now.toISOString(),
      owner: q.owner,
      engine: q.engine ?? 'tfjs',
      parallel: q.parallel ?? 1,
      settings: q.settings ?? {},
      runs: sweepPoints(q.axes)
        .map((params, point): QueueRun => ({ point, params, status: 'pending', abandoned: [] }))
        .filter((r) => !q.only || Object.entries(r.params).every(([k, v]) => q.only![k]?.includes(v) ?? true)),
    };
    writeQueue(dir, queue);
    return dir;
  }
}

export function writeQueue(dir: string, queue: Queue): void {
  writeFileAtomic(path.join(dir, QUEUE_FILE), JSON.stringify(queue, null, 2) + '\n');
}

export function readQueue(dir: string): Queue {
  const file = path.join(dir, QUEUE_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read the sweep queue ${file}: ${(e as Error).message}`);
  }
  const parsed = QueueSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`the sweep queue ${file} is damaged: ${firstIssue(parsed.error)}`);
  return parsed.data;
}

/** Runs that were `running` when their runner died go back to `pending`; their folders are listed as abandoned. */
export function requeueInterrupted(queue: Queue): number {
  let n = 0;
  for (const r of queue.runs) {
    if (r.status !== 'running') continue;
    if (r.runDir) r.abandoned.push(r.runDir);
    Object.assign(r, { status: 'pending', runDir: undefined, startedAt: undefined });
    n++;
  }
  return n;
}

export const isDone = (queue: Queue) => queue.runs.every((r) => r.status !== 'pending' && r.status !== 'running');

export function counts(queue: Queue): Record<QueueRunStatus, number> & { total: number; done: number } {
  const c = { pending: 0, running: 0, finished: 0, failed: 0, cancelled: 0 };
  for (const r of queue.runs) c[r.status]++;
  return { ...c, total: queue.runs.length, done: c.finished + c.failed + c.cancelled };
}

/**
 * Seconds left, from the mean time of the runs finished so far (or, before any
 * has, from how far the running ones are: `runningFraction` in 0..1), divided
 * among `parallel` runners. Undefined while nothing says how long a run takes.
 */
export function etaSeconds(queue: Queue, now: Date, runningFraction?: number): number | undefined {
  const times = queue.runs
    .filter((r) => r.status === 'finished' && r.startedAt && r.endedAt)
    .map((r) => (Date.parse(r.endedAt!) - Date.parse(r.startedAt!)) / 1000);
  const running = queue.runs.filter((r) => r.status === 'running' && r.startedAt);
  let perRun: number | undefined;
  if (times.length) perRun = times.reduce((a, b) => a + b, 0) / times.length;
  else if (running.length && runningFraction && runningFraction > 0.02)
    perRun = (now.getTime() - Date.parse(running[0].startedAt!)) / 1000 / runningFraction;
  if (perRun === undefined) return undefined;
  const pending = queue.runs.filter((r) => r.status === 'pending').length;
  const runningLeft = running.reduce(
    (s, r) => s + Math.max(0, perRun - (now.getTime() - Date.parse(r.startedAt!)) / 1000),
    0,
  );
  return (pending * perRun + runningLeft) / Math.max(1, queue.parallel);
}

/** `3 of 8 · ETA 4 min · 1 failed`: a sweep's progress in one line. */
export function progressLine(queue: Queue, now: Date, runningFraction?: number): string {
  const c = counts(queue);
  const parts = [`${c.done} of ${c.total}`];
  const eta = isDone(queue) ? undefined : etaSeconds(queue, now, runningFraction);
  if (eta !== undefined) parts.push(`ETA ${formatDuration(eta)}`);
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.cancelled) parts.push(`${c.cancelled} cancelled`);
  return parts.join(' · ');
}

export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export const runLabel = (r: QueueRun) => `#${r.point} ${pointLabel(r.params)}`;

/** The sweeps under `sweepsDir`, newest first; a folder whose queue cannot be read is skipped. */
export function listQueues(sweepsDir: string): { dir: string; queue: Queue }[] {
  let names: string[];
  try {
    names = fs.readdirSync(sweepsDir);
  } catch {
    return [];
  }
  const out: { dir: string; queue: Queue }[] = [];
  for (const name of names) {
    const dir = path.join(sweepsDir, name);
    try {
      out.push({ dir, queue: readQueue(dir) });
    } catch {
      // Not a sweep folder, or one being created: not listed.
    }
  }
  return out.sort((a, b) => b.queue.createdAt.localeCompare(a.queue.createdAt) || b.dir.localeCompare(a.dir));
}

/** `.resnet-lab/runs` → `.resnet-lab/sweeps`: sweeps live beside the runs. */
export const sweepsDirFor = (runsDir: string) => path.join(path.dirname(path.resolve(runsDir)), 'sweeps');
