// resnet-lab command line: the same trainer process and run folders as the
// VS Code extension, without VS Code.
import { Command, Option } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findExperiments } from '../core/experiments/findExperiments';
import { setupNative } from '../core/native/setupNative';
import type { BackendChoice, DataName, Overrides } from '../protocol/trainer';
import { registerAnalysisCommands } from './analysisCommands';
import { registerConfusionCommand } from './confusionCommand';
import { registerDegradationCommand } from './degradationCommand';
import { registerIdentityCommand } from './identityCommand';
import { registerExportKerasCommand } from './exportKerasCommand';
import { isKerasRun, resumeKeras, trainKeras } from './kerasEngine';
import { registerReportCommands } from './reportCommands';
import { registerSweepCommand } from './sweepCommand';
import { exitWithError, trainerFailed } from './errors';
import { summaryTable } from './format';
import { Progress } from './progress';
import {
  backendOption,
  buildTimeoutOption,
  dataOption,
  graphOption,
  positiveInt,
  positiveNumber,
  seedNumber,
} from './options';
import { runTrainer, setBuildTimeout } from './runTrainer';

const int = positiveInt;
const num = positiveNumber;

function readModelFile(file: string): string {
  if (!fs.existsSync(file)) {
    console.error(`${file}: no such file`);
    process.exit(2);
  }
  return fs.readFileSync(file, 'utf8');
}

const program = new Command('resnet-lab').description(
  'Train and inspect residual networks written in TypeScript, with TensorFlow.js.',
);

/** Takes --build-timeout from whichever command has it, before any trainer starts. */
program.hook('preAction', (_program, command) => setBuildTimeout(command.opts().buildTimeout as number | undefined));

program
  .command('list')
  .argument('<file>', 'a model file (.ts)')
  .description('list the experiments a file exports, with their line numbers')
  .action((file: string) => {
    const found = findExperiments(readModelFile(file));
    if (found.length === 0) console.log(`${file}: no experiments (export const name = experiment({ ... }))`);
    for (const e of found) console.log(`${file}:${e.line + 1}  ${e.name}`);
  });

program
  .command('summary')
  .argument('<file>')
  .argument('<experiment>')
  .option('--json', 'print a JSON object (params, depth, shortcuts, layers)')
  .addOption(dataOption('data set whose shape to build for'))
  .addOption(buildTimeoutOption())
  .description("layers, output shapes, parameters and shortcut connections of an experiment's model")
  .action(async (file: string, experiment: string, o: { json?: boolean; data?: DataName }) => {
    readModelFile(file);
    const data = o.data;
    const result = await runTrainer({ type: 'describe', file: path.resolve(file), experiment, data }, () => undefined);
    const last = result.last;
    if (last?.type !== 'described') return trainerFailed(last, result.stderr);
    if (o.json) {
      const s = last.summary;
      console.log(
        JSON.stringify({
          name: s.name,
          params: s.trainableParams,
          totalParams: s.totalParams,
          depth: s.depth,
          shortcuts: s.shortcuts,
          layers: s.layers,
        }),
      );
    } else console.log(summaryTable(last.summary));
  });

interface TrainOptions {
  epochs?: number;
  iterations?: number;
  batchSize?: number;
  lr?: number;
  data?: DataName;
  dataDir?: string;
  limitTrain?: number;
  limitTest?: number;
  backend: BackendChoice;
  runsDir: string;
  json?: boolean;
  seed?: number;
  gradEvery?: number;
  distEvery?: number;
  workers?: number;
  warmupLr?: number;
  graph?: 'on' | 'off';
  engine: 'tfjs' | 'keras';
  kerasBackend?: 'jax' | 'tensorflow';
  precision?: 'fp32' | 'bf16';
  checkpointEvery?: number;
}

program
  .command('train')
  .argument('<file>')
  .argument('<experiment>')
  .option('--epochs <n>', 'epochs to train', int)
  .option('--iterations <n>', 'iterations to train (instead of epochs)', int)
  .option('--batch-size <n>', 'mini-batch size', int)
  .option('--lr <x>', 'initial learning rate', num)
  .addOption(dataOption())
  .option('--data-dir <dir>', 'folder with the data set files (downloaded there if missing)')
  .option('--limit-train <n>', 'use the first N training examples', int)
  .option('--limit-test <n>', 'use the first N test examples', int)
  .option('--seed <n>', 'random seed, 0 to 4294967295', seedNumber)
  .option('--grad-every <n>', 'record gradient norms every N iterations', int)
  .option('--dist-every <n>', 'record kernel and block-output distributions every N iterations (default 100)', int)
  .option(
    '--warmup-lr <x>',
    "start at this learning rate until training error < 80% (at most 400 iterations), as for the paper's ResNet-110",
    num,
  )
  .addOption(backendOption())
  .option(
    '--workers <n>',
    'data-parallel worker threads on the wasm backend, each training on its share of every batch (default: one per core; 1: none)',
    int,
  )
  .addOption(graphOption())
  .addOption(
    new Option(
      '--engine <name>',
      'tfjs: our trainer; keras: export the experiment and run its train.py as --workers processes on 127.0.0.1 (jax.distributed, or TensorFlow workers)',
    )
      .choices(['tfjs', 'keras'])
      .default('tfjs'),
  )
  .addOption(
    new Option('--keras-backend <name>', "--engine keras: Keras 3's backend (default: jax when installed)").choices([
      'jax',
      'tensorflow',
    ]),
  )
  .addOption(
    new Option('--precision <p>', '--engine keras: bf16 computes in bfloat16 (Keras mixed_bfloat16)').choices([
      'fp32',
      'bf16',
    ]),
  )
  .option('--checkpoint-every <n>', '--engine keras: a checkpoint every N iterations besides each epoch', int)
  .option('--runs-dir <dir>', 'where run folders go', '.resnet-lab/runs')
  .addOption(buildTimeoutOption())
  .option('--json', 'print a JSON summary as the last line')
  .description('train an experiment in a trainer process, with a live progress bar; Ctrl-C stops with a checkpoint')
  .action(async (file: string, experiment: string, o: TrainOptions) => {
    readModelFile(file);
    if (o.engine === 'keras') return void (await trainKeras(file, experiment, o));
    const overrides: Overrides = {
      epochs: o.epochs,
      iterations: o.iterations,
      batchSize: o.batchSize,
      lr: o.lr,
      data: o.data,
      dataDir: o.dataDir && path.resolve(o.dataDir),
      limitTrain: o.limitTrain,
      limitTest: o.limitTest,
      seed: o.seed,
      gradientNormEvery: o.gradEvery,
      distributionEvery: o.distEvery,
      workers: o.workers,
      graph: o.graph === 'off' ? 'off' : undefined,
      warmup: o.warmupLr ? { lr: o.warmupLr, untilTrainError: 0.8, maxIterations: 400 } : undefined,
    };
    const job = {
      file: path.resolve(file),
      experiment,
      runsDir: path.resolve(o.runsDir),
      backend: o.backend,
      overrides,
    };
    await trainWithProgress({ type: 'train', job }, !!o.json);
  });

program
  .command('resume')
  .argument('<run-dir>', 'a run folder, e.g. .resnet-lab/runs/20261129-120000-resnet20')
  .addOption(backendOption())
  .addOption(graphOption())
  .addOption(buildTimeoutOption())
  .option('--json', 'print a JSON summary as the last line')
  .description('continue a stopped or interrupted run from its last checkpoint')
  .action(async (runDir: string, o: { backend: BackendChoice; json?: boolean; graph?: 'on' | 'off' }) => {
    // A run train.py wrote (export-keras, --engine keras) continues in Python, with its workers and momentum.
    if (isKerasRun(runDir)) return resumeKeras(runDir, { json: o.json });
    const graph = o.graph === undefined ? undefined : o.graph === 'off' ? 'off' : 'auto';
    await trainWithProgress({ type: 'resume', runDir: path.resolve(runDir), backend: o.backend, graph }, !!o.json);
  });

registerAnalysisCommands(program);

program
  .command('setup-native')
  .option('--python <path>', 'a Python whose TensorFlow to build against (pip install tensorflow-cpu)')
  .option('--force', 'rebuild even if a working binding exists')
  .description(
    'build @tensorflow/tfjs-node against the TensorFlow of a local Python, without downloading libtensorflow',
  )
  .action(async (o: { python?: string; force?: boolean }) => {
    try {
      const r = await setupNative({ python: o.python, force: o.force, log: (line) => console.error(line) });
      console.log(`native backend ready: TensorFlow ${r.tfVersion}, binding ${r.bindingPath}`);
      console.log(
        r.graphAddon.ok
          ? `graph mode ready: ${r.graphAddon.path}`
          : `graph mode unavailable (training will be eager): ${r.graphAddon.error}`,
      );
    } catch (e) {
      exitWithError(`setup-native failed: ${(e as Error).message}`, (e as Error).stack);
    }
  });

async function trainWithProgress(command: Parameters<typeof runTrainer>[0], json: boolean): Promise<void> {
  const progress = new Progress(json);
  let stopping = false;
  const result = await runTrainer(
    command,
    (e) => progress.onEvent(e),
    (client) => {
      process.on('SIGINT', () => {
        if (stopping) return client.kill();
        stopping = true;
        if (client.inUserCode) progress.note('stopping: the model is still being built, so there is nothing to save');
        else progress.note('stopping after this iteration, writing a checkpoint (Ctrl-C again to kill)…');
        void client.stop(120_000);
      });
    },
  );
  progress.done();
  const last = result.last;
  if (last?.type !== 'finished') return trainerFailed(last, result.stderr);
  if (json)
    console.log(
      JSON.stringify({
        runDir: last.runDir,
        status: last.status,
        iteration: last.iteration,
        trainError: last.trainError,
        testError: last.testError,
      }),
    );
}

registerDegradationCommand(program);
registerIdentityCommand(program);
registerReportCommands(program);
registerConfusionCommand(program);
registerExportKerasCommand(program);
registerSweepCommand(program);

// Whatever goes wrong in the CLI itself is one line too; the stack goes to the log.
process.on('uncaughtException', (e) => exitWithError(String(e?.message ?? e), e?.stack));
program.parseAsync(process.argv).catch((e) => exitWithError(String((e as Error)?.message ?? e), (e as Error)?.stack));
