// A whole run folder read at once, for whatever shows all of it: the HTML
// report, the SVG charts and the CSV export. Every file is read and validated
// by its owner in this folder; a folder that is not a run is a RunFolderError.
import * as fs from 'node:fs';
import type { LesionResult, ResponsesResult } from '../../protocol/trainer';
import { readLesion, readResponses } from './analyses';
import { GradientRecord, hasGradients, MetricRecord, readGradients, readMetrics } from './metricRecords';
import { RunFolderError } from './runErrors';
import { readRunInfo, RunInfo } from './runFolder';

export interface RunData {
  dir: string;
  info: RunInfo;
  metrics: MetricRecord[];
  /** Undefined when the run recorded no gradient norms (gradients.jsonl absent). */
  gradients?: GradientRecord[];
  lesion?: LesionResult;
  responses?: ResponsesResult;
}

/** Everything a report shows, read from a run folder. */
export function loadRun(runDir: string): RunData {
  if (!fs.existsSync(runDir)) throw new RunFolderError(`${runDir}: no such folder`);
  return {
    dir: runDir,
    info: readRunInfo(runDir),
    metrics: readMetrics(runDir),
    gradients: hasGradients(runDir) ? readGradients(runDir) : undefined,
    lesion: readLesion(runDir),
    responses: readResponses(runDir),
  };
}
