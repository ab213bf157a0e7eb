// Exports of run folders as files: one chart as SVG, the data as CSV. Used by
// the CLI (report, plot, export-csv) and the panel's Export buttons.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { classErrorsCsv, confusionCsv } from '../confusion/tables';
import { confusionHeatmapSvg } from './confusionSvg';
import { gradientsCsv, lesionCsv, metricsCsv, responsesCsv } from './csv';
import { distributionsCsv } from '../distributions/distributionsCsv';
import { diagramSvg } from './diagramSvg';
import { errorCurvesSvg, lossCurvesSvg, lrSvg } from './curvesSvg';
import { gradientHeatmapSvg } from './heatmapSvg';
import { lesionBarsSvg } from './lesionSvg';
import { pathsSvg } from './pathsSvg';
import { ReportError } from './reportError';
import { responsesSvg } from './responsesSvg';
import { runLabels } from './runLabels';
import { hasMetrics } from '../runs/metricRecords';
import { loadRun, RunData } from '../runs/runData';
import {
  CONFUSION,
  csvFile,
  GRADIENTS,
  LESION_JSON,
  METRICS,
  PATHS_JSON,
  RESPONSES_JSON,
  RUN_JSON,
} from '../runs/runFiles';
import { writeFileAtomic } from '../runs/runFolder';

export const PLOT_KINDS = [
  'curves',
  'compare',
  'loss',
  'lr',
  'gradients',
  'lesion',
  'responses',
  'paths',
  'diagram',
  'confusion',
] as const;
export type PlotKind = (typeof PLOT_KINDS)[number];

export interface PlotOptions {
  dark?: boolean;
  sorted?: boolean;
  yMax?: number;
  title?: string;
  collapse?: 'auto' | 'all' | 'none';
  width?: number;
  height?: number;
  maxCells?: number;
}

function need(run: RunData, file: string, present: boolean, hint: string): void {
  if (!present) throw new ReportError(`${path.join(run.dir, file)} not found: ${hint}`);
}

const needMetrics = (run: RunData) =>
  need(run, METRICS, hasMetrics(run.dir), 'the run has not recorded any metrics yet');

/** One chart of one or more run folders, as an SVG string. */
export function plotSvg(
  kind: PlotKind,
  runDirs: string[],
  o: PlotOptions = {},
  onLoaded: (run: RunData) => void = () => undefined,
): string {
  if (runDirs.length === 0) throw new ReportError('no run folder given');
  const runs = runDirs.map(loadRun);
  runs.forEach(onLoaded);
  const single = () => {
    if (runs.length > 1)
      throw new ReportError(
        `plot ${kind} takes one run folder (got ${runs.length}); curves, compare, loss, lr and responses take several`,
      );
    return runs[0];
  };
  const labels = runLabels(runs.map((r) => r.info));
  const base = { dark: o.dark, title: o.title, width: o.width, height: o.height };
  switch (kind) {
    case 'curves':
    case 'compare':
    case 'loss':
    case 'lr': {
      runs.forEach(needMetrics);
      const curves = runs.map((r, i) => ({ label: labels[i], metrics: r.metrics }));
      const opts = { ...base, yMax: o.yMax, compare: kind === 'compare' };
      return kind === 'loss'
        ? lossCurvesSvg(curves, opts)
        : kind === 'lr'
          ? lrSvg(curves, opts)
          : errorCurvesSvg(curves, opts);
    }
    case 'gradients': {
      const run = single();
      need(
        run,
        GRADIENTS,
        !!run.gradients,
        'gradient norms are recorded while training (every N iterations: `resnet-lab train ... --grad-every N`)',
      );
      return gradientHeatmapSvg(run.gradients!, `Gradient norm per layer: ${labels[0]}`, {
        ...base,
        maxCells: o.maxCells,
      });
    }
    case 'lesion': {
      const run = single();
      need(run, LESION_JSON, !!run.lesion, `run \`resnet-lab lesion ${run.dir}\` first`);
      return lesionBarsSvg(run.lesion!, base);
    }
    case 'paths': {
      const run = single();
      need(run, PATHS_JSON, !!run.paths, `run \`resnet-lab paths ${run.dir}\` first`);
      return pathsSvg(run.paths!, base);
    }
    case 'responses': {
      for (const r of runs) need(r, RESPONSES_JSON, !!r.responses, `run \`resnet-lab responses ${r.dir}\` first`);
      return responsesSvg(
        runs.map((r, i) => ({ label: labels[i], result: r.responses! })),
        { ...base, sorted: o.sorted },
      );
    }
    case 'confusion': {
      const run = single();
      const last = run.confusion[run.confusion.length - 1];
      need(run, CONFUSION, !!last, 'the run has no confusion records yet (the trainer writes them after each epoch)');
      return confusionHeatmapSvg(last, run.info.dataset?.classNames, base);
    }
    case 'diagram': {
      const run = single();
      if (!run.info.graph) throw new ReportError(`${path.join(run.dir, RUN_JSON)} has no model graph`);
      return diagramSvg(run.info.graph, { dark: o.dark, summary: run.info.summary, collapse: o.collapse ?? 'auto' });
    }
  }
}

/** The CSV files of a run folder, written to `outDir`; returns their paths. */
export function exportCsv(
  runDir: string,
  outDir = runDir,
  onLoaded: (run: RunData) => void = () => undefined,
): string[] {
  const run = loadRun(runDir);
  onLoaded(run);
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  const write = (name: string, body: string) => {
    const file = path.join(outDir, name);
    writeFileAtomic(file, body);
    written.push(file);
  };
  write(csvFile('metrics'), metricsCsv(run.metrics));
  if (run.gradients) write(csvFile('gradients'), gradientsCsv(run.gradients));
  if (run.distributions) write(csvFile('distributions'), distributionsCsv(run.distributions));
  if (run.lesion) write(csvFile('lesion'), lesionCsv(run.lesion));
  if (run.responses) write(csvFile('responses'), responsesCsv(run.responses));
  if (run.confusion.length) {
    write(csvFile('confusion'), confusionCsv(run.confusion, run.info.dataset?.classNames));
    write(csvFile('class-errors'), classErrorsCsv(run.confusion, run.info.dataset?.classNames));
  }
  return written;
}
