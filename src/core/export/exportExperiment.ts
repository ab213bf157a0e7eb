// export-keras for an experiment of a model file: build its model as training
// would (same seed, so the same initial weights), optionally take the weights
// of a run's latest checkpoint, and write the Keras project (./kerasProject.ts).
import * as path from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { resolveRecipe } from '../lib/experiment';
import type { DataInfo } from '../lib/types';
import { loadResumePoint } from '../runs/checkpoint';
import { buildModel, loadExperiment } from '../train/userModel';
import { ExportError, writeKerasProject } from './kerasProject';

type TF = typeof tfjs;

export interface ExportOptions {
  file: string;
  experiment: string;
  outDir: string;
  /** A run folder whose checkpoints/latest supplies the weights. */
  fromRun?: string;
}

/** The data's shape is all the model needs: no data set is loaded (as `summary` does). */
function dataInfo(name: string): DataInfo {
  return name === 'mnist' || name === 'fashion-mnist' ? { inputShape: [28, 28, 1], numClasses: 10 } : { inputShape: [32, 32, 3], numClasses: 10 };
}

/** Copies every weight of `from` into the same-named layer of `to`; a mismatch names the layer. */
export function copyWeights(from: tfjs.LayersModel, to: tfjs.LayersModel, what: string): void {
  for (const layer of to.layers) {
    if (layer.weights.length === 0) continue;
    const source = from.layers.find((l) => l.name === layer.name);
    if (!source) throw new ExportError(`${what} has no layer ${layer.name}: it was trained from a different model`);
    const values = source.getWeights();
    const shapes = (ws: { shape: (number | null)[] }[]) => ws.map((w) => `[${w.shape.join(',')}]`).join(' ');
    if (shapes(values) !== shapes(layer.weights)) throw new ExportError(`${what}: layer ${layer.name} has weights ${shapes(values)}, the model now ${shapes(layer.weights)}`);
    layer.setWeights(values);
  }
}

export async function exportExperiment(tf: TF, lib: typeof import('../lib'), o: ExportOptions): Promise<{ outDir: string; files: string[]; weights: number; weightsFrom: string }> {
  const loaded = await loadExperiment(tf, lib, o.file, o.experiment);
  const recipe = resolveRecipe(loaded.experiment.config);
  lib.setInitSeed(recipe.seed);
  const model = buildModel(tf, loaded, dataInfo(recipe.data.name));
  let weightsFrom = `initial, as training starts them (seed ${recipe.seed})`;
  if (o.fromRun) {
    const point = await loadResumePoint(tf, o.fromRun);
    copyWeights(point.model, model, `the checkpoint ${point.dir}`);
    weightsFrom = `from ${point.dir}, iteration ${point.state.iteration}`;
    point.model.dispose();
  }
  const written = writeKerasProject(o.outDir, model, { experiment: o.experiment, file: o.file, weightsFrom });
  model.dispose();
  return { outDir: path.resolve(o.outDir), ...written, weightsFrom };
}
