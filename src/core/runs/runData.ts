// A whole run folder read at once, for whatever shows all of it: the HTML
// report, the SVG charts and the CSV export. Every file is read and validated
// by its owner in this folder; a folder that is not a run is a RunFolderError.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LesionResult, PathsResult, ResponsesResult } from '../../protocol/trainer';
import { readLesion, readPaths, readResponses } from './analyses';
import { ConfusionRecord, readConfusionLines } from './confusionRecords';
import { GradientRecord, hasGradients, MetricRecord, readGradientLines, readMetricLines } from './metricRecords';
import { CONFUSION, DISTRIBUTIONS, GRADIENTS, METRICS } from './runFiles';
import { DistributionRecord, readDistributionLines } from '../distributions/records';
import { RunFolderError } from './runErrors';
import { readRunInfo, RunInfo } from './runFolder';

export interface RunData {
  dir: string;
  info: RunInfo;
  metrics: MetricRecord[];
  /** Undefined when the run recorded no gradient norms (gradients.jsonl absent). */
  gradients?: GradientRecord[];
  /** The test set's confusion matrix per epoch; empty when the run recorded none. */
  confusion: ConfusionRecord[];
  lesion?: LesionResult;
  responses?: ResponsesResult;
  paths?: PathsResult;
  /** Undefined when the run recorded no distributions (distributions.jsonl absent). */
  distributions?: DistributionRecord[];
  /** Lines of metrics.jsonl / gradients.jsonl that could not be read and were left out, per file. */
  skipped: { file: string; lines: number }[];
}

/** What was left out of a run's records, as lines to say ("metrics.jsonl of X: 2 lines could not be read and were skipped"). */
export function skippedNotes(run: RunData): string[] {
  return (run.skipped ?? []).map(
    (s) =>
      `${s.file} of ${run.dir}: ${s.lines} line${s.lines === 1 ? '' : 's'} could not be read (torn or not a record) and ${s.lines === 1 ? 'was' : 'were'} skipped`,
  );
}

/** Everything a report shows, read from a run folder. */
export function loadRun(runDir: string): RunData {
  if (!fs.existsSync(runDir)) throw new RunFolderError(`${runDir}: no such folder`);
  const info = readRunInfo(runDir);
  const metrics = readMetricLines(runDir);
  const gradients = hasGradients(runDir) ? readGradientLines(runDir) : undefined;
  const distributions = fs.existsSync(path.join(runDir, DISTRIBUTIONS)) ? readDistributionLines(runDir) : undefined;
  const confusion = readConfusionLines(runDir);
  const skipped = [
    { file: METRICS, lines: metrics.skipped },
    { file: GRADIENTS, lines: gradients?.skipped ?? 0 },
    { file: DISTRIBUTIONS, lines: distributions?.skipped ?? 0 },
    { file: CONFUSION, lines: confusion.skipped },
  ].filter((s) => s.lines > 0);
  return {
    dir: runDir,
    info,
    metrics: metrics.records,
    gradients: gradients?.records,
    confusion: confusion.records,
    lesion: readLesion(runDir),
    responses: readResponses(runDir),
    paths: readPaths(runDir),
    distributions: distributions?.records,
    skipped,
  };
}
