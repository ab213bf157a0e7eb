// A layer's weights as the Keras export writes them (weights.json), in the
// order Keras' `layer.set_weights` takes them: each layer kind says its order
// (src/core/layers/). A weight Keras has no place for is Untranslatable.
import type * as tfjs from '@tensorflow/tfjs';
import { Untranslatable } from '../layers/kind';
import { LAYER_KINDS } from '../layers/registry';

export interface KerasWeight {
  /** Keras' name for it within its layer (kernel, bias, gamma, ...). */
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface KerasLayerWeights {
  /** The Keras layer's name (the tfjs name with '/' -> '_': Keras forbids '/'). */
  layer: string;
  tfjsName: string;
  /** In the order Keras' `layer.set_weights` takes them. */
  weights: KerasWeight[];
}

export function layerWeights(layer: tfjs.layers.Layer, kerasName: string): KerasLayerWeights | undefined {
  if (layer.weights.length === 0) return undefined;
  const order = LAYER_KINDS.get(layer.getClassName())?.weights;
  if (!order)
    throw new Untranslatable(`layer ${layer.name} (${layer.getClassName()}) has weights that are not exported`);
  const values = layer.getWeights();
  const byField = new Map(layer.weights.map((w, i) => [w.originalName.split('/').pop()!, { w, v: values[i] }]));
  const weights: KerasWeight[] = [];
  for (const field of order) {
    const found = byField.get(field);
    if (!found) continue;
    byField.delete(field);
    weights.push({ name: field, shape: found.w.shape as number[], values: found.v.dataSync() as Float32Array });
  }
  if (byField.size)
    throw new Untranslatable(`layer ${layer.name}: weight ${[...byField.keys()].join(', ')} has no Keras counterpart`);
  return { layer: kerasName, tfjsName: layer.name, weights };
}
