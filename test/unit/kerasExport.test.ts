// export-keras (src/core/export): the exported Keras 3 model, given the same
// weights and input, must return what the tfjs model returns, logits and
// probabilities, in inference mode. Needs the TensorFlow Python setup-native
// used (or RESNET_LAB_TF_PYTHON); skipped, with the reason printed, without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../src/core/data/random';
import { preactResnetCifar, resnetCifar, setInitSeed } from '../../src/core/lib';
import { Untranslatable } from '../../src/core/export/kerasModel';
import { writeKerasProject } from '../../src/core/export/kerasProject';
import { kerasUnavailable, tfPython } from '../../src/core/export/tfPython';
import { tempDir } from '../support/tempDir';

const skip = kerasUnavailable() ?? false;
if (skip) console.log(`kerasExport.test.ts skipped: ${skip}`);

const tmp = tempDir('keras');

const INFO = { inputShape: [32, 32, 3] as [number, number, number], numClasses: 10 };
const BATCH = 3;

/** Batch norm with non-trivial statistics, so a wrong epsilon, order or axis shows (fresh BN is the identity). */
function randomiseBatchNorm(model: tf.LayersModel, seed: number): void {
  const rand = mulberry32(seed);
  const u = (lo: number, hi: number) => lo + (hi - lo) * rand();
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    // tfjs' order: gamma, beta, moving mean, moving variance.
    layer.setWeights(
      layer.getWeights().map((w, i) => {
        const [lo, hi] = [
          [0.5, 1.5],
          [-0.2, 0.2],
          [-0.2, 0.2],
          [0.5, 1.5],
        ][i];
        return tf.tensor(
          Array.from({ length: w.size }, () => u(lo, hi)),
          w.shape,
        );
      }),
    );
  }
}

// Loads the project, runs the input through it in inference mode, and prints
// the probabilities and, when the model ends in a softmax, the logits model.py returns under it.
const COMPARE_PY = `
import json, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
import model as model_py
from model import build_model, load_weights
model = load_weights(build_model())
shape = [int(d) for d in sys.argv[3].split(",")]
x = np.fromfile(sys.argv[2], dtype="<f4").reshape(shape)
probs = model(x, training=False).numpy()
out = {"probs": probs.ravel().tolist(), "trainable": int(sum(np.prod(w.shape) for w in model.trainable_weights))}
if model_py.ENDS_IN_SOFTMAX:
    out["logits"] = load_weights(build_model(logits=True))(x, training=False).numpy().ravel().tolist()
print(json.dumps(out))
`;

function tfjsOutputs(model: tf.LayersModel, x: tf.Tensor): { probs: Float32Array; logits: Float32Array } {
  return tf.tidy(() => {
    const last = model.layers[model.layers.length - 1];
    const features = tf.model({ inputs: model.inputs, outputs: last.input }).predict(x) as tf.Tensor;
    const [kernel, bias] = last.getWeights();
    return {
      probs: (model.predict(x) as tf.Tensor).dataSync() as Float32Array,
      logits: tf.add(tf.matMul(features, kernel), bias).dataSync() as Float32Array,
    };
  });
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

function compare(
  label: string,
  model: tf.LayersModel,
  seed: number,
): { logits: number; probs: number; trainable: number } {
  randomiseBatchNorm(model, seed);
  const dir = path.join(tmp, label);
  writeKerasProject(dir, model, { experiment: label, file: 'test.ts', weightsFrom: 'test' });
  const rand = mulberry32(seed + 1);
  const shape = [BATCH, ...INFO.inputShape];
  const input = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 2 * rand() - 1);
  fs.writeFileSync(path.join(tmp, `${label}-x.bin`), Buffer.from(input.buffer));
  fs.writeFileSync(path.join(tmp, 'compare.py'), COMPARE_PY);
  const p = spawnSync(
    tfPython(),
    [path.join(tmp, 'compare.py'), dir, path.join(tmp, `${label}-x.bin`), shape.join(',')],
    { encoding: 'utf8', timeout: 300_000, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } },
  );
  assert.equal(p.status, 0, p.stderr);
  const keras = JSON.parse(p.stdout.trim().split('\n').pop()!) as {
    probs: number[];
    logits: number[];
    trainable: number;
  };
  const x = tf.tensor(input, shape);
  const js = tfjsOutputs(model, x);
  x.dispose();
  const result = {
    logits: maxAbsDiff(js.logits, keras.logits),
    probs: maxAbsDiff(js.probs, keras.probs),
    trainable: keras.trainable,
  };
  console.log(
    `${label}: max |logit difference| ${result.logits.toExponential(2)}, max |probability difference| ${result.probs.toExponential(2)} (logits up to ${Math.max(...js.logits.map(Math.abs)).toFixed(2)})`,
  );
  return result;
}

test('ResNet-20 option A: the Keras export returns the tfjs logits within 1e-4', { skip, timeout: 600_000 }, () => {
  setInitSeed(1);
  const model = resnetCifar({ depth: 20 })(INFO);
  const r = compare('resnet20', model, 11);
  assert.ok(r.logits < 1e-4, `logits differ by ${r.logits}`);
  assert.ok(r.probs < 1e-4, `probabilities differ by ${r.probs}`);
  assert.equal(r.trainable, 269_722); // the paper's count, in Keras too
  const py = fs.readFileSync(path.join(tmp, 'resnet20', 'model.py'), 'utf8');
  assert.match(py, /y = layers\.Add\(name="stage2_block1_add"\)\(\[shortcut, f\]\)/);
  assert.match(py, /shortcut = ZeroPadShortcut\(stride=2, out_channels=32/);
  model.dispose();
});

test(
  'pre-activation ResNet-20: the Keras export returns the tfjs logits within 1e-4',
  { skip, timeout: 600_000 },
  () => {
    setInitSeed(2);
    const model = preactResnetCifar({ depth: 20 })(INFO);
    const r = compare('preact20', model, 22);
    assert.ok(r.logits < 1e-4, `logits differ by ${r.logits}`);
    assert.ok(r.probs < 1e-4, `probabilities differ by ${r.probs}`);
    model.dispose();
  },
);

/** The README's hand-written functional model: conv, add, global pool, dense softmax, tfjs' default names. */
function handWritten(): tf.LayersModel {
  const input = tf.input({ shape: INFO.inputShape });
  const x = tf.layers
    .conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' })
    .apply(input) as tf.SymbolicTensor;
  const f = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  const y = tf.layers.add().apply([x, f]) as tf.SymbolicTensor;
  const p = tf.layers.globalAveragePooling2d({}).apply(y) as tf.SymbolicTensor;
  return tf.model({
    inputs: input,
    outputs: tf.layers.dense({ units: INFO.numClasses, activation: 'softmax' }).apply(p) as tf.SymbolicTensor,
  });
}

test(
  'a hand-written functional model: the Keras export returns the tfjs logits within 1e-4',
  { skip, timeout: 600_000 },
  () => {
    setInitSeed(3);
    const model = handWritten();
    // Non-zero biases, so that a bias left out shows.
    for (const layer of model.layers)
      if (layer.getWeights().length === 2)
        layer.setWeights([
          layer.getWeights()[0],
          tf.randomUniform(layer.getWeights()[1].shape, -0.3, 0.3, 'float32', 4),
        ]);
    const r = compare('handwritten', model, 33);
    assert.ok(r.logits < 1e-4, `logits differ by ${r.logits}`);
    assert.ok(r.probs < 1e-4, `probabilities differ by ${r.probs}`);
    model.dispose();
  },
);

class Scale extends tf.layers.Layer {
  static className = 'MyScale';
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.mul(Array.isArray(inputs) ? inputs[0] : inputs, 2);
  }
}

test('a custom layer with no Keras counterpart: one message naming it, nothing written', () => {
  const input = tf.input({ shape: [4] });
  const scaled = new Scale({ name: 'double_it' }).apply(input) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(scaled) as tf.SymbolicTensor });
  const dir = path.join(tmp, 'custom');
  assert.throws(
    () => writeKerasProject(dir, model, { experiment: 'custom', file: 't.ts', weightsFrom: 'test' }),
    (e: Error) => e instanceof Untranslatable && e.message === 'layer double_it (MyScale) has no Keras counterpart',
  );
  assert.equal(fs.existsSync(dir), false);
  assert.deepEqual(
    fs.readdirSync(tmp).filter((f) => f.startsWith('custom')),
    [],
  );
});
