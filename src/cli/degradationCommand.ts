// `resnet-lab degradation`: the sweep shipped in media/experiments/degradation.ts
// (plain and residual nets of two or more depths, one budget, data and seed)
// run as any sweep is, through its queue; then the paper's comparison as a
// table and a verdict.
import { Command, Option } from 'commander';
import * as path from 'node:path';
import { BUDGETS, degradationRuns, finalTrainError, FinalErrors, verdict } from '../core/experiments/degradation';
import { readMetrics } from '../core/runs/metricRecords';
import { writeFileAtomic } from '../core/runs/runFolder';
import type { BackendChoice, DataName, Overrides } from '../protocol/trainer';
import { backendOption, dataOption, positiveInt, positiveNumber } from './options';
import { exitWithError } from './errors';
import { pct } from './format';
import { runSweep } from './sweepCommand';
import { writeSweepOutputs } from '../core/sweeps/outputs';

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
      degradationRuns(depths); // the paper's depths only, said in one line
      const { dir, queue } = await runSweep({
        file: degradationFile(),
        name: 'degradation',
        only: { depth: depths.map(String) },
        overrides,
        backend: o.backend,
        runsDir: path.resolve(o.runsDir),
        parallel: 1,
        engine: 'tfjs',
        json: o.json,
      });
      writeSweepOutputs(dir, queue);
      const results: (FinalErrors & { runDir: string })[] = [];
      for (const r of queue.runs) {
        const experiment = `${String(r.params.net)}${String(r.params.depth)}`;
        if (r.status !== 'finished' || !r.runDir)
          exitWithError(
            `${experiment} did not finish: ${r.message ?? r.status} (run the command again to resume the sweep ${path.basename(dir)})`,
          );
        results.push({
          experiment,
          runDir: r.runDir,
          trainError: finalTrainError(readMetrics(r.runDir)),
          testError: r.testError ?? null,
        });
      }
      const v = verdict(results, depths);
      console.log('\nnet          final train error   test error   run folder');
      for (const r of results)
        console.log(
          `${r.experiment.padEnd(12)} ${pct(r.trainError).padStart(17)} ${pct(r.testError).padStart(12)}   ${r.runDir}`,
        );
      console.log(`\n${v.text}`);
      const summary = { depths, budget: budget.name, overrides, sweepDir: dir, runs: results, ...v };
      writeFileAtomic(
        path.join(path.resolve(o.runsDir), `degradation-${Date.now()}.json`),
        JSON.stringify(summary, null, 2),
      );
      if (o.json) console.log(JSON.stringify(summary));
    });
}
