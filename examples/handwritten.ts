// Any functional tfjs model works; the library is a help, not a cage. Here a
// small residual net written by hand: the shortcut is the `add` below.
import * as tf from '@tensorflow/tfjs';
import { DataInfo, experiment, synthetic } from 'resnet-lab';

function residualUnit(x: tf.SymbolicTensor, filters: number, name: string): tf.SymbolicTensor {
  let f = tf.layers
    .conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, name: `${name}_conv1` })
    .apply(x) as tf.SymbolicTensor;
  f = tf.layers.batchNormalization({ name: `${name}_bn1` }).apply(f) as tf.SymbolicTensor;
  f = tf.layers.reLU({ name: `${name}_relu1` }).apply(f) as tf.SymbolicTensor;
  f = tf.layers
    .conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, name: `${name}_conv2` })
    .apply(f) as tf.SymbolicTensor;
  f = tf.layers.batchNormalization({ name: `${name}_bn2` }).apply(f) as tf.SymbolicTensor;
  const y = tf.layers.add({ name: `${name}_add` }).apply([x, f]) as tf.SymbolicTensor; // y = x + F(x)
  return tf.layers.reLU({ name: `${name}_out` }).apply(y) as tf.SymbolicTensor;
}

function tinyResnet({ inputShape, numClasses }: DataInfo): tf.LayersModel {
  const input = tf.input({ shape: inputShape });
  let x = tf.layers
    .conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', name: 'stem' })
    .apply(input) as tf.SymbolicTensor;
  x = residualUnit(x, 16, 'unit1');
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }).apply(x) as tf.SymbolicTensor;
  x = residualUnit(x, 16, 'unit2');
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: numClasses, activation: 'softmax', name: 'classifier' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'tiny-resnet' });
}

export const handwritten = experiment({
  model: tinyResnet,
  data: synthetic({ trainSize: 2000, testSize: 500 }),
  epochs: 3,
  batchSize: 64,
  optimizer: { lr: 0.05 },
});
