// Thin helpers over tf.layers with the paper's conventions: He initialisation,
// no bias before batch norm, 'same' padding. They keep the block code short
// enough to read like the equations.
import * as tf from '@tensorflow/tfjs';
import { nextSeed } from './seed';

type Initializer = ReturnType<typeof tf.initializers.randomNormal>;
type Shape = number[];

// tfjs does not export its Initializer base class; RandomNormal is reachable
// through an instance, and extending it keeps serialisation standard.
interface Drawing {
  apply(shape: Shape, dtype?: tf.DataType): tf.Tensor;
}
const RandomNormal = tf.initializers.randomNormal({}).constructor as new (args: {
  mean?: number;
  stddev?: number;
  seed?: number;
}) => Drawing;

/** Keras' fan-in rule: rows of a dense kernel; kh * kw * in of a [kh, kw, in, out] conv kernel. */
export function fanIn(shape: Shape): number {
  if (shape.length === 2) return shape[0];
  if (shape.length >= 3 && shape.length <= 5) return shape.slice(0, -1).reduce((a, b) => a * b, 1);
  return Math.sqrt(shape.reduce((a, b) => a * b, 1));
}

/**
 * He et al. 2015 ("Delving deep into rectifiers", Eq. 10), as the ResNet paper
 * and PyTorch's `kaiming_normal_` use it: an untruncated normal with standard
 * deviation sqrt(2 / fan_in). tfjs' own `heNormal` truncates at two standard
 * deviations without correcting the scale, which leaves the weights at about
 * 0.88x that.
 *
 * It draws through tfjs' RandomNormal with the layer's standard deviation, so
 * a saved model.json names a standard `RandomNormal` (with the stddev it drew
 * from, once it has drawn) and loads in tfjs with nothing registered.
 */
class HeNormal extends RandomNormal {
  apply(shape: Shape, dtype?: tf.DataType): tf.Tensor {
    // RandomNormal.apply and getConfig read this field.
    (this as unknown as { stddev: number }).stddev = Math.sqrt(2 / Math.max(1, fanIn(shape)));
    return super.apply(shape, dtype);
  }
}

let useTfjsHeNormal = false;

/** The kernel initialiser of every conv and dense layer the library makes; seeded (`setInitSeed`). */
export function heNormal(): Initializer {
  const seed = nextSeed();
  return useTfjsHeNormal
    ? tf.initializers.heNormal({ seed })
    : (new HeNormal({ mean: 0, seed }) as unknown as Initializer);
}

/**
 * Builds a model with tfjs' truncated `heNormal` instead, the library's
 * initialiser before it followed the paper: only for the README's ablation
 * (examples/init-ablation.ts), so the same seed gives the same draws order.
 */
export function withTfjsHeNormal<A extends unknown[], R>(build: (...args: A) => R): (...args: A) => R {
  return (...args: A) => {
    const before = useTfjsHeNormal;
    useTfjsHeNormal = true;
    try {
      return build(...args);
    } finally {
      useTfjsHeNormal = before;
    }
  };
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
