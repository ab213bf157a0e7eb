// resnet-lab confusion <run-dir> [--epoch N] [--csv]: the test set's confusion
// matrix of one epoch (the last by default), read from the run folder.
import { Command } from 'commander';
import * as path from 'node:path';
import { confusionMatrixCsv, confusionText, pickEpoch } from '../core/confusion/tables';
import { ReportError } from '../core/report/reportError';
import { readConfusionLines } from '../core/runs/confusionRecords';
import { fileErrorMessage } from '../core/runs/fileErrors';
import { CONFUSION } from '../core/runs/runFiles';
import { RunFolderError } from '../core/runs/runErrors';
import { readRunInfo } from '../core/runs/runFolder';
import { reportError } from './errors';
import { positiveInt } from './options';

export function confusionOutput(runDir: string, o: { epoch?: number; csv?: boolean }): string {
  const info = readRunInfo(runDir);
  const read = readConfusionLines(runDir);
  if (read.skipped)
    console.error(`note: ${path.join(runDir, CONFUSION)}: ${read.skipped} line(s) could not be read and were skipped`);
  const record = pickEpoch(read.records, o.epoch);
  const names = info.dataset?.classNames;
  return o.csv ? confusionMatrixCsv(record, names) : confusionText(record, names) + '\n';
}

export function registerConfusionCommand(program: Command): void {
  program
    .command('confusion')
    .argument('<run-dir>', 'a run folder')
    .option('--epoch <n>', 'the epoch (default: the last one recorded)', positiveInt)
    .option('--csv', 'print CSV: a row per true class, a column per predicted class, then examples and error')
    .description(
      "print a run's confusion matrix on the test set (rows: true class, columns: predicted) with each class's test error",
    )
    .action((runDir: string, o: { epoch?: number; csv?: boolean }) => {
      try {
        process.stdout.write(confusionOutput(runDir, o));
      } catch (e) {
        const expected = e instanceof ReportError || e instanceof RunFolderError;
        reportError(fileErrorMessage(e) ?? (e as Error).message, expected ? undefined : (e as Error).stack);
      }
    });
}
