// The training loop in-process, as the trainer, parallel, graphMode and
// prefetch tests run it: a small seeded ResNet-8 (or a model of the test's
// own) on synthetic data, a run folder in the test's temp dir, every event
// kept, and the tensor count before the run and after each epoch (leak
// checks compare them).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Dataset, loadDataset } from '../../../src/core/data';
import { resnetCifar, setInitSeed, synthetic } from '../../../src/core/lib';
import { ExperimentConfig, ResolvedRecipe, resolveRecipe } from '../../../src/core/lib/experiment';
import { Control } from '../../../src/core/train/control';
import { LoopOptions, LoopResult, runTraining } from '../../../src/core/train/loop';
import type { TrainerEvent } from '../../../src/protocol/trainer';

/** ResNet-8 with 4, 8 and 8 filters per stage: the smallest that has every kind of shortcut. */
export const resnet8 = resnetCifar({ depth: 8, widths: [4, 8, 8] });

export interface TrainingRunOptions {
  /** synthetic() options, or a data set the caller loaded once to compare runs on. */
  data: NonNullable<Parameters<typeof synthetic>[0]> | Dataset;
  /** ResNet-8 built after setInitSeed(initSeed), or a model of the test's own (hand-made, a checkpoint's). */
  model: { initSeed: number } | tf.LayersModel;
  /** The recipe; the data set's spec is added. */
  recipe: Omit<ExperimentConfig, 'model' | 'data'>;
  /** A new folder `<prefix>XXXXXX` inside `in`, or an existing one (to resume in). */
  runDir: { in: string; prefix: string } | string;
  /** The loop's other options, passed as they are. */
  loop?: Pick<LoopOptions, 'workers' | 'prefetch' | 'graph' | 'onMode' | 'resumeFrom'>;
}

export interface TrainingRun {
  model: tf.LayersModel;
  dataset: Dataset;
  recipe: ResolvedRecipe;
  runDir: string;
  result: LoopResult;
  events: TrainerEvent[];
  /** Which stepper trained ('graph' or 'eager'), as the loop told onMode. */
  mode: string | undefined;
  /** tf.memory().numTensors just before runTraining, and after each epoch's event. */
  tensorsBefore: number;
  tensorsAtEpoch: number[];
}

export async function trainingRun(o: TrainingRunOptions): Promise<TrainingRun> {
  const dataset = 'train' in o.data ? o.data : await loadDataset(synthetic(o.data));
  let model: tf.LayersModel;
  if ('initSeed' in o.model) {
    setInitSeed(o.model.initSeed);
    model = resnet8(dataset.info);
  } else model = o.model;
  const recipe = resolveRecipe({ ...o.recipe, data: dataset.spec });
  const runDir = typeof o.runDir === 'string' ? o.runDir : fs.mkdtempSync(path.join(o.runDir.in, o.runDir.prefix));
  const events: TrainerEvent[] = [];
  const tensorsAtEpoch: number[] = [];
  let mode: string | undefined;
  const tensorsBefore = tf.memory().numTensors;
  const result = await runTraining({
    tf,
    model,
    dataset,
    recipe,
    runDir,
    control: new Control(),
    ...o.loop,
    onMode: (m) => {
      mode = m;
      o.loop?.onMode?.(m);
    },
    emit: (e) => {
      events.push(e);
      if (e.type === 'epoch') tensorsAtEpoch.push(tf.memory().numTensors);
    },
  });
  return { model, dataset, recipe, runDir, result, events, mode, tensorsBefore, tensorsAtEpoch };
}
