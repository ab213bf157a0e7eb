// What the training panel shows of each run, kept on the host: the curves at
// full resolution (CurveData), the gradient norms as one matrix, the latest
// records for the counters. A run folder is read once per showing; a live
// run's records are added as they arrive. The webview gets views of this at
// its chart's width (curves/request), never every record.
import type { LiveRun } from './runManager';
import { CurveData } from '../core/report/curveView';
import { appendRecords, GradientMatrix, toGradientMatrix } from '../core/report/gradientMatrix';
import type {
  DiagramData,
  GradientRecordView,
  MetricRecordView,
  RunAnalyses,
  RunLatest,
  RunView,
} from '../protocol/webview';
import { runViewFromInfo } from './runViews';
import { readAnalyses } from '../core/runs/analyses';
import { MetricRecord, metricViews, readGradients, readMetrics } from '../core/runs/metricRecords';
import { readRunInfo } from '../core/runs/runFolder';

export interface PanelRun {
  view: RunView;
  curves: CurveData;
  /** Undefined until read: a folder's gradients are read after its curves went out. */
  gradients?: GradientMatrix;
  dir?: string;
  latest: RunLatest;
  analyses: RunAnalyses;
  diagram?: DiagramData;
}

function latestOf(records: readonly MetricRecordView[], into: RunLatest = {}): RunLatest {
  for (const r of records) {
    if (r.type === 'iteration') {
      if (!into.last || r.iteration >= into.last.iteration) into.last = r;
    } else if (r.testError !== undefined && (!into.lastEpoch || r.iteration >= into.lastEpoch.iteration))
      into.lastEpoch = r;
  }
  return into;
}

export function fromLive(live: LiveRun): PanelRun {
  return {
    view: live.view,
    curves: new CurveData(live.metrics),
    gradients: toGradientMatrix(live.gradients),
    latest: latestOf(live.metrics),
    analyses: live.view.runDir ? readAnalyses(live.view.runDir) : {},
    diagram: live.diagram,
  };
}

/** Reads a run folder's run.json, metrics and analyses, once; undefined when it is not a run folder. */
export function fromFolder(dir: string): PanelRun | undefined {
  try {
    const info = readRunInfo(dir);
    const records = readMetrics(dir);
    // Only the two latest records become views (for the counters): 100,000 copies would cost more than the curves.
    const findLast = (ok: (r: MetricRecord) => boolean) => {
      for (let i = records.length - 1; i >= 0; i--) if (ok(records[i])) return records[i];
      return undefined;
    };
    const lastIt = findLast((r) => r.type === 'iteration'),
      lastEp = findLast((r) => r.type === 'epoch' && r.testError !== undefined);
    return {
      view: runViewFromInfo(dir, info),
      curves: new CurveData(records),
      latest: latestOf(metricViews([lastIt, lastEp].filter((r): r is MetricRecord => r !== undefined))),
      analyses: readAnalyses(dir),
      diagram: { graph: info.graph, summary: info.summary },
      dir,
    };
  } catch {
    return undefined;
  }
}

/** The gradient norms of a run read from its folder (gradients.jsonl), once. */
export function gradientsOf(run: PanelRun): GradientMatrix {
  run.gradients ??= toGradientMatrix(run.dir ? readGradients(run.dir) : []);
  return run.gradients;
}

/**
 * New live records: the trainer's records can reach the panel twice (in the
 * run's list when the panel was filled, and again in the next batched update),
 * so anything at or before what is already there is skipped.
 */
export function addLive(
  run: PanelRun,
  view: RunView,
  records: MetricRecordView[],
  gradients: GradientRecordView[],
): { records: MetricRecordView[]; gradients: GradientRecordView[] } {
  run.view = view;
  const lastIt = run.curves.lastIteration;
  const lastTest = run.curves.test.at(-1)?.[0] ?? -1;
  const fresh = records.filter((r) => (r.type === 'iteration' ? r.iteration > lastIt : r.iteration > lastTest));
  run.curves.add(fresh);
  latestOf(fresh, run.latest);
  const matrix = gradientsOf(run);
  const lastGrad = matrix.iterations.at(-1) ?? -1;
  const freshGrads = gradients.filter((g) => g.iteration > lastGrad);
  appendRecords(matrix, freshGrads);
  return { records: fresh, gradients: freshGrads };
}
