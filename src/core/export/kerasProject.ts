// Writes the exported Python project: model.py (Keras 3 code of the layer
// graph, see ./kerasModel.ts), weights.bin + weights.json (float32, little
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

export interface ProjectInfo {
  experiment: string;
  file: string;
  /** Where the weights came from: 'initial (seed N)' or the run's checkpoint folder. */
  weightsFrom: string;
  /** The seed of initial weights (tfjs' initializers); absent for a checkpoint's. train.py reads it from weights.json. */
  seed?: number;
}

const ZERO_PAD_LAYER = `
@keras.saving.register_keras_serializable(package="resnet_lab")
class ZeroPadShortcut(layers.Layer):
    """Option A's shortcut (He et al. 2015, Sec. 3.3): identity, subsampled by
    the stride (x[:, ::s, ::s, :]) and with zero channels appended up to
    out_channels. No parameters."""

    def __init__(self, stride, out_channels, **kwargs):
        super().__init__(**kwargs)
        self.stride = stride
        self.out_channels = out_channels

    def call(self, x):
        if self.stride > 1:
            x = x[:, :: self.stride, :: self.stride, :]
        extra = self.out_channels - x.shape[-1]
        if extra > 0:
            x = ops.pad(x, [[0, 0], [0, 0], [0, 0], [0, extra]])
        return x

    def compute_output_shape(self, input_shape):
        n, h, w, _ = input_shape
        sub = lambda d: None if d is None else -(-d // self.stride)
        return (n, sub(h), sub(w), self.out_channels)

    def get_config(self):
        return {**super().get_config(), "stride": self.stride, "out_channels": self.out_channels}
`;

const LOAD_WEIGHTS = `
def load_weights(model, folder=HERE):
    """Sets every layer's weights from weights.json + weights.bin (float32,
    little endian, each layer's arrays in the order set_weights takes them)."""
    with open(os.path.join(folder, "weights.json")) as f:
        manifest = json.load(f)
    data = np.fromfile(os.path.join(folder, "weights.bin"), dtype="<f4")
    for entry in manifest["layers"]:
        arrays = [data[w["offset"] : w["offset"] + int(np.prod(w["shape"]))].reshape(w["shape"]) for w in entry["weights"]]
        model.get_layer(entry["layer"]).set_weights(arrays)
    return model
`;

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
    ? `
    """The model; with logits=True, without its final softmax: what a loss should
    read (keras.losses.SparseCategoricalCrossentropy(from_logits=True)). Keras on
    JAX clips probabilities before their log, and a net trained from them sticks."""`
    : `
    """The model (it does not end in a softmax: logits has no effect)."""`;
  const source = `${pyDocstring(doc)}
import json
import os

import numpy as np
import keras
from keras import layers, ops

HERE = os.path.dirname(os.path.abspath(__file__))
# build_model(logits=True) returns the logits under the final softmax (train.py's loss reads them).
ENDS_IN_SOFTMAX = ${src.endsInSoftmax ? 'True' : 'False'}
${src.usesZeroPad ? ZERO_PAD_LAYER : ''}

def build_model(logits=False):${logitsDoc}
${src.body}

${LOAD_WEIGHTS}

if __name__ == "__main__":
    model = load_weights(build_model())
    model.summary()
`;
  return { source, weights: src.weights, endsInSoftmax: src.endsInSoftmax };
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
