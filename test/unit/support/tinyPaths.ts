// A tiny 3-block residual net whose 8 paths' input gradients are worked out
// by hand (float64): what the path analysis is checked against, op by op
// (paths.test.ts) and as one TensorFlow graph (pathsGraph.test.ts).
import * as tf from '@tensorflow/tfjs';
import type { EvalData } from '../../../src/core/analysis/lesion';
import { mulberry32 } from '../../../src/core/data/random';

// The tiny net: input 1x1x4, three blocks y = x + relu(conv1x1(x) + b), then a dense softmax over 3 classes.
export const C = 4,
  CLASSES = 3,
  N = 3;
export function tinyResidualNet(seed: number) {
  const rng = mulberry32(seed);
  const rand = (n: number) => Array.from({ length: n }, () => rng() * 2 - 1);
  const weights = Array.from({ length: N }, () => ({ w: rand(C * C), b: rand(C).map((v) => v * 0.3) }));
  const head = { w: rand(C * CLASSES), b: rand(CLASSES) };
  const input = tf.input({ shape: [1, 1, C], name: 'input' });
  let x: tf.SymbolicTensor = input;
  weights.forEach((p, i) => {
    const conv = tf.layers.conv2d({
      filters: C,
      kernelSize: 1,
      name: `block${i + 1}/conv`,
      weights: [tf.tensor4d(p.w, [1, 1, C, C]), tf.tensor1d(p.b)],
    });
    const f = tf.layers
      .activation({ activation: 'relu', name: `block${i + 1}/relu` })
      .apply(conv.apply(x)) as tf.SymbolicTensor;
    x = tf.layers.add({ name: `block${i + 1}/add` }).apply([f, x]) as tf.SymbolicTensor;
  });
  const flat = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({
      units: CLASSES,
      activation: 'softmax',
      name: 'fc',
      weights: [tf.tensor2d(head.w, [C, CLASSES]), tf.tensor1d(head.b)],
    })
    .apply(flat) as tf.SymbolicTensor;
  return { model: tf.model({ inputs: input, outputs: out, name: 'tiny3' }), weights, head };
}

/**
 * |d loss / d x| for one image through the single path `branches` (block i's
 * branch when branches[i], else its shortcut), by hand in float64: the forward
 * pass of the whole net, then the chain rule along that path only.
 */
export function exactPathGradient(
  net: ReturnType<typeof tinyResidualNet>,
  image: number[],
  label: number,
  branches: boolean[],
): number {
  const matVec = (v: number[], w: number[], cols: number) =>
    Array.from({ length: cols }, (_, j) => v.reduce((s, vi, i) => s + vi * w[i * cols + j], 0));
  let x = image;
  const pre: number[][] = [];
  for (const { w, b } of net.weights) {
    const a = matVec(x, w, C).map((v, j) => v + b[j]);
    pre.push(a);
    x = x.map((xi, j) => xi + Math.max(0, a[j]));
  }
  const z = matVec(x, net.head.w, CLASSES).map((v, j) => v + net.head.b[j]);
  const zMax = Math.max(...z);
  const e = z.map((v) => Math.exp(v - zMax));
  const p = e.map((v) => v / e.reduce((s, u) => s + u, 0));
  const dz = p.map((pj, j) => pj - (j === label ? 1 : 0));
  // d loss / d x3 = W_head · dz
  let g = Array.from({ length: C }, (_, i) => dz.reduce((s, d, j) => s + d * net.head.w[i * CLASSES + j], 0));
  for (let i = N - 1; i >= 0; i--) {
    if (!branches[i]) continue; // the shortcut: the identity, g passes unchanged
    const da = g.map((gj, j) => (pre[i][j] > 0 ? gj : 0));
    g = Array.from({ length: C }, (_, r) => da.reduce((s, d, j) => s + d * net.weights[i].w[r * C + j], 0));
  }
  return Math.sqrt(g.reduce((s, v) => s + v * v, 0));
}

export function tinyData(images: number, seed: number): { data: EvalData; xs: number[][]; labels: number[] } {
  const rng = mulberry32(seed);
  const xs = Array.from({ length: images }, () => Array.from({ length: C }, () => rng() * 2 - 1));
  const labels = Array.from({ length: images }, (_, i) => i % CLASSES);
  const batch = { x: Float32Array.from(xs.flat()), labels: Int32Array.from(labels), size: images };
  return {
    data: { info: { inputShape: [1, 1, C], numClasses: CLASSES }, batches: [batch] } as unknown as EvalData,
    xs,
    labels,
  };
}
