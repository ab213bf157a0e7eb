// "New ResNet Experiment": the example file it writes. No tsconfig.json goes
// with it: the extension's TypeScript server plugin (src/tsPlugin) points
// `resnet-lab` and `@tensorflow/tfjs` at the declarations it ships, in any
// workspace, so IntelliSense works without the user installing anything.

export function newExperimentSource(): string {
  return `// A ResNet experiment. Click "▶ Train" above an experiment to train it.
import * as tf from '@tensorflow/tfjs';
import { DataInfo, experiment, plainCifar, resnetCifar, synthetic } from 'resnet-lab';

// The paper's ResNet-20 (He et al. 2015): 3 stages of 3 basic blocks, y = relu(x + F(x)).
export const resnet20 = experiment({
  model: resnetCifar({ depth: 20 }),
  data: synthetic(),
  epochs: 5,
});

// The same layers without shortcuts, to see the degradation problem.
export const plain20 = experiment({
  model: plainCifar({ depth: 20 }),
  data: synthetic(),
  epochs: 5,
});

// Or write the model yourself with tf.layers: the residual is one line.
function myNet({ inputShape, numClasses }: DataInfo): tf.LayersModel {
  const input = tf.input({ shape: inputShape });
  const x = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  const f = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  const y = tf.layers.add().apply([x, f]) as tf.SymbolicTensor; // y = x + F(x)
  const pooled = tf.layers.globalAveragePooling2d({}).apply(y) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: numClasses, activation: 'softmax' }).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

export const handWritten = experiment({ model: myNet, data: synthetic({ trainSize: 2000 }), epochs: 3, batchSize: 64 });
`;
}
