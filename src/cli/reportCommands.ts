// CLI commands that export a run without VS Code: an HTML report, SVG charts
// and CSV files, all written by the tool itself from the run folder.
//   resnet-lab report <run-dir> [--out FILE] [--dark]
//   resnet-lab plot <kind> <run-dir...> [--out FILE.svg] [--dark] ...
//   resnet-lab export-csv <run-dir> [--out DIR]
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gradientsCsv, lesionCsv, metricsCsv, responsesCsv } from '../core/report/csv';
import { diagramSvg } from '../core/report/diagramSvg';
import { htmlReportOf, LESION_JSON, loadRun, ReportError, RESPONSES_JSON, RunData, runLabels } from '../core/report/htmlReport';
import { errorCurvesSvg, gradientHeatmapSvg, lesionBarsSvg, lossCurvesSvg, lrSvg, responsesSvg } from '../core/report/svgCharts';
import { GRADIENTS, METRICS } from '../core/runs/runFolder';

export const PLOT_KINDS = ['curves', 'compare', 'loss', 'lr', 'gradients', 'lesion', 'responses', 'diagram'] as const;
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

const positive = (v: string) => {
  const n = Number(v);
  if (!(n > 0)) throw new InvalidArgumentError('expected a positive number');
  return n;
};

function need(run: RunData, file: string, present: boolean, hint: string): void {
  if (!present) throw new ReportError(`${path.join(run.dir, file)} not found: ${hint}`);
}

const needMetrics = (run: RunData) =>
  need(run, METRICS, fs.existsSync(path.join(run.dir, METRICS)), 'the run has not recorded any metrics yet');

/** One chart of one or more run folders, as an SVG string. */
export function plotSvg(kind: PlotKind, runDirs: string[], o: PlotOptions = {}): string {
  if (runDirs.length === 0) throw new ReportError('no run folder given');
  const runs = runDirs.map(loadRun);
  const single = () => {
    if (runs.length > 1) throw new ReportError(`plot ${kind} takes one run folder (got ${runs.length}); curves, compare, loss, lr and responses take several`);
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
      return kind === 'loss' ? lossCurvesSvg(curves, opts) : kind === 'lr' ? lrSvg(curves, opts) : errorCurvesSvg(curves, opts);
    }
    case 'gradients': {
      const run = single();
      need(run, GRADIENTS, !!run.gradients, 'gradient norms are recorded while training (every N iterations: `resnet-lab train ... --grad-every N`)');
      return gradientHeatmapSvg(run.gradients!, `Gradient norm per layer: ${labels[0]}`, { ...base, maxCells: o.maxCells });
    }
    case 'lesion': {
      const run = single();
      need(run, LESION_JSON, !!run.lesion, `run \`resnet-lab lesion ${run.dir}\` first`);
      return lesionBarsSvg(run.lesion!, base);
    }
    case 'responses': {
      for (const r of runs) need(r, RESPONSES_JSON, !!r.responses, `run \`resnet-lab responses ${r.dir}\` first`);
      return responsesSvg(runs.map((r, i) => ({ label: labels[i], result: r.responses! })), { ...base, sorted: o.sorted });
    }
    case 'diagram': {
      const run = single();
      if (!run.info.graph) throw new ReportError(`${path.join(run.dir, 'run.json')} has no model graph`);
      return diagramSvg(run.info.graph, { dark: o.dark, summary: run.info.summary, collapse: o.collapse ?? 'auto' });
    }
  }
}

/** The CSV files of a run folder, written to `outDir`; returns their paths. */
export function exportCsv(runDir: string, outDir = runDir): string[] {
  const run = loadRun(runDir);
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  const write = (name: string, body: string) => {
    const file = path.join(outDir, name);
    fs.writeFileSync(file, body);
    written.push(file);
  };
  write('metrics.csv', metricsCsv(run.metrics));
  if (run.gradients) write('gradients.csv', gradientsCsv(run.gradients));
  if (run.lesion) write('lesion.csv', lesionCsv(run.lesion));
  if (run.responses) write('responses.csv', responsesCsv(run.responses));
  return written;
}

/** Runs a command body; a problem is one line on stderr and exit code 1, not a stack trace. */
function act<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      fn(...args);
    } catch (e) {
      console.error(`error: ${(e as Error).message}`);
      process.exitCode = 1;
    }
  };
}

function writeOut(file: string, body: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, body);
  console.log(path.resolve(file));
}

export function registerReportCommands(program: Command): void {
  program.command('report')
    .argument('<run-dir>', 'a run folder, e.g. .resnet-lab/runs/20261129-120000-resnet20')
    .option('--out <file>', 'where to write the page (default: <run-dir>/report.html)')
    .option('--dark', 'dark colours')
    .description('write a self-contained HTML report of a run (curves, diagram, gradients, lesion study, per-epoch table) that opens in any browser')
    .action(act((runDir: string, o: { out?: string; dark?: boolean }) => {
      const html = htmlReportOf(loadRun(runDir), { dark: o.dark });
      writeOut(o.out ?? path.join(runDir, 'report.html'), html);
    }));

  program.command('plot')
    .addArgument(new Argument('<kind>', 'what to draw').choices(PLOT_KINDS))
    .argument('<run-dir...>', 'one run folder, or several for curves, compare, loss, lr and responses')
    .option('--out <file>', 'the SVG file to write (default: <first run-dir>/<kind>.svg)')
    .option('--dark', 'dark colours')
    .option('--sorted', 'responses: sorted by magnitude instead of in layer order')
    .option('--y-max <value>', 'curves, compare, loss: top of the y axis (error in %)', positive)
    .option('--title <text>', 'replace the chart title (\'\' for none)')
    .option('--width <px>', 'width of the chart', positive)
    .option('--height <px>', 'height of the chart', positive)
    .option('--max-cells <n>', 'gradients: cells at most (layers × columns; default 12000); longer runs average neighbouring records', positive)
    .addOption(new Option('--collapse <which>', 'diagram: collapse blocks').choices(['auto', 'all', 'none']).default('auto'))
    .description('draw one chart of a run as a standalone SVG: curves (error), compare (several runs, the paper\'s Fig. 6 style), loss, lr, gradients (heatmap), lesion, responses, diagram')
    .action(act((kind: PlotKind, runDirs: string[], o: PlotOptions & { out?: string }) => {
      const svg = plotSvg(kind, runDirs, o);
      writeOut(o.out ?? path.join(runDirs[0], `${kind}${kind === 'responses' && o.sorted ? '-sorted' : ''}.svg`), svg);
    }));

  program.command('export-csv')
    .argument('<run-dir>', 'a run folder')
    .option('--out <dir>', 'folder for the CSV files (default: the run folder)')
    .description('write metrics.csv, and gradients.csv, lesion.csv, responses.csv when the run has them')
    .action(act((runDir: string, o: { out?: string }) => {
      for (const file of exportCsv(runDir, o.out ?? runDir)) console.log(path.resolve(file));
    }));
}
