// Run folders on disk as webview data: lets the panel restore a run after a
// reload, open finished runs, and list recent runs in the side view.
import * as path from 'node:path';
import type { RunInfo } from '../core/runs/runFolder';
import { listRuns, readRunInfo, runBackendLabel } from '../core/runs/runFolder';
import type { DiagramData, RunView } from '../protocol/webview';
import { runIds } from './runIds';

/** A run as its folder says, under the window's id for that folder (a webview sees the folder's name, never its path). */
export function runViewFromInfo(dir: string, info: RunInfo): RunView {
  return {
    id: runIds.idOf(dir),
    folder: path.basename(dir),
    experiment: info.experiment,
    modelName: info.summary?.name,
    depth: info.summary?.depth,
    dataName: info.dataset?.name,
    backend: runBackendLabel(info),
    status: info.status,
    totalIterations: info.totalIterations,
    iterationsPerEpoch: info.iterationsPerEpoch,
    epochs: info.epochs,
    message: info.error,
    finalTrainError: info.final?.trainError ?? null,
    finalTestError: info.final?.testError ?? null,
    createdAt: info.createdAt,
  };
}

/** What opening a run shows before its records are read: its experiment and diagram; nothing for a damaged run.json (the records' read reports it). */
export function runHeading(dir: string): { experiment: string; diagram: DiagramData } | undefined {
  try {
    const info = readRunInfo(dir);
    return { experiment: info.experiment, diagram: { graph: info.graph, summary: info.summary } };
  } catch {
    return undefined;
  }
}

/** Which of `dirs` are run folders of the runs folder: what a restored panel may reopen (its saved state comes back from the webview). */
export function runsAmong(runsDir: string, dirs: unknown[]): string[] {
  const ours = new Set(listRuns(runsDir).map((r) => path.resolve(r.dir)));
  return dirs.filter((d): d is string => typeof d === 'string' && ours.has(path.resolve(d)));
}

/**
 * What a comparison should warn about: different data sets or lengths. A run
 * not known yet (a live run's view before its folder is read) is no evidence
 * of a difference.
 */
export function comparisonFlags(runs: RunView[]): string[] {
  const flags: string[] = [];
  const data = new Set(runs.flatMap((r) => (r.dataName ? [r.dataName] : [])));
  if (data.size > 1) flags.push(`different data sets: ${[...data].join(', ')}`);
  const lengths = new Set(runs.flatMap((r) => (r.totalIterations ? [r.totalIterations] : [])));
  if (lengths.size > 1) flags.push(`different lengths: ${[...lengths].join(', ')} iterations`);
  return flags;
}

/** A run folder and how a webview sees it. */
export interface ListedRun {
  dir: string;
  view: RunView;
}

export function recentRuns(runsDir: string, limit = 20): ListedRun[] {
  return listRuns(runsDir)
    .slice(0, limit)
    .map(({ dir, info }) => ({ dir, view: runViewFromInfo(dir, info) }));
}
