// Config fields several layer kinds share, each checked once: strides and
// sizes given as one number or two, padding, channels-last data, and named
// activations (with the TensorFlow op each is in graph mode).
import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';
import { py } from '../export/kerasPython';
import { Untranslatable } from './kind';

/** `3` or `[3, 3]`: tfjs configs hold either form. */
export const IntPair = z.union([z.number().int(), z.array(z.number().int())]);
export type IntPair = z.infer<typeof IntPair>;

/** [h, w] of a size or stride; a form with other than two numbers is Untranslatable. */
export function pair(v: IntPair, layer: tfjs.layers.Layer, what: string): [number, number] {
  const a = Array.isArray(v) ? v : [v, v];
  if (a.length !== 2) throw new Untranslatable(`layer ${layer.name}: ${what} ${JSON.stringify(v)}`);
  return [a[0], a[1]];
}

/** Keras' form of a size or stride: `3` for [3, 3], else `(3, 5)`. */
export function kerasPair(v: IntPair, layer: tfjs.layers.Layer, what: string): string {
  const a = Array.isArray(v) ? v : [v, v];
  if (a.length !== 2)
    throw new Untranslatable(`layer ${layer.name}: ${what} ${JSON.stringify(v)} has no Keras counterpart`);
  const [h, w] = a;
  return h === w ? String(h) : py([h, w]);
}

// 'same' pads identically in tfjs and TensorFlow (the extra row/column at the bottom/right).
export const Padding = z.enum(['same', 'valid'], { message: "padding must be 'same' or 'valid'" });
export const tfPadding = (p: z.infer<typeof Padding>): string => p.toUpperCase();

export const ChannelsLast = z.literal('channelsLast', { message: 'only channels-last data is translated' }).optional();

/** Named activations: their graph-mode op (null: none), and whether Keras has one of that name. */
const ACTIVATIONS: Record<string, { op: string | null; keras: boolean; graph: boolean }> = {
  linear: { op: null, keras: true, graph: true },
  relu: { op: 'Relu', keras: true, graph: true },
  relu6: { op: 'Relu6', keras: true, graph: true },
  elu: { op: 'Elu', keras: true, graph: true },
  selu: { op: 'Selu', keras: true, graph: true },
  sigmoid: { op: 'Sigmoid', keras: true, graph: true },
  tanh: { op: 'Tanh', keras: true, graph: true },
  softplus: { op: 'Softplus', keras: true, graph: true },
  softsign: { op: 'Softsign', keras: true, graph: true },
  softmax: { op: 'Softmax', keras: true, graph: true },
  swish: { op: null, keras: true, graph: false },
  gelu: { op: null, keras: true, graph: false },
};

export const ActivationName = z.string().optional();

/** The graph op of an activation (null for linear); one without a translation is Untranslatable. */
export function activationOp(layer: tfjs.layers.Layer, name: string | undefined): { key: string; op: string | null } {
  const key = name ?? 'linear';
  const a = ACTIVATIONS[key];
  if (!a?.graph) throw new Untranslatable(`layer ${layer.name}: activation '${key}' has no graph translation`);
  return { key, op: a.op };
}

/** The Keras activation argument (undefined for linear); one Keras does not name is Untranslatable. */
export function kerasActivation(layer: tfjs.layers.Layer, name: string | undefined): string | undefined {
  const key = name ?? 'linear';
  if (!ACTIVATIONS[key]?.keras)
    throw new Untranslatable(`layer ${layer.name}: activation '${key}' has no Keras counterpart`);
  return key === 'linear' ? undefined : py(key);
}
