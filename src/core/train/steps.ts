// One training step and one evaluation pass, kept apart from the loop's
// bookkeeping. All tensors are made and freed here.
import type * as tfjs from '@tensorflow/tfjs';
import { Batch } from '../data/batches';
import type { DataInfo } from '../lib/types';
import { crossEntropy, headOf } from './head';

type TF = typeof tfjs;

export interface StepResult {
  loss: number;
  errors: number;
  /** Per-layer gradient L2 norms, when asked for. */
  gradNorms?: { name: string; norm: number }[];
}

export interface StepContext {
  tf: TF;
  model: tfjs.LayersModel;
  info: DataInfo;
  vars: tfjs.LayerVariable[];
  /** Layer name of each trainable variable, for gradient norms. */
  layerOf: string[];
  apply: (grads: tfjs.Tensor[], lr: number) => void;
}

export async function trainStep(ctx: StepContext, batch: Batch, lr: number, withNorms: boolean): Promise<StepResult> {
  const { tf, model, info } = ctx;
  const [h, w, c] = info.inputShape;
  const x = tf.tensor4d(batch.x, [batch.size, h, w, c]);
  const y = tf.tensor1d(batch.labels, 'int32');
  let wrong: tfjs.Tensor | undefined;
  const variables = ctx.vars.map((v) => v.read() as tfjs.Variable);
  const head = headOf(tf, model);
  const { value, grads } = tf.variableGrads(() => {
    const scores = head.scores(x, true);
    wrong = tf.keep(tf.sum(tf.notEqual(tf.argMax(scores, -1), y).toInt()));
    return crossEntropy(tf, scores, head.fromLogits, y, info.numClasses);
  }, variables);
  const gradList = variables.map((v) => grads[v.name]);
  let normsTensor: tfjs.Tensor | undefined;
  if (withNorms) normsTensor = layerNorms(tf, ctx.layerOf, gradList);
  // The wasm backend's kernels can turn NaN into ±Infinity and leave the loss finite: a
  // non-finite gradient counts as divergence too (one sum of squares per variable, cheap).
  const gradSquares = tf.tidy(() => tf.addN(gradList.map((g) => tf.sum(tf.square(g)))));
  ctx.apply(gradList, lr);
  const [loss, errors, norms, squares] = await Promise.all([
    value.data(),
    wrong!.data(),
    normsTensor?.data(),
    gradSquares.data(),
  ]);
  tf.dispose([x, y, value, wrong!, normsTensor!, gradSquares, ...gradList].filter(Boolean));
  const result: StepResult = { loss: Number.isFinite(squares[0]) ? loss[0] : NaN, errors: errors[0] };
  if (norms) result.gradNorms = uniqueLayers(ctx.layerOf).map((name, i) => ({ name, norm: norms[i] }));
  return result;
}

function uniqueLayers(layerOf: string[]): string[] {
  return [...new Set(layerOf)];
}

/** sqrt(sum of squared gradients) over each layer's variables, as one tensor to read back once. */
function layerNorms(tf: TF, layerOf: string[], grads: tfjs.Tensor[]): tfjs.Tensor {
  return tf.tidy(() => {
    const names = uniqueLayers(layerOf);
    const sums = names.map((name) =>
      tf.addN(grads.filter((_, i) => layerOf[i] === name).map((g) => tf.sum(tf.square(g)))),
    );
    return tf.sqrt(tf.stack(sums));
  });
}

export interface EvalResult {
  loss: number;
  error: number;
}

/** Inference-mode pass over a whole split in batches. */
export async function evaluate(
  tf: TF,
  model: tfjs.LayersModel,
  info: DataInfo,
  batches: Iterable<Batch>,
): Promise<EvalResult> {
  let lossSum = 0,
    wrongSum = 0,
    count = 0;
  const [h, w, c] = info.inputShape;
  for (const batch of batches) {
    const [loss, wrong] = tf.tidy((): [tfjs.Tensor, tfjs.Tensor] => {
      const x = tf.tensor4d(batch.x, [batch.size, h, w, c]);
      const y = tf.tensor1d(batch.labels, 'int32');
      const head = headOf(tf, model);
      const scores = head.scores(x, false);
      return [
        crossEntropy(tf, scores, head.fromLogits, y, info.numClasses).mul(batch.size),
        tf.sum(tf.notEqual(tf.argMax(scores, -1), y).toInt()),
      ];
    });
    const [l, e] = await Promise.all([loss.data(), wrong.data()]);
    tf.dispose([loss, wrong]);
    lossSum += l[0];
    wrongSum += e[0];
    count += batch.size;
  }
  return { loss: lossSum / Math.max(1, count), error: wrongSum / Math.max(1, count) };
}
