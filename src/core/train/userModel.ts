// From a workspace file to a built model: compile, run with the trainer's tf
// and resnet-lab injected, pick the named experiment, build its model for the
// data set. Every failure points into the user's file.
import type * as tfjs from '@tensorflow/tfjs';
import { compileUserFile, CompiledFile, UserCodeError } from '../compile/compileUserFile';
import { evaluateModule, runUserCode, toUserCodeError } from '../compile/evaluate';
import { Experiment, isExperiment } from '../lib/experiment';
import { isSweep, parsePointRef, pointExperiment, Sweep, SweepPoint } from '../lib/sweep';
import type { DataInfo } from '../lib/types';
import { findExperiments } from '../experiments/findExperiments';
import { seededMathRandom } from '../lib/seed';
import * as fs from 'node:fs';

type TF = typeof tfjs;

export interface LoadedExperiment {
  compiled: CompiledFile;
  experiment: Experiment;
  /** Set when the name was a sweep's run (`depths#3`): the sweep and the point's values. */
  sweep?: { name: string; point: number; params: SweepPoint };
}

export async function loadExperiment(tf: TF, lib: unknown, file: string, name: string): Promise<LoadedExperiment> {
  const compiled = await compileUserFile(file);
  const exports = evaluateModule(compiled, { 'resnet-lab': lib, '@tensorflow/tfjs': tf });
  const ref = parsePointRef(name);
  if (ref && isSweep(exports[ref.sweep])) {
    const sweep = exports[ref.sweep] as Sweep;
    const { experiment, point } = runUserCode(compiled, () => pointExperiment(sweep, ref.point));
    return { compiled, experiment, sweep: { name: ref.sweep, point: ref.point, params: point } };
  }
  const value = exports[name];
  if (!isExperiment(value)) {
    const found = Object.keys(exports).filter((k) => isExperiment(exports[k]));
    const line = findExperiments(fs.readFileSync(file, 'utf8')).find((e) => e.name === name)?.line ?? 0;
    const message =
      value === undefined
        ? `no export named "${name}" (experiments here: ${found.join(', ') || 'none'})`
        : `"${name}" is not an experiment: export it as experiment({ model, ... })`;
    throw new UserCodeError(`${file}:${line + 1}:1 ${message}`, 'build', [
      { file, line: line + 1, column: 1, message },
    ]);
  }
  return { compiled, experiment: value };
}

/** A sweep's axes: the file is evaluated (its custom layers registered, nothing built). */
export async function loadSweepAxes(tf: TF, lib: unknown, file: string, name: string): Promise<Sweep['axes']> {
  const compiled = await compileUserFile(file);
  const exports = evaluateModule(compiled, { 'resnet-lab': lib, '@tensorflow/tfjs': tf });
  const value = exports[name];
  if (!isSweep(value)) {
    const found = Object.keys(exports).filter((k) => isSweep(exports[k]));
    throw new UserCodeError(
      `${file}: ${value === undefined ? `no export named "${name}"` : `"${name}" is not a sweep: export it as sweep({ axis: [...] }, (p) => experiment({...}))`} (sweeps here: ${found.join(', ') || 'none'})`,
      'build',
      [],
    );
  }
  return value.axes;
}

export function buildModel(tf: TF, loaded: LoadedExperiment, info: DataInfo): tfjs.LayersModel {
  const restore = nameLayersInErrors(tf);
  const restoreRandom = seededMathRandom();
  try {
    const model = runUserCode(loaded.compiled, () => loaded.experiment.config.model(info));
    if (isThenable(model))
      throw new Error('the model function returned a Promise: build the model synchronously (no async, no await)');
    return checkModel(model, info);
  } catch (e) {
    throw toUserCodeError(loaded.compiled, e);
  } finally {
    restoreRandom();
    restore();
  }
}

/**
 * buildModel for a model function that may be async: a Promise it returns is
 * awaited, and a rejection is the user's error at the user's line (not "must
 * return a tf.LayersModel"). The layer naming and memory guards cover only the
 * synchronous part of such a function.
 */
export async function buildModelAwaited(
  tf: TF,
  loaded: LoadedExperiment,
  info: DataInfo,
  guard: <T>(build: () => T) => T = (build) => build(),
): Promise<tfjs.LayersModel> {
  const restoreRandom = seededMathRandom();
  try {
    const pending = guard(() => {
      const restore = nameLayersInErrors(tf);
      try {
        // unknown: typed as returning a model, a user's function may still return a Promise of one.
        return runUserCode<unknown>(loaded.compiled, () => loaded.experiment.config.model(info));
      } finally {
        restore();
      }
    });
    return checkModel(await pending, info);
  } catch (e) {
    throw toUserCodeError(loaded.compiled, e);
  } finally {
    restoreRandom();
  }
}

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  typeof (v as PromiseLike<unknown> | null)?.then === 'function';

/** What the trainer needs of a model: a LayersModel taking the data's images, giving one score per class. */
function checkModel(model: unknown, info: DataInfo): tfjs.LayersModel {
  const m = model as tfjs.LayersModel;
  if (!m || typeof m.apply !== 'function' || !m.layers) {
    throw new Error(
      'the model factory must return a tf.LayersModel (tf.model({ inputs, outputs }) or a ready net such as resnetCifar({ depth: 20 }))',
    );
  }
  const inShape = m.inputs[0].shape.slice(1);
  if (inShape.some((d, i) => d !== null && d !== info.inputShape[i])) {
    throw new Error(
      `the model's input shape [${inShape}] does not match the data's [${info.inputShape}]: build it from the info argument`,
    );
  }
  const output = m.outputs[0];
  const shape = output.shape;
  if (shape.length !== 2) {
    const layer = output.sourceLayer?.name ?? m.layers[m.layers.length - 1]?.name;
    throw new Error(
      `the model's output (layer "${layer}") has shape [${shape.map((d) => d ?? 'batch').join(', ')}]; it must be one score per class: [batch, ${info.numClasses}] (flatten or pool before the last dense layer)`,
    );
  }
  const units = shape[shape.length - 1];
  if (units !== info.numClasses)
    throw new Error(`the model has ${units} outputs but the data has ${info.numClasses} classes`);
  return m;
}

/**
 * tfjs reports a bad merge as "Operands could not be broadcast together with
 * shapes 16,16,32 and 32,32,16" without saying which layers. While a user's
 * model is built, add the layer and the layers feeding it to such errors.
 */
function nameLayersInErrors(tf: TF): () => void {
  const proto = tf.layers.Layer.prototype as unknown as { apply: (...a: unknown[]) => unknown };
  const original = proto.apply;
  proto.apply = function (this: tfjs.layers.Layer, inputs: unknown, kwargs: unknown) {
    try {
      return original.call(this, inputs, kwargs);
    } catch (e) {
      if (e instanceof Error && !(e as { named?: boolean }).named) {
        const list = (Array.isArray(inputs) ? inputs : [inputs]) as {
          sourceLayer?: { name: string };
          shape?: (number | null)[];
        }[];
        const described = list
          .map((t) => `"${t.sourceLayer?.name ?? '?'}" [${(t.shape ?? []).map((d) => d ?? 'batch').join(', ')}]`)
          .join(' and ');
        e.message = `layer "${this.name}" (${this.getClassName()}) cannot combine ${described}: ${e.message}`;
        (e as { named?: boolean }).named = true;
      }
      throw e;
    }
  };
  return () => {
    proto.apply = original;
  };
}
