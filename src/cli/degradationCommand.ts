// `resnet-lab degradation`: plain and residual nets of two or more depths,
// trained one after another with one budget, data and seed; then the
// paper's comparison as a table and a verdict.
import { Command, Option } from 'commander';
import * as path from 'node:path';
import { BUDGETS, degradationRuns, finalTrainError, FinalErrors, verdict } from '../core/experiments/degradation';
import { readMetrics } from '../core/runs/metricRecords';
import { writeFileAtomic } from '../core/runs/runFolder';
import type { BackendChoice, DataName, Overrides } from '../protocol/trainer';
import { backendOption, dataOption, positiveInt, positiveNumber } from './options';
import { exitWithError } from './errors';
import { pct } from './format';
import { Progress } from './progress';
import { runTrainer } from './runTrainer';

export const degradationFile = () => path.join(__dirname, '..', 'media', 'experiments', 'degradation.ts');

interface Options {
  depths: string;
  budget: 'quick' | 'cifar10';
  iterations?: number;
  batchSize?: number;
  lr?: number;
  limitTrain?: number;
  limitTest?: number;
  data?: DataName;
  dataDir?: string;
  backend: BackendChoice;
  runsDir: string;
  json?: boolean;
}

export function registerDegradationCommand(program: Command): void {
  program
    .command('degradation')
    .option('--depths <list>', 'comma-separated depths (20, 32, 44, 56, 110)', '20,56')
    .addOption(
      new Option('--budget <name>', 'quick (synthetic) or cifar10').choices(['quick', 'cifar10']).default('quick'),
    )
    .option('--iterations <n>', 'iterations per net (overrides the budget)', positiveInt)
    .option('--batch-size <n>', 'batch size (overrides the budget)', positiveInt)
    .option('--lr <x>', 'initial learning rate (overrides the budget)', positiveNumber)
    .option('--limit-train <n>', 'use the first N training examples', positiveInt)
    .option('--limit-test <n>', 'use the first N test examples', positiveInt)
    .addOption(dataOption('data set (overrides the budget)'))
    .option('--data-dir <dir>', 'folder with the data set files')
    .addOption(backendOption())
    .option('--runs-dir <dir>', 'where run folders go', '.resnet-lab/runs')
    .option('--json', 'print a JSON summary as the last line')
    .description(
      'train plain and residual nets of several depths with one budget and compare their training error (He et al. Fig. 1)',
    )
    .action(async (o: Options) => {
      const depths = o.depths.split(',').map((d) => Number(d.trim()));
      const budget = BUDGETS[o.budget];
      if (!budget) throw new Error(`unknown budget "${o.budget}": quick or cifar10`);
      const overrides: Overrides = {
        ...budget.overrides,
        ...(o.iterations ? { iterations: o.iterations } : {}),
        ...(o.batchSize ? { batchSize: o.batchSize } : {}),
        ...(o.lr ? { lr: o.lr } : {}),
        ...(o.limitTrain ? { limitTrain: o.limitTrain } : {}),
        ...(o.limitTest ? { limitTest: o.limitTest } : {}),
        ...(o.data ? { data: o.data } : {}),
        ...(o.dataDir ? { dataDir: path.resolve(o.dataDir) } : {}),
      };
      const results: (FinalErrors & { runDir: string })[] = [];
      for (const experiment of degradationRuns(depths)) {
        process.stderr.write(`\n== ${experiment} (${budget.name} budget) ==\n`);
        const progress = new Progress(!!o.json);
        const job = {
          file: degradationFile(),
          experiment,
          runsDir: path.resolve(o.runsDir),
          backend: o.backend,
          overrides,
        };
        const r = await runTrainer({ type: 'train', job }, (e) => progress.onEvent(e));
        progress.done();
        if (r.last?.type !== 'finished') {
          const why = r.last?.type === 'failed' ? r.last.message : 'the trainer process ended unexpectedly';
          exitWithError(
            `${experiment} did not finish: ${why}`,
            `${experiment} did not finish: ${why}\n\ntrainer output:\n${r.stderr}`,
          );
        }
        results.push({
          experiment,
          runDir: r.last.runDir,
          trainError: finalTrainError(readMetrics(r.last.runDir)),
          testError: r.last.testError,
        });
      }
      const v = verdict(results, depths);
      console.log('\nnet          final train error   test error   run folder');
      for (const r of results)
        console.log(
          `${r.experiment.padEnd(12)} ${pct(r.trainError).padStart(17)} ${pct(r.testError).padStart(12)}   ${r.runDir}`,
        );
      console.log(`\n${v.text}`);
      const summary = { depths, budget: budget.name, overrides, runs: results, ...v };
      writeFileAtomic(
        path.join(path.resolve(o.runsDir), `degradation-${Date.now()}.json`),
        JSON.stringify(summary, null, 2),
      );
      if (o.json) console.log(JSON.stringify(summary));
    });
}
