// Writes the exported Python project: model.py (python/model_template.py
// with the Keras 3 code of the layer graph, see ./kerasModel.ts), weights.bin + weights.json (float32, little
// endian, in the order Keras' layer.set_weights takes them) and a README.
// Everything goes to a temporary folder renamed into place at the end, so a
// failure never leaves a half-written project.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { KerasLayerWeights } from './kerasLayers';
import { K8S_JOB, projectReadme, SLURM_SBATCH } from './kerasLaunch';
import { fileErrorMessage } from '../runs/fileErrors';
import { kerasModelSource } from './kerasModel';
import { pyDocstring } from './kerasPython';
import { pythonSource } from './pythonSources';

export interface ProjectInfo {
  experiment: string;
  file: string;
  /** Where the weights came from: 'initial (seed N)' or the run's checkpoint folder. */
  weightsFrom: string;
  /** The seed of initial weights (tfjs' initializers); absent for a checkpoint's. train.py reads it from weights.json. */
  seed?: number;
}

/**
 * model.py: python/model_template.py (a Python file Python's tools read) with what differs per export
 * filled in: the module docstring, ENDS_IN_SOFTMAX, and build_model's docstring and body.
 */
export function modelPy(
  model: tfjs.LayersModel,
  info: ProjectInfo,
): { source: string; weights: KerasLayerWeights[]; endsInSoftmax: boolean } {
  const src = kerasModelSource(model);
  const doc = `${model.name}: experiment '${info.experiment}' of ${path.basename(info.file)}, exported by ResNet Lab.

Keras 3 code mirroring the tfjs layer graph layer by layer, with the same
layer names ('/' written as '_'). Weights: ${info.weightsFrom}.

    python model.py        # builds the model, loads the weights, prints a summary
`;
  const logitsDoc = src.endsInSoftmax
    ? `    """The model; with logits=True, without its final softmax: what a loss should
    read (keras.losses.SparseCategoricalCrossentropy(from_logits=True)). Keras on
    JAX clips probabilities before their log, and a net trained from them sticks."""`
    : `    """The model (it does not end in a softmax: logits has no effect)."""`;
  const source = fillTemplate(pythonSource('model_template.py'), [
    [/^"""RESNET_LAB_MODEL_DOC[^]*?"""/, pyDocstring(doc)],
    [/^ENDS_IN_SOFTMAX = False$/m, `ENDS_IN_SOFTMAX = ${src.endsInSoftmax ? 'True' : 'False'}`],
    [
      /^ {4}"""RESNET_LAB_BUILD_MODEL_DOC"""\n {4}raise NotImplementedError\("RESNET_LAB_LAYERS"\)$/m,
      `${logitsDoc}\n${src.body}`,
    ],
  ]);
  return { source, weights: src.weights, endsInSoftmax: src.endsInSoftmax };
}

/** Each pattern replaced once; one that is not there means a template from another version. */
function fillTemplate(template: string, fills: [RegExp, string][]): string {
  return fills.reduce((text, [pattern, value]) => {
    if (!pattern.test(text)) throw new Error(`model_template.py has no ${String(pattern)}: reinstall ResNet Lab`);
    // A function, so that `$` in a value (a model or file name) is not read as a replacement pattern.
    return text.replace(pattern, () => value);
  }, template);
}

/** weights.bin and its manifest; offsets count float32 values. */
function packWeights(weights: KerasLayerWeights[], info: ProjectInfo): { bin: Buffer; manifest: object } {
  let offset = 0;
  const layers = weights.map((l) => ({
    layer: l.layer,
    tfjs: l.tfjsName,
    weights: l.weights.map((w) => {
      const entry = { name: w.name, shape: w.shape, offset };
      offset += w.values.length;
      return entry;
    }),
  }));
  const all = new Float32Array(offset);
  let at = 0;
  for (const l of weights)
    for (const w of l.weights) {
      all.set(w.values, at);
      at += w.values.length;
    }
  // Float32Array is little endian on every platform Node runs on here; say so in the manifest.
  return {
    bin: Buffer.from(all.buffer),
    manifest: {
      format: 'resnet-lab-keras-weights',
      dtype: 'float32',
      endian: 'little',
      weightsFrom: info.weightsFrom,
      ...(info.seed !== undefined ? { seed: info.seed } : {}),
      layers,
    },
  };
}

/** Writes the project to `outDir` (which must not exist or be empty), atomically. */
export function writeKerasProject(
  outDir: string,
  model: tfjs.LayersModel,
  info: ProjectInfo,
  extra: Record<string, string | Buffer> = {},
): { files: string[]; weights: number } {
  // Translate first: an untranslatable layer throws before anything touches the disk.
  const { source, weights, endsInSoftmax } = modelPy(model, info);
  const { bin, manifest } = packWeights(weights, info);
  const out = path.resolve(outDir);
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0)
    throw new ExportError(`${outDir} exists and is not empty; choose a new folder`);
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    fs.writeFileSync(path.join(tmp, 'model.py'), source);
    fs.writeFileSync(path.join(tmp, 'weights.bin'), bin);
    fs.writeFileSync(path.join(tmp, 'weights.json'), JSON.stringify(manifest, null, 1) + '\n');
    fs.writeFileSync(path.join(tmp, 'README.md'), projectReadme(model, { ...info, endsInSoftmax }));
    fs.writeFileSync(path.join(tmp, 'slurm.sbatch'), SLURM_SBATCH);
    fs.writeFileSync(path.join(tmp, 'k8s-job.yaml'), K8S_JOB);
    for (const [name, body] of Object.entries(extra)) {
      fs.mkdirSync(path.dirname(path.join(tmp, name)), { recursive: true });
      fs.writeFileSync(path.join(tmp, name), body);
    }
    if (fs.existsSync(out)) fs.rmdirSync(out); // empty, checked above
    fs.renameSync(tmp, out);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    // The project is written beside its folder first: a disk error names the folder asked for, not that one.
    const why = fileErrorMessage(e, out);
    if (why) throw new ExportError(`cannot write the project to ${outDir}: ${why.split(': ').pop()}`);
    throw e;
  }
  return { files: fs.readdirSync(out).sort(), weights: bin.length / 4 };
}

export class ExportError extends Error {}
