// Every registered layer kind (src/core/layers/registry.ts) goes through both
// translations: graph mode's ops (recorded by a stand-in for the native addon,
// so this runs without TensorFlow) and the Keras export's constructor call,
// with its weights in Keras' order. A kind added to the registry without a
// model here fails the first test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { LAYER_KINDS } from '../../src/core/layers/registry';
import { Untranslatable } from '../../src/core/layers/kind';
import { translate, VariableMap } from '../../src/core/train/graph/translate';
import { GraphBuilder } from '../../src/core/train/graph/builder';
import type { Attr, GraphAddon, In } from '../../src/core/train/graph/addon';
import { kerasModelSource } from '../../src/core/export/kerasModel';
import { ZeroPadShortcut } from '../../src/core/lib/shortcuts';

interface RecordedOp {
  type: string;
  name: string;
  inputs: In[];
  attrs: Attr[];
}

/** Records addOp calls: the graph a translation builds, as a list. */
function recordingAddon(ops: RecordedOp[]): GraphAddon {
  const no = () => {
    throw new Error('not in this test');
  };
  return {
    tfVersion: () => 'recording',
    newGraph: () => ({}) as ReturnType<GraphAddon['newGraph']>,
    addOp: (_g, type, name, inputs, attrs) => void ops.push({ type, name, inputs, attrs }),
    addGradients: no,
    graphDef: no,
    newSession: no,
    closeSession: no,
    run: no,
    runSync: no,
  };
}

const image = () => tf.input({ shape: [8, 8, 4] });
/** One small model per layer kind, with the graph ops and the Keras call it must become. */
const CASES: Record<string, { model: () => tf.LayersModel; ops: string[]; keras: RegExp; weights?: string[] }> = {
  Conv2D: {
    model: () => {
      const x = image();
      const y = tf.layers
        .conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'conv' })
        .apply(x) as tf.SymbolicTensor;
      return tf.model({ inputs: x, outputs: y });
    },
    ops: ['Conv2D', 'BiasAdd', 'Relu'],
    keras: /layers\.Conv2D\(6, 3, strides=2, padding="same", activation="relu", name="conv"\)/,
    weights: ['kernel', 'bias'],
  },
  Dense: {
    model: () => {
      const x = tf.input({ shape: [5] });
      const y = tf.layers
        .dense({ units: 3, activation: 'tanh', useBias: false, name: 'fc' })
        .apply(x) as tf.SymbolicTensor;
      return tf.model({ inputs: x, outputs: y });
    },
    ops: ['MatMul', 'Tanh'],
    keras: /layers\.Dense\(3, use_bias=False, activation="tanh", name="fc"\)/,
    weights: ['kernel'],
  },
  BatchNormalization: {
    model: () => {
      const x = image();
      return tf.model({
        inputs: x,
        outputs: tf.layers.batchNormalization({ name: 'bn' }).apply(x) as tf.SymbolicTensor,
      });
    },
    ops: ['FusedBatchNormV3', 'AssignSubVariableOp'],
    keras: /layers\.BatchNormalization\(momentum=0\.99, epsilon=0\.001, name="bn"\)/,
    weights: ['gamma', 'beta', 'moving_mean', 'moving_variance'],
  },
  Activation: {
    model: () => one(tf.layers.activation({ activation: 'sigmoid', name: 'act' })),
    ops: ['Sigmoid'],
    keras: /layers\.Activation\("sigmoid", name="act"\)/,
  },
  ReLU: { model: () => one(tf.layers.reLU({ name: 'r' })), ops: ['Relu'], keras: /layers\.ReLU\(name="r"\)/ },
  Softmax: {
    model: () => {
      const x = tf.input({ shape: [5] });
      return tf.model({ inputs: x, outputs: tf.layers.softmax({ name: 'sm' }).apply(x) as tf.SymbolicTensor });
    },
    ops: ['Softmax'],
    keras: /layers\.Softmax\(name="sm"\)/,
  },
  Add: { model: () => merge(tf.layers.add({ name: 'y' })), ops: ['AddV2'], keras: /layers\.Add\(name="y"\)/ },
  Multiply: {
    model: () => merge(tf.layers.multiply({ name: 'm' })),
    ops: ['Mul'],
    keras: /layers\.Multiply\(name="m"\)/,
  },
  Concatenate: {
    model: () => merge(tf.layers.concatenate({ name: 'cat' })),
    ops: ['ConcatV2'],
    keras: /layers\.Concatenate\(axis=-1, name="cat"\)/,
  },
  MaxPooling2D: {
    model: () => one(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' })),
    ops: ['MaxPool'],
    keras: /layers\.MaxPooling2D\(2, padding="valid", name="pool"\)/,
  },
  AveragePooling2D: {
    model: () => one(tf.layers.averagePooling2d({ poolSize: [2, 2], strides: 1, padding: 'same', name: 'avg' })),
    ops: ['AvgPool'],
    keras: /layers\.AveragePooling2D\(2, strides=1, padding="same", name="avg"\)/,
  },
  GlobalAveragePooling2D: {
    model: () => one(tf.layers.globalAveragePooling2d({ name: 'gap' })),
    ops: ['Mean'],
    keras: /layers\.GlobalAveragePooling2D\(name="gap"\)/,
  },
  GlobalMaxPooling2D: {
    model: () => one(tf.layers.globalMaxPooling2d({ name: 'gmp' })),
    ops: ['Max'],
    keras: /layers\.GlobalMaxPooling2D\(name="gmp"\)/,
  },
  Flatten: {
    model: () => one(tf.layers.flatten({ name: 'flat' })),
    ops: ['Reshape'],
    keras: /layers\.Flatten\(name="flat"\)/,
  },
  Reshape: {
    model: () => one(tf.layers.reshape({ targetShape: [16, 16], name: 'rs' })),
    ops: ['Reshape'],
    keras: /layers\.Reshape\(\(16, 16\), name="rs"\)/,
  },
  ZeroPadding2D: {
    model: () =>
      one(
        tf.layers.zeroPadding2d({
          padding: [
            [1, 2],
            [0, 1],
          ],
          name: 'pad',
        }),
      ),
    ops: ['Pad'],
    keras: /layers\.ZeroPadding2D\(\(\(1, 2\), \(0, 1\)\), name="pad"\)/,
  },
  Dropout: {
    model: () => one(tf.layers.dropout({ rate: 0, name: 'drop' })),
    ops: [],
    keras: /layers\.Dropout\(0, name="drop"\)/,
  },
  ZeroPadShortcut: {
    model: () => one(new ZeroPadShortcut({ stride: 2, outChannels: 8, name: 'shortcut' })),
    ops: ['StridedSlice', 'Pad'],
    keras: /ZeroPadShortcut\(stride=2, out_channels=8, name="shortcut"\)/,
  },
};

function one(layer: tf.layers.Layer): tf.LayersModel {
  const x = image();
  return tf.model({ inputs: x, outputs: layer.apply(x) as tf.SymbolicTensor });
}

function merge(layer: tf.layers.Layer): tf.LayersModel {
  const x = image();
  const a = tf.layers.reLU({ name: 'a' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: layer.apply([x, a]) as tf.SymbolicTensor });
}

/** Graph mode's translation of a model, with its weights as stand-in variables: the op types it adds. */
function graphOps(model: tf.LayersModel, training: boolean): string[] {
  const ops: RecordedOp[] = [];
  const b = new GraphBuilder(recordingAddon(ops));
  const vars: VariableMap = new Map();
  for (const w of model.weights) vars.set(w, b.variable(w.name, w.shape as number[]));
  const input = b.placeholder('input', 1, [-1, ...(model.inputs[0].shape.slice(1) as number[])]);
  const before = ops.length;
  translate(b, model, input, training, vars);
  return ops.slice(before).map((o) => o.type);
}

test('every registered layer kind has a case here, and every case is a registered kind', () => {
  assert.deepEqual(Object.keys(CASES).sort(), [...LAYER_KINDS.keys()].sort());
});

for (const [className, c] of Object.entries(CASES)) {
  test(`${className}: graph ops and Keras constructor`, () => {
    const model = c.model();
    try {
      const ops = graphOps(model, true);
      for (const op of c.ops) assert.ok(ops.includes(op), `${op} in ${JSON.stringify(ops)}`);
      const keras = kerasModelSource(model);
      assert.match(keras.body, c.keras);
      const weights = keras.weights.flatMap((w) => w.weights.map((x) => x.name));
      assert.deepEqual(weights, c.weights ?? []);
    } finally {
      model.layers.forEach((l) => l.dispose());
    }
  });
}

test('a config a kind does not know is Untranslatable naming the layer and the field, in both translations', () => {
  const model = one(tf.layers.dropout({ rate: 0.5, name: 'drop' }));
  assert.throws(
    () => graphOps(model, true),
    (e: Error) => e instanceof Untranslatable && /layer drop: dropout with rate 0.5/.test(e.message),
  );
  // A channels-first convolution: a config a user can write that neither translation takes.
  const first = tf.layers.conv2d({ filters: 2, kernelSize: 3, dataFormat: 'channelsFirst', name: 'nchw' });
  const x = tf.input({ shape: [4, 8, 8] });
  const m = tf.model({ inputs: x, outputs: first.apply(x) as tf.SymbolicTensor });
  for (const translateIt of [() => graphOps(m, false), () => kerasModelSource(m)])
    assert.throws(
      translateIt,
      (e: Error) => e instanceof Untranslatable && /^layer nchw \(Conv2D\): dataFormat: /.test(e.message),
    );
});
