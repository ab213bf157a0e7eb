// Thin helpers over tf.layers with the paper's conventions: He initialisation,
// no bias before batch norm, 'same' padding. They keep the block code short
// enough to read like the equations.
import * as tf from '@tensorflow/tfjs';
import { nextSeed } from './seed';

export function heNormal() {
  return tf.initializers.heNormal({ seed: nextSeed() });
}

export function conv(
  x: tf.SymbolicTensor,
  o: { filters: number; kernelSize: number; strides?: number; name: string },
): tf.SymbolicTensor {
  return tf.layers
    .conv2d({
      filters: o.filters,
      kernelSize: o.kernelSize,
      strides: o.strides ?? 1,
      padding: 'same',
      useBias: false,
      kernelInitializer: heNormal(),
      name: o.name,
    })
    .apply(x) as tf.SymbolicTensor;
}

export function batchNorm(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  // Keras' default momentum 0.99 lags far behind in short runs; 0.9 matches
  // PyTorch's 0.1 update rate that the paper's reproductions use.
  return tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5, name }).apply(x) as tf.SymbolicTensor;
}

export function relu(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  return tf.layers.reLU({ name }).apply(x) as tf.SymbolicTensor;
}

/** `y = add([a, b])`, the residual connection itself. */
export function add(inputs: tf.SymbolicTensor[], name: string): tf.SymbolicTensor {
  return tf.layers.add({ name }).apply(inputs) as tf.SymbolicTensor;
}

/** Global average pool, then the classifier: a dense softmax layer. */
export function classifier(x: tf.SymbolicTensor, numClasses: number): tf.SymbolicTensor {
  const pooled = tf.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as tf.SymbolicTensor;
  return tf.layers
    .dense({ units: numClasses, activation: 'softmax', kernelInitializer: heNormal(), name: 'fc' })
    .apply(pooled) as tf.SymbolicTensor;
}
