// `resnet-lab sweep FILE NAME [--parallel N]`: every run of a sweep written in
// the model file, through a queue on disk beside the runs
// (.resnet-lab/sweeps/<name>-<stamp>/queue.json). Started again after a crash
// or Ctrl-C, it picks up the sweep's unfinished queue where it stopped
// (`--new` starts over). At the end: the paper's table, results.csv,
// results.svg and report.html in the sweep's folder.
import { Command, Option } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { narrowAxes, parseOnly, pointLabel } from '../core/lib/sweep';
import { RESULT_FILES, writeSweepOutputs } from '../core/sweeps/outputs';
import {
  counts,
  createQueue,
  isDone,
  listQueues,
  progressLine,
  Queue,
  readQueue,
  sweepsDirFor,
} from '../core/sweeps/queue';
import { queueHolder, SweepRunner } from '../core/sweeps/runner';
import { resultsTable } from '../core/sweeps/results';
import type { BackendChoice, DataName, LifecycleEvent, Overrides } from '../protocol/trainer';
import { exitWithError, trainerFailed } from './errors';
import { backendOption, dataOption, positiveInt, positiveNumber } from './options';
import { runTrainer } from './runTrainer';
import { kerasRun, SweepRunSettings, tfjsRun } from './sweepRuns';

interface Options {
  parallel: number;
  engine: 'tfjs' | 'keras';
  iterations?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  limitTrain?: number;
  limitTest?: number;
  data?: DataName;
  dataDir?: string;
  backend: BackendChoice;
  runsDir: string;
  new?: boolean;
  json?: boolean;
  only?: string[];
}

/** Runs the file in a trainer process far enough to read the sweep's axes. */
async function readAxes(file: string, sweep: string): Promise<Queue['axes']> {
  const r = await runTrainer(
    { type: 'sweep-axes', file, sweep },
    () => undefined,
    undefined,
    (e): e is Extract<LifecycleEvent, { type: 'sweep-axes' }> => e.type === 'sweep-axes',
  );
  if (r.last?.type !== 'sweep-axes') trainerFailed(r.last, r.stderr);
  return r.last.axes;
}

/** The newest unfinished queue of this sweep that nobody is running, to resume. */
function unfinished(sweepsDir: string, file: string, sweep: string, axes: Queue['axes']): string | undefined {
  return listQueues(sweepsDir).find(
    ({ dir, queue: q }) =>
      q.owner === 'cli' &&
      q.file === file &&
      q.sweep === sweep &&
      JSON.stringify(q.axes) === JSON.stringify(axes) &&
      !isDone(q) &&
      queueHolder(dir) === undefined,
  )?.dir;
}

export function printTable(queue: Queue, dir: string): void {
  const results = writeSweepOutputs(dir, queue);
  const t = resultsTable(results);
  const widths = t.header.map((h, i) => Math.max(h.length, ...t.rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${line(t.header)}\n${t.rows.map(line).join('\n')}`);
  for (const r of queue.runs.filter((x) => x.status === 'failed'))
    console.log(`failed: #${r.point} ${pointLabel(r.params)}: ${r.message ?? ''}`);
  console.log(
    `\n${Object.values(RESULT_FILES)
      .map((f) => path.join(dir, f))
      .join('\n')}`,
  );
}

export interface SweepRequest {
  file: string;
  name: string;
  only?: Record<string, string[]>;
  overrides: Overrides;
  backend: BackendChoice;
  runsDir: string;
  parallel: number;
  engine: 'tfjs' | 'keras';
  new?: boolean;
  json?: boolean;
}

/** Resumes the sweep's unfinished queue or writes a new one, and works it off; resolves with the final queue. */
export async function runSweep(o: SweepRequest): Promise<{ dir: string; queue: Queue }> {
  if (o.engine === 'keras' && o.parallel > 1)
    exitWithError('--engine keras runs one after another (each run may take every device): drop --parallel');
  const full = await readAxes(o.file, o.name);
  let axes: Queue['axes'];
  try {
    axes = o.only ? (narrowAxes(full, o.only) as Queue['axes']) : full;
  } catch (e) {
    exitWithError(`--only: ${(e as Error).message}`);
  }
  const runsDir = path.resolve(o.runsDir);
  const sweepsDir = sweepsDirFor(runsDir);
  let dir = o.new ? undefined : unfinished(sweepsDir, o.file, o.name, axes);
  if (dir) {
    const c = counts(readQueue(dir));
    process.stderr.write(
      `resuming ${path.basename(dir)}: ${c.done} of ${c.total} done (its own settings; --new starts over)\n`,
    );
  } else {
    dir = createQueue(sweepsDir, {
      file: o.file,
      sweep: o.name,
      axes: full,
      only: o.only ? axes : undefined,
      owner: 'cli',
      engine: o.engine,
      parallel: o.parallel,
      settings: { backend: o.backend, overrides: o.overrides, runsDir },
    });
    process.stderr.write(`sweep ${o.name}: ${counts(readQueue(dir)).total} runs, queue ${dir}\n`);
  }
  const queue = readQueue(dir);
  const stored = queue.settings as { backend: BackendChoice; overrides: Overrides; runsDir: string };
  const settings: SweepRunSettings = {
    runsDir: stored.runsDir,
    backend: stored.backend,
    overrides: stored.overrides,
    bar: queue.parallel === 1 && !o.json,
  };
  const start = queue.engine === 'keras' ? kerasRun(settings) : tfjsRun(settings);
  let shown = '';
  const runner = new SweepRunner(dir, start, (q) => {
    const line = progressLine(q, new Date());
    const running = q.runs.filter((r) => r.status === 'running').map((r) => `#${r.point} ${pointLabel(r.params)}`);
    const text = `[${line}]${running.length ? ` running ${running.join(', ')}` : ''}`;
    if (text !== shown) process.stderr.write(`${text}\n`);
    shown = text;
  });
  // Ctrl-C: the running trainers stop with a checkpoint; the queue is left to resume.
  const onInterrupt = () => process.exit(130);
  process.once('SIGINT', onInterrupt);
  try {
    return { dir, queue: await runner.run() };
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

export function registerSweepCommand(program: Command): void {
  program
    .command('sweep')
    .argument('<file>')
    .argument('<name>', 'the sweep: export const <name> = sweep({ depth: [20, 56], ... }, (p) => experiment({...}))')
    .option('--parallel <n>', 'runs at the same time (each its own trainer process)', positiveInt, 1)
    .addOption(
      new Option('--engine <name>', "tfjs: our trainer; keras: each run through the exported project's train.py")
        .choices(['tfjs', 'keras'])
        .default('tfjs'),
    )
    .option('--iterations <n>', 'iterations per run (overrides the experiments)', positiveInt)
    .option('--epochs <n>', 'epochs per run (overrides the experiments)', positiveInt)
    .option('--batch-size <n>', 'batch size of every run', positiveInt)
    .option('--lr <x>', 'initial learning rate of every run', positiveNumber)
    .option('--limit-train <n>', 'use the first N training examples', positiveInt)
    .option('--limit-test <n>', 'use the first N test examples', positiveInt)
    .addOption(dataOption('data set of every run'))
    .option('--data-dir <dir>', 'folder with the data set files')
    .addOption(backendOption())
    .option(
      '--runs-dir <dir>',
      'where run folders go (the sweep folder goes beside it, in sweeps/)',
      '.resnet-lab/runs',
    )
    .option('--new', 'start the sweep over instead of resuming its unfinished queue')
    .option('--json', 'print a JSON summary as the last line')
    .description('train every run of a sweep through a queue on disk that a crash or Ctrl-C does not lose')
    .option('--only <axis=values...>', 'a part of the grid: only these values of an axis (e.g. --only depth=20,56)')
    .action(async (fileArg: string, name: string, o: Options) => {
      const file = path.resolve(fileArg);
      if (!fs.existsSync(file)) exitWithError(`${fileArg}: no such file`);
      const overrides: Overrides = {
        ...(o.iterations ? { iterations: o.iterations } : {}),
        ...(o.epochs ? { epochs: o.epochs } : {}),
        ...(o.batchSize ? { batchSize: o.batchSize } : {}),
        ...(o.lr ? { lr: o.lr } : {}),
        ...(o.limitTrain ? { limitTrain: o.limitTrain } : {}),
        ...(o.limitTest ? { limitTest: o.limitTest } : {}),
        ...(o.data ? { data: o.data } : {}),
        ...(o.dataDir ? { dataDir: path.resolve(o.dataDir) } : {}),
      };
      let only: Record<string, string[]> | undefined;
      try {
        only = o.only ? parseOnly(o.only) : undefined;
      } catch (e) {
        exitWithError((e as Error).message);
      }
      const { dir, queue: final } = await runSweep({ ...o, file, name, overrides, only });
      printTable(final, dir);
      const c = counts(final);
      if (c.failed) process.exitCode = 1;
      if (o.json)
        console.log(
          JSON.stringify({
            sweepDir: dir,
            counts: c,
            runs: final.runs.map((r) => ({
              point: r.point,
              params: r.params,
              status: r.status,
              runDir: r.runDir,
              testError: r.testError,
              message: r.message,
            })),
          }),
        );
      else console.log(`\n${c.finished} of ${c.total} runs finished${c.failed ? `, ${c.failed} failed` : ''}`);
    });
}
