// The `identity` command (He et al. 2015, Sec. 3.1): loads the identity
// experiment from its file, builds the plain and the residual stack from one
// seed (the same initial weights), trains both on the synthetic images, and
// writes identity.json into a new run folder. Progress goes out as
// `identity-progress` events, the result as one `identity` event.
import * as tfjs from '@tensorflow/tfjs';
import * as lib from '../core/lib';
import { UserCodeError } from '../core/compile/compileUserFile';
import { runUserCode, toUserCodeError } from '../core/compile/evaluate';
import { syntheticDataset } from '../core/data/synthetic';
import { loadIdentityExperiment } from '../core/experiments/identityFile';
import { IMAGE_SIZE, trainIdentityStacks } from '../core/experiments/identityTraining';
import { IdentityConfig, identityBlocks, identityStack, resolveIdentityConfig } from '../core/lib/identity';
import { seededMathRandom, setInitSeed } from '../core/lib/seed';
import { writeIdentityResult } from '../core/runs/identityFile';
import { createRunFolder } from '../core/runs/runFolder';
import type { IdentityResult } from '../protocol/identity';
import type { TrainerCommand } from '../protocol/trainer';
import { failureEvent } from './session';
import { Emit, startBackend } from './setup';
import { runUserCodeTimed } from './userCode';

const tf = tfjs;
type IdentityCommand = Extract<TrainerCommand, { type: 'identity' }>;

/** Enough images that a run of a few hundred batches rarely repeats an input. */
const TRAIN_IMAGES = 2000;
const TEST_IMAGES = 256;
/** Progress events at most this often, whatever `recordEvery` is. */
const PROGRESS_EVERY_MS = 250;

/** The file's settings with the command's overrides; a value out of range is the file's (or the flag's) error. */
function configOf(command: IdentityCommand, config: IdentityConfig) {
  try {
    return resolveIdentityConfig(config, command.overrides);
  } catch (e) {
    const message = (e as Error).message;
    throw new UserCodeError(`${command.file}: ${message}`, 'build', [
      { file: command.file, line: 1, column: 1, message },
    ]);
  }
}

export async function identity(command: IdentityCommand, emit: Emit, shouldStop: () => boolean): Promise<void> {
  let runDir: string | undefined;
  try {
    const backend = await startBackend(command.backend, emit);
    const label = command.experiment ?? 'identity';
    const loaded = await runUserCodeTimed(emit, command.file, label, () =>
      loadIdentityExperiment(tf, lib, command.file, command.experiment),
    );
    const config = configOf(command, loaded.experiment.config);
    const blocks = identityBlocks(loaded.experiment.config);
    const build = (kind: 'plain' | 'residual') => {
      // One seed for both: the two stacks start from the same weights.
      setInitSeed(config.seed);
      const restoreRandom = seededMathRandom();
      try {
        return runUserCode(loaded.compiled, () =>
          identityStack(blocks[kind], { blocks: config.blocks, width: config.width, size: IMAGE_SIZE, name: kind }),
        );
      } catch (e) {
        throw toUserCodeError(loaded.compiled, e);
      } finally {
        restoreRandom();
      }
    };
    const stacks = await runUserCodeTimed(emit, command.file, label, () => ({
      plain: build('plain'),
      residual: build('residual'),
    }));
    const data = syntheticDataset(lib.synthetic({ seed: config.seed, trainSize: TRAIN_IMAGES, testSize: TEST_IMAGES }));
    runDir = createRunFolder(command.runsDir, loaded.name === 'identity' ? 'identity' : `identity-${loaded.name}`);
    emit({ type: 'log', level: 'info', message: `identity experiment ${loaded.name}: ${runDir}` });
    const started = Date.now();
    let lastProgress = 0;
    const trained = await trainIdentityStacks(tf, {
      stacks,
      config,
      train: data.train,
      test: data.test,
      shouldStop,
      onRecord: (r) => {
        if (r.iteration !== config.iterations && Date.now() - lastProgress < PROGRESS_EVERY_MS) return;
        lastProgress = Date.now();
        const { iteration, plainLoss, residualLoss } = r;
        emit({ type: 'identity-progress', iteration, iterations: config.iterations, plainLoss, residualLoss });
      },
    });
    stacks.plain.dispose();
    stacks.residual.dispose();
    const result: IdentityResult = {
      kind: 'resnet-lab/identity',
      file: command.file,
      experiment: loaded.name,
      backend,
      config,
      blocks: trained.blocks,
      initialDistance: trained.initialDistance,
      evalImages: trained.evalImages,
      records: trained.records,
      status: trained.status,
      seconds: (Date.now() - started) / 1000,
      createdAt: new Date(started).toISOString(),
    };
    writeIdentityResult(runDir, result);
    emit({ type: 'identity', runDir, result });
  } catch (e) {
    emit(failureEvent(e, undefined, undefined, runDir));
  }
}
