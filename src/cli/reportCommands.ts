// CLI commands that export a run without VS Code: an HTML report, SVG charts
// and CSV files, all written by the tool itself from the run folder.
//   resnet-lab report <run-dir> [--out FILE] [--dark]
//   resnet-lab plot <kind> <run-dir...> [--out FILE.svg] [--dark] ...
//   resnet-lab export-csv <run-dir> [--out DIR]
import { Argument, Command, Option } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exportCsv, PLOT_KINDS, PlotKind, PlotOptions, plotSvg } from '../core/report/exports';
import { htmlReportOf, reportSummary } from '../core/report/htmlReport';
import { ReportError } from '../core/report/reportError';
import { loadRun, RunData, skippedNotes } from '../core/runs/runData';
import { fileErrorMessage } from '../core/runs/fileErrors';
import { RunFolderError } from '../core/runs/runErrors';
import { csvFile, REPORT_HTML } from '../core/runs/runFiles';
import { writeFileAtomic } from '../core/runs/runFolder';
import { reportError } from './errors';
import { positiveNumber as positive } from './options';

export { exportCsv, PLOT_KINDS, plotSvg };
export type { PlotKind, PlotOptions };

/** Runs a command body; a problem is one line on stderr and exit code 1, not a stack trace. */
function act<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      fn(...args);
    } catch (e) {
      // Errors meant for the user are the whole story; anything else keeps its stack in the log.
      const expected = e instanceof ReportError || e instanceof RunFolderError;
      const fileProblem = fileErrorMessage(e);
      if (fileProblem) reportError(fileProblem);
      else reportError((e as Error).message, expected ? undefined : (e as Error).stack);
    }
  };
}

/** Says on stderr what of a run's records could not be read and was left out. */
const sayWhatWasSkipped = (run: RunData): void => {
  for (const note of skippedNotes(run)) console.error(`note: ${note}`);
};

function writeOut(file: string, body: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  // Atomic: a full disk leaves no half-written (or 0-byte) report behind.
  writeFileAtomic(file, body);
  console.log(path.resolve(file));
}

export function registerReportCommands(program: Command): void {
  program
    .command('report')
    .argument('<run-dir>', 'a run folder, e.g. .resnet-lab/runs/20261129-120000-resnet20')
    .option('--out <file>', `where to write the page (default: <run-dir>/${REPORT_HTML})`)
    .option('--dark', 'dark colours')
    .description(
      'write a self-contained HTML report of a run (curves, diagram, gradients, lesion study, per-epoch table) that opens in any browser',
    )
    .action(
      act((runDir: string, o: { out?: string; dark?: boolean }) => {
        const run = loadRun(runDir);
        sayWhatWasSkipped(run);
        const html = htmlReportOf(run, { dark: o.dark });
        writeOut(o.out ?? path.join(runDir, REPORT_HTML), html);
        console.error(reportSummary(run)); // stdout stays the page's path, for scripts
      }),
    );

  program
    .command('plot')
    .addArgument(new Argument('<kind>', 'what to draw').choices(PLOT_KINDS))
    .argument('<run-dir...>', 'one run folder, or several for curves, compare, loss, lr and responses')
    .option('--out <file>', 'the SVG file to write (default: <first run-dir>/<kind>.svg)')
    .option('--dark', 'dark colours')
    .option('--title <text>', "replace the chart title ('' for none)")
    .option('--width <px>', 'width of the chart', positive)
    .option('--height <px>', 'height of the chart', positive)
    // What only some kinds of chart take:
    .option('--y-max <value>', 'curves, compare, loss: top of the y axis (error in %)', positive)
    .option('--sorted', 'responses: sorted by magnitude instead of in layer order')
    .addOption(
      new Option('--collapse <which>', 'diagram: collapse blocks').choices(['auto', 'all', 'none']).default('auto'),
    )
    .option(
      '--max-cells <n>',
      'gradients: cells at most (layers × columns; default 12000); longer runs average neighbouring records',
      positive,
    )
    .description(
      "draw one chart of a run as a standalone SVG: curves (error), compare (several runs, the paper's Fig. 6 style), loss, lr, gradients (heatmap), lesion, responses, paths (gradient by path length), diagram, confusion (the last epoch's confusion matrix)",
    )
    .action(
      act((kind: PlotKind, runDirs: string[], o: PlotOptions & { out?: string }) => {
        const svg = plotSvg(kind, runDirs, o, sayWhatWasSkipped);
        writeOut(
          o.out ?? path.join(runDirs[0], `${kind}${kind === 'responses' && o.sorted ? '-sorted' : ''}.svg`),
          svg,
        );
      }),
    );

  program
    .command('export-csv')
    .argument('<run-dir>', 'a run folder')
    .option('--out <dir>', 'folder for the CSV files (default: the run folder)')
    .description(
      `write ${csvFile('metrics')}, and ${csvFile('gradients')}, ${csvFile('distributions')}, ${csvFile('lesion')}, ${csvFile('responses')}, ${csvFile('confusion')}, ${csvFile('class-errors')} when the run has them`,
    )
    .action(
      act((runDir: string, o: { out?: string }) => {
        for (const file of exportCsv(runDir, o.out ?? runDir, sayWhatWasSkipped)) console.log(path.resolve(file));
      }),
    );
}
