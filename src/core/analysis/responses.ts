// He et al. 2015, Fig. 7: the standard deviation of each 3x3 layer's
// response, taken after its batch normalization and before the ReLU or the
// addition. The layers are the BatchNormalization layers that directly follow
// a 3x3 Conv2D on the main path (convs on a shortcut, i.e. projections, are
// left out); an entry is named by that BN layer, its index is the conv's
// position in the net (1-based). The std is over every element of the BN's
// output (examples x height x width x channels), population form.
//
// A pre-activation net has no BN right after its second conv of a block (it
// feeds the addition), so only the first conv of each block is listed there.
import type * as tfjs from '@tensorflow/tfjs';
import type { ResponsesResult } from '../../protocol/trainer';
import { extractGraph } from '../graph/extract';
import { findShortcuts } from '../graph/shortcuts';
import { execute } from './execute';
import type { EvalData } from './lesion';

type TF = typeof tfjs;

export interface ResponseLayer {
  bn: string;
  conv: string;
}

function kernelSize(layer: tfjs.layers.Layer): number[] {
  const k = (layer.getConfig() as { kernelSize?: number | number[] }).kernelSize;
  return Array.isArray(k) ? k : k === undefined ? [] : [k, k];
}

/** The BN layers measured, in network order. */
export function responseLayers(model: tfjs.LayersModel): ResponseLayer[] {
  const graph = extractGraph(model);
  const onShortcut = new Set(findShortcuts(graph).flatMap((s) => s.via));
  const byName = new Map(model.layers.map((l) => [l.name, l]));
  const inputsOf = new Map<string, string[]>();
  for (const e of graph.edges) inputsOf.set(e.to, [...(inputsOf.get(e.to) ?? []), e.from]);
  const found: ResponseLayer[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization' || onShortcut.has(layer.name)) continue;
    const ins = inputsOf.get(layer.name) ?? [];
    if (ins.length !== 1) continue;
    const conv = byName.get(ins[0]);
    if (!conv || conv.getClassName() !== 'Conv2D' || onShortcut.has(conv.name)) continue;
    const k = kernelSize(conv);
    if (k.length === 2 && k[0] === 3 && k[1] === 3) found.push({ bn: layer.name, conv: conv.name });
  }
  return found;
}

/** Running count, mean and sum of squared deviations, merged batch by batch (Chan et al.). */
interface Moments {
  n: number;
  mean: number;
  m2: number;
}
function merge(a: Moments, b: Moments): Moments {
  if (a.n === 0) return b;
  const n = a.n + b.n,
    delta = b.mean - a.mean;
  return { n, mean: a.mean + (delta * b.n) / n, m2: a.m2 + b.m2 + (delta * delta * a.n * b.n) / n };
}

export async function responseStudy(tf: TF, model: tfjs.LayersModel, data: EvalData): Promise<ResponsesResult> {
  const layers = responseLayers(model);
  const names = layers.map((l) => l.bn);
  const totals = new Map<string, Moments>(names.map((n) => [n, { n: 0, mean: 0, m2: 0 }]));
  const [h, w, c] = data.info.inputShape;
  for (const batch of data.batches) {
    const stats: { name: string; t: tfjs.Tensor; perImage: number }[] = [];
    tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [batch.size, h, w, c]);
      const out = execute(tf, model, x, {
        observeLayers: names,
        observe: (name, t) => {
          // Per image, then merged in float64: a float32 sum over a whole batch loses digits.
          const axes = t.shape.map((_, i) => i).slice(1);
          const { mean, variance } = tf.moments(t, axes);
          stats.push({ name, t: tf.keep(tf.stack([mean, variance])), perImage: t.size / t.shape[0] });
        },
      });
      out.dispose();
    });
    for (const s of stats) {
      const v = await s.t.data();
      s.t.dispose();
      let m = totals.get(s.name)!;
      for (let i = 0; i < batch.size; i++)
        m = merge(m, { n: s.perImage, mean: v[i], m2: v[batch.size + i] * s.perImage });
      totals.set(s.name, m);
    }
    await new Promise<void>((r) => setImmediate(r));
  }
  const testExamples = data.batches.reduce((sum, b) => sum + b.size, 0);
  return {
    testExamples,
    layers: layers.map((l, i) => {
      const m = totals.get(l.bn)!;
      return { name: l.bn, index: i + 1, std: Math.sqrt(m.m2 / Math.max(1, m.n)) };
    }),
  };
}
