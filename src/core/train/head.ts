// How the loss reads a model's output. Models end in a softmax (the Keras
// convention, and the library's classifier), but cross-entropy taken from the
// probabilities loses the gradient of every example whose probability of its
// true class underflows or is clipped: a net that became confidently wrong
// after a rough start then cannot unlearn it. Keras takes the logits from
// under a softmax op, PyTorch never applies one; so do we, as the same
// layers and weights without the final softmax.
import type * as tfjs from '@tensorflow/tfjs';

type TF = typeof tfjs;

export interface Head {
  /** What the loss reads: logits when the model ends in a softmax, else its probabilities. */
  scores: (x: tfjs.Tensor, training: boolean) => tfjs.Tensor;
  fromLogits: boolean;
}

const heads = new WeakMap<tfjs.LayersModel, Head>();

export function headOf(tf: TF, model: tfjs.LayersModel): Head {
  let head = heads.get(model);
  if (!head) {
    head = logitsHead(tf, model) ?? {
      scores: (x, training) => model.apply(x, { training }) as tfjs.Tensor,
      fromLogits: false,
    };
    heads.set(model, head);
  }
  return head;
}

function logitsHead(tf: TF, model: tfjs.LayersModel): Head | undefined {
  if (model.outputs.length !== 1) return undefined;
  const last = model.outputs[0].sourceLayer;
  const config = last.getConfig() as { activation?: string; axis?: number; useBias?: boolean };
  const kind = last.getClassName();
  const softmax =
    kind === 'Activation' || kind === 'Dense'
      ? config.activation === 'softmax'
      : kind === 'Softmax' && (config.axis ?? -1) === -1;
  if (!softmax) return undefined;
  let below: tfjs.SymbolicTensor;
  try {
    below = last.input as tfjs.SymbolicTensor; // throws for a layer used more than once
  } catch {
    return undefined;
  }
  if (Array.isArray(below)) return undefined;
  const trunk = tf.model({ inputs: model.inputs, outputs: below });
  if (kind !== 'Dense')
    return { scores: (x, training) => trunk.apply(x, { training }) as tfjs.Tensor, fromLogits: true };
  if (below.shape.length !== 2) return undefined;
  const [kernel, bias] = last.trainableWeights.length ? last.trainableWeights : last.weights;
  if (!kernel || kernel.shape.length !== 2) return undefined;
  const withBias = config.useBias !== false && bias !== undefined;
  return {
    fromLogits: true,
    scores: (x, training) => {
      const features = trunk.apply(x, { training }) as tfjs.Tensor2D;
      const z = tf.matMul(features, kernel.read());
      return withBias ? tf.add(z, bias.read()) : z;
    },
  };
}

/** Mean cross-entropy of the scores against class indices. */
export function crossEntropy(
  tf: TF,
  scores: tfjs.Tensor,
  fromLogits: boolean,
  labels: tfjs.Tensor1D,
  numClasses: number,
): tfjs.Scalar {
  const oneHot = tf.oneHot(labels, numClasses);
  if (fromLogits) {
    // log-softmax, computed stably: every example keeps its gradient (1 - p) however wrong it is.
    const logProbs = tf.logSoftmax(scores);
    return tf.neg(tf.mean(tf.sum(tf.mul(logProbs, oneHot), -1))) as tfjs.Scalar;
  }
  // Probabilities only: floored just above float32's smallest normal number, so
  // only a true underflow loses its gradient. maximum, not clipByValue: the wasm
  // backend's clip turns NaN into the bound, which would hide a diverged net.
  const p = tf.maximum(tf.sum(tf.mul(scores, oneHot), -1), 1e-37);
  return tf.neg(tf.mean(tf.log(p))) as tfjs.Scalar;
}
