// What a finished (or stopped) sweep leaves in its folder beside queue.json:
// the table as CSV, the figure as SVG and the whole sweep as one HTML report.
import * as path from 'node:path';
import { writeFileAtomic } from '../runs/runFolder';
import { resultsSvg } from './chart';
import type { Queue } from './queue';
import { sweepReportHtml } from './report';
import { aggregate, queueRunResults, resultsCsv, SweepResults } from './results';

export const RESULT_FILES = { csv: 'results.csv', svg: 'results.svg', html: 'report.html' } as const;

export function sweepResults(queue: Queue): SweepResults {
  return aggregate(queue.axes, queueRunResults(queue));
}

export function writeSweepOutputs(dir: string, queue: Queue): SweepResults {
  const results = sweepResults(queue);
  writeFileAtomic(path.join(dir, RESULT_FILES.csv), resultsCsv(results));
  writeFileAtomic(path.join(dir, RESULT_FILES.svg), resultsSvg(results, `Sweep ${queue.sweep}`, true) + '\n');
  writeFileAtomic(path.join(dir, RESULT_FILES.html), sweepReportHtml(queue, results));
  return results;
}
