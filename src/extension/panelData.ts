// What the training panel shows of each run, kept on the host while it shows
// it: the curves at full resolution (CurveData), the gradient norms as one
// matrix, the latest records for the counters. All of it is read from the run
// folder through the panel's own tail (src/core/runs/follow.ts): the whole
// folder when the run is shown, then what was appended each time RunFolders
// says it changed. One reader, each record read once: nothing to de-duplicate.
// The webview gets views of this at its chart's width (curves/request), never
// every record.
import { CurveData } from '../core/report/curveView';
import { appendRecords, GradientMatrix, toGradientMatrix } from '../core/report/gradientMatrix';
import { readAnalyses } from '../core/runs/analyses';
import { RunTail } from '../core/runs/follow';
import { MetricRecord, metricViews } from '../core/runs/metricRecords';
import type {
  DiagramData,
  GradientRecordView,
  MetricRecordView,
  RunAnalyses,
  RunLatest,
  RunView,
} from '../protocol/webview';

export interface PanelRun {
  view: RunView;
  /** Undefined while a run of this window is still building its model (no folder yet). */
  dir?: string;
  tail?: RunTail;
  curves: CurveData;
  /** Undefined until read: a folder's gradients are read after its curves went out. */
  gradients?: GradientMatrix;
  latest: RunLatest;
  analyses: RunAnalyses;
  diagram?: DiagramData;
}

/** What a read of the folder added, as the webview gets it; `reset`: the files were replaced (a resume) and the run was read again whole. */
export interface NewRecords {
  records: MetricRecordView[];
  gradients: GradientRecordView[];
  reset: boolean;
}

export function latestOf(records: readonly MetricRecordView[], into: RunLatest = {}): RunLatest {
  for (const r of records) {
    if (r.type === 'iteration') {
      if (!into.last || r.iteration >= into.last.iteration) into.last = r;
    } else if (r.testError !== undefined && (!into.lastEpoch || r.iteration >= into.lastEpoch.iteration))
      into.lastEpoch = r;
  }
  return into;
}

/** The counters of a whole folder: only the two latest records become views (100,000 copies would cost more than the curves). */
function latestOfStored(records: readonly MetricRecord[]): RunLatest {
  const findLast = (ok: (r: MetricRecord) => boolean) => {
    for (let i = records.length - 1; i >= 0; i--) if (ok(records[i])) return records[i];
    return undefined;
  };
  const lastIt = findLast((r) => r.type === 'iteration');
  const lastEp = findLast((r) => r.type === 'epoch' && r.testError !== undefined);
  return latestOf(metricViews([lastIt, lastEp].filter((r): r is MetricRecord => r !== undefined)));
}

/** A run as the panel shows it: everything its folder holds so far (nothing yet for a run without one). */
export function openRun(view: RunView, dir: string | undefined, diagram?: DiagramData): PanelRun {
  const run: PanelRun = { view, curves: new CurveData(), latest: {}, analyses: {}, diagram };
  if (dir) attachFolder(run, dir);
  return run;
}

/** A run of this window made its folder: read it from the start. */
export function attachFolder(run: PanelRun, dir: string): void {
  run.dir = dir;
  run.tail = new RunTail(dir);
  run.analyses = readAnalyses(dir);
  const { records } = run.tail.metrics.read();
  run.curves = new CurveData(records);
  run.latest = latestOfStored(records);
}

/** The gradient norms of a run (gradients.jsonl), read whole the first time they are asked for. */
export function gradientsOf(run: PanelRun): GradientMatrix {
  run.gradients ??= toGradientMatrix(run.tail?.gradients.read().records ?? []);
  return run.gradients;
}

/** Reads what the folder gained since the last read and adds it to curves, counters and gradients. */
export function readNew(run: PanelRun): NewRecords {
  if (!run.tail) return { records: [], gradients: [], reset: false };
  const m = run.tail.metrics.read();
  if (m.reset) return reread(run);
  const records = metricViews(m.records);
  run.curves.add(m.records);
  latestOf(records, run.latest);
  let gradients: GradientRecordView[] = [];
  if (run.gradients) {
    const g = run.tail.gradients.read();
    if (g.reset) return reread(run);
    gradients = g.records;
    appendRecords(run.gradients, gradients);
  }
  return { records, gradients, reset: false };
}

/** The folder's files were replaced or truncated (a resume rewrote them): everything is read again; the webview is sent all of it. */
function reread(run: PanelRun): NewRecords {
  attachFolder(run, run.dir!);
  run.gradients = undefined;
  return { records: [], gradients: [], reset: true };
}
