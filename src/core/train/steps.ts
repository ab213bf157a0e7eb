// One training step and one evaluation pass, kept apart from the loop's
// bookkeeping. All tensors are made and freed here.
import type * as tfjs from '@tensorflow/tfjs';
import { Batch } from '../data/batches';
import type { DataInfo } from '../lib/types';
import type { TopK } from '../runs/predictionsFile';
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
  /** Each example's k likeliest classes and their probabilities, in the batches' order, when asked for. */
  top?: TopK;
}

/** The k of an evaluation's top-k: 3, or every class when there are fewer. */
export const topKOf = (info: DataInfo): number => Math.min(3, info.numClasses);

/** Gathers per-batch top-k results into one TopK for the whole split. */
export class TopKCollector {
  private readonly classes: Int32Array[] = [];
  private readonly probs: Float32Array[] = [];
  constructor(readonly k: number) {}
  add(classes: Int32Array, probs: Float32Array): void {
    this.classes.push(classes);
    this.probs.push(probs);
  }
  result(): TopK {
    return { k: this.k, classes: concat(Int32Array, this.classes), probs: concat(Float32Array, this.probs) };
  }
}

function concat<T extends Int32Array | Float32Array>(make: new (n: number) => T, parts: T[]): T {
  const out = new make(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Inference-mode pass over a whole split in batches; with `withTop`, also each example's top-k (same pass). */
export async function evaluate(
  tf: TF,
  model: tfjs.LayersModel,
  info: DataInfo,
  batches: Iterable<Batch>,
  withTop = false,
): Promise<EvalResult> {
  let lossSum = 0,
    wrongSum = 0,
    count = 0;
  const [h, w, c] = info.inputShape;
  const top = withTop ? new TopKCollector(topKOf(info)) : undefined;
  for (const batch of batches) {
    const outs = tf.tidy((): tfjs.Tensor[] => {
      const x = tf.tensor4d(batch.x, [batch.size, h, w, c]);
      const y = tf.tensor1d(batch.labels, 'int32');
      const head = headOf(tf, model);
      const scores = head.scores(x, false);
      const lossAndWrong = [
        crossEntropy(tf, scores, head.fromLogits, y, info.numClasses).mul(batch.size),
        tf.sum(tf.notEqual(tf.argMax(scores, -1), y).toInt()),
      ];
      if (!top) return lossAndWrong;
      const { values, indices } = tf.topk(head.fromLogits ? tf.softmax(scores) : scores, top.k);
      return [...lossAndWrong, indices, values];
    });
    const [l, e, classes, probs] = await Promise.all(outs.map((t) => t.data()));
    tf.dispose(outs);
    lossSum += l[0];
    wrongSum += e[0];
    count += batch.size;
    top?.add(Int32Array.from(classes), Float32Array.from(probs));
  }
  return {
    loss: lossSum / Math.max(1, count),
    error: wrongSum / Math.max(1, count),
    ...(top ? { top: top.result() } : {}),
  };
}
