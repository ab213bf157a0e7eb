// Run folders on disk as webview data: lets the panel restore a run after a
// reload, open finished runs, and list recent runs in the side view.
import type { MetricRecord, RunInfo } from '../core/runs/runFolder';
import { backendLabel, listRuns, readGradients, readMetrics, readRunInfo } from '../core/runs/runFolder';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DiagramData, GradientRecordView, MetricRecordView, RunAnalyses, RunView } from '../protocol/webview';

export function runViewFromInfo(dir: string, info: RunInfo): RunView {
  return {
    id: dir,
    runDir: dir,
    experiment: info.experiment,
    modelName: info.summary?.name,
    depth: info.summary?.depth,
    dataName: info.dataset?.name,
    backend: backendLabel(info.backend, info.mode),
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

export function metricViews(records: MetricRecord[]): MetricRecordView[] {
  return records.map((r) => ({
    type: r.type, iteration: r.iteration, epoch: r.epoch,
    loss: r.type === 'epoch' ? r.trainLoss : r.loss, trainError: r.trainError, testError: r.testError, testLoss: r.testLoss,
    lr: r.lr, imagesPerSec: r.imagesPerSec,
  }));
}

export function loadRunFolder(dir: string): { run: RunView; metrics: MetricRecordView[]; gradients: GradientRecordView[]; diagram: DiagramData } {
  const info = readRunInfo(dir);
  return { run: runViewFromInfo(dir, info), metrics: metricViews(readMetrics(dir)), gradients: readGradients(dir), diagram: { graph: info.graph, summary: info.summary } };
}

/** Analyses saved in a run folder by earlier lesion / responses runs. */
export function readAnalyses(dir: string): RunAnalyses {
  const read = (name: string) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
    } catch {
      return undefined;
    }
  };
  return { lesion: read('lesion.json'), responses: read('responses.json') };
}

/** What a comparison should warn about: different data sets or lengths. */
export function comparisonFlags(runs: RunView[]): string[] {
  const flags: string[] = [];
  const data = new Set(runs.map((r) => r.dataName ?? '?'));
  if (data.size > 1) flags.push(`different data sets: ${[...data].join(', ')}`);
  const lengths = new Set(runs.map((r) => r.totalIterations ?? 0));
  if (lengths.size > 1) flags.push(`different lengths: ${[...lengths].join(', ')} iterations`);
  return flags;
}

export function recentRuns(runsDir: string, limit = 20): RunView[] {
  return listRuns(runsDir).slice(0, limit).map(({ dir, info }) => runViewFromInfo(dir, info));
}

/** Last test error per run, from metrics when run.json has no final figures yet. */
export function latestTestError(metrics: MetricRecordView[]): number | undefined {
  for (let i = metrics.length - 1; i >= 0; i--) if (metrics[i].testError !== undefined) return metrics[i].testError;
  return undefined;
}
