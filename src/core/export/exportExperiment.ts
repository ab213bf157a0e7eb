// export-keras for an experiment of a model file: build its model as training
// would (same seed, so the same initial weights), optionally take the weights
// of a run's latest checkpoint, and write the Keras project (./kerasProject.ts).
import * as path from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { resolveRecipe } from '../lib/experiment';
import type { DataInfo } from '../lib/types';
import { loadResumePoint } from '../runs/checkpoint';
import { buildModelAwaited, loadExperiment } from '../train/userModel';
import { SYNTHETIC_CLASSES, syntheticDataset } from '../data/synthetic';
import { CIFAR10_CLASSES } from '../data/cifar10';
import { FASHION_CLASSES, MNIST_CLASSES } from '../data/idx';
import { extractGraph, summarize } from '../graph/extract';
import { probePlan } from '../distributions/probePlan';
import { ExportError, writeKerasProject } from './kerasProject';
import { npz } from './npz';
import { pythonSources } from './pythonSources';

type TF = typeof tfjs;

export interface ExportOptions {
  file: string;
  experiment: string;
  outDir: string;
  /** A run folder whose checkpoints/latest supplies the weights. */
  fromRun?: string;
  /** The seed of the initial weights (and of train.py's batches), instead of the experiment's. */
  seed?: number;
}

/** The data's shape is all the model needs: no data set is loaded (as `summary` does). */
function dataInfo(name: string): DataInfo {
  return name === 'mnist' || name === 'fashion-mnist'
    ? { inputShape: [28, 28, 1], numClasses: 10 }
    : { inputShape: [32, 32, 3], numClasses: 10 };
}

/** The data set's class names, as our trainer records them in run.json (the report and the panel name classes). */
function classNames(name: string): string[] {
  if (name === 'cifar10') return CIFAR10_CLASSES;
  if (name === 'mnist') return MNIST_CLASSES;
  if (name === 'fashion-mnist') return FASHION_CLASSES;
  return SYNTHETIC_CLASSES;
}

/** Copies every weight of `from` into the same-named layer of `to`; a mismatch names the layer. */
export function copyWeights(from: tfjs.LayersModel, to: tfjs.LayersModel, what: string): void {
  for (const layer of to.layers) {
    if (layer.weights.length === 0) continue;
    const source = from.layers.find((l) => l.name === layer.name);
    if (!source) throw new ExportError(`${what} has no layer ${layer.name}: it was trained from a different model`);
    const values = source.getWeights();
    const shapes = (ws: { shape: (number | null)[] }[]) => ws.map((w) => `[${w.shape.join(',')}]`).join(' ');
    if (shapes(values) !== shapes(layer.weights))
      throw new ExportError(
        `${what}: layer ${layer.name} has weights ${shapes(values)}, the model now ${shapes(layer.weights)}`,
      );
    layer.setWeights(values);
  }
}

export async function exportExperiment(
  tf: TF,
  lib: typeof import('../lib'),
  o: ExportOptions,
): Promise<{ outDir: string; files: string[]; weights: number; weightsFrom: string }> {
  const loaded = await loadExperiment(tf, lib, o.file, o.experiment);
  const resolved = resolveRecipe(loaded.experiment.config);
  const recipe = o.seed === undefined ? resolved : { ...resolved, seed: o.seed };
  lib.setInitSeed(recipe.seed);
  const model = await buildModelAwaited(tf, loaded, dataInfo(recipe.data.name));
  // Any failure from here on must not leak the model's tensors into a long-lived caller.
  try {
    return await write(tf, o, recipe, model);
  } finally {
    model.dispose();
  }
}

/** Our generated data set, as the trainer makes it from the experiment's spec, for numpy.load. */
function syntheticNpz(spec: Parameters<typeof syntheticDataset>[0]): Buffer {
  const ds = syntheticDataset(spec);
  const [h, w, c] = ds.info.inputShape;
  return npz({
    x_train: { data: ds.train.images, shape: [ds.train.count, h, w, c] },
    y_train: { data: ds.train.labels, shape: [ds.train.count] },
    x_test: { data: ds.test.images, shape: [ds.test.count, h, w, c] },
    y_test: { data: ds.test.labels, shape: [ds.test.count] },
  });
}

async function write(
  tf: TF,
  o: ExportOptions,
  recipe: ReturnType<typeof resolveRecipe>,
  model: tfjs.LayersModel,
): Promise<{ outDir: string; files: string[]; weights: number; weightsFrom: string }> {
  let weightsFrom = `initial, as training starts them (seed ${recipe.seed})`;
  if (o.fromRun) {
    const point = await loadResumePoint(tf, o.fromRun);
    copyWeights(point.model, model, `the checkpoint ${point.dir}`);
    weightsFrom = `from ${point.dir}, iteration ${point.state.iteration}`;
    point.model.dispose();
  }
  const info = dataInfo(recipe.data.name);
  // What train.py's run.json needs from the tfjs side: the model's summary and graph (the panel's diagram), the recipe.
  const graph = extractGraph(model);
  const template = {
    experiment: o.experiment,
    file: path.resolve(o.file),
    recipe,
    summary: summarize(model, graph),
    graph,
    // Which kernels and block outputs train.py's distributions.py records: the trainer's own choice.
    probe: probePlan(model, graph),
    dataset: { name: recipe.data.name, inputShape: info.inputShape, classNames: classNames(recipe.data.name) },
  };
  // The tfjs topology and weight order, so train.py writes checkpoints in our (tfjs layers) format.
  let tfjsModel: object | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      // `trainable`: the order of our optimizer's velocities (model.trainableWeights), for optimizer.bin.
      tfjsModel = {
        modelTopology: a.modelTopology,
        weightSpecs: a.weightSpecs,
        trainable: model.trainableWeights.map((w) => w.originalName),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const extra: Record<string, string | Buffer> = {
    ...pythonSources(),
    'run_template.json': JSON.stringify(template) + '\n',
    'tfjs_model.json': JSON.stringify(tfjsModel) + '\n',
  };
  if (recipe.data.name === 'synthetic') extra['data/synthetic.npz'] = syntheticNpz(recipe.data);
  const seed = o.fromRun ? undefined : recipe.seed;
  const written = writeKerasProject(
    o.outDir,
    model,
    { experiment: o.experiment, file: o.file, weightsFrom, seed },
    extra,
  );
  return { outDir: path.resolve(o.outDir), ...written, weightsFrom };
}
