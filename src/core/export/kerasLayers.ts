// The per-layer translation table of the Keras export (kerasModel.ts): for
// each tfjs layer class, the Keras constructor call that builds the same layer,
// and the order in which Keras takes its weights. A config Keras cannot express
// throws an `Untranslatable` naming the layer.
import type * as tfjs from '@tensorflow/tfjs';
import { call, py } from './kerasPython';

export class Untranslatable extends Error {}

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

export type Config = Record<string, unknown>;
/** A Keras constructor call for a layer, e.g. `layers.ReLU(name="relu1")`. */
type Handler = (layer: tfjs.layers.Layer, config: Config, name: string, inputShapes: tfjs.Shape[]) => string;

/** `3` for [3, 3], else `(3, 5)`; tfjs configs hold either form. */
function square(v: unknown, layer: tfjs.layers.Layer, what: string): string {
  const a = Array.isArray(v) ? v : [v, v];
  if (a.length !== 2 || !a.every((n) => Number.isInteger(n)))
    throw new Untranslatable(`layer ${layer.name}: ${what} ${JSON.stringify(v)} has no Keras counterpart`);
  return a[0] === a[1] ? String(a[0]) : py(a);
}

// ---------------------------------------------------------------- layer handlers

const ACTIVATIONS = new Set([
  'linear',
  'relu',
  'relu6',
  'elu',
  'selu',
  'sigmoid',
  'tanh',
  'softplus',
  'softsign',
  'softmax',
  'swish',
  'gelu',
]);

function activation(layer: tfjs.layers.Layer, name: unknown): string | undefined {
  const key = typeof name === 'string' ? name : 'linear';
  if (!ACTIVATIONS.has(key))
    throw new Untranslatable(`layer ${layer.name}: activation '${key}' has no Keras counterpart`);
  return key === 'linear' ? undefined : py(key);
}

function channelsLast(layer: tfjs.layers.Layer, config: Config): void {
  if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast')
    throw new Untranslatable(
      `layer ${layer.name}: data format ${String(config.dataFormat)} (only channels-last is exported)`,
    );
}

function padding(layer: tfjs.layers.Layer, config: Config): string {
  // 'same' pads identically in tfjs and TensorFlow (the extra row/column at the bottom/right).
  if (config.padding === 'same' || config.padding === 'valid') return py(config.padding);
  throw new Untranslatable(`layer ${layer.name}: padding '${String(config.padding)}' has no Keras counterpart`);
}

const nameArg = (name: string): [string, string] => ['name', py(name)];

export const HANDLERS: Record<string, Handler> = {
  Conv2D(layer, config, name) {
    channelsLast(layer, config);
    const dilation = square(config.dilationRate ?? 1, layer, 'dilation');
    const strides = square(config.strides ?? 1, layer, 'strides');
    return call(
      'layers.Conv2D',
      [String(config.filters), square(config.kernelSize, layer, 'kernel size')],
      [
        ['strides', strides === '1' ? undefined : strides],
        ['padding', padding(layer, config)],
        ['dilation_rate', dilation === '1' ? undefined : dilation],
        ['use_bias', config.useBias ? undefined : 'False'],
        ['activation', activation(layer, config.activation)],
        nameArg(name),
      ],
    );
  },
  Dense(layer, config, name) {
    if ((layer.outputShape as number[]).length !== 2)
      throw new Untranslatable(
        `layer ${layer.name}: a dense layer on a rank-${(layer.outputShape as number[]).length} tensor is not exported`,
      );
    return call(
      'layers.Dense',
      [String(config.units)],
      [
        ['use_bias', config.useBias ? undefined : 'False'],
        ['activation', activation(layer, config.activation)],
        nameArg(name),
      ],
    );
  },
  BatchNormalization(layer, config, name) {
    const axis = config.axis as number;
    if (!(axis === -1 || axis === (layer.outputShape as number[]).length - 1))
      throw new Untranslatable(`layer ${layer.name}: batch norm over axis ${axis} is not exported`);
    // Same update rule in both: moving = momentum * moving + (1 - momentum) * batch.
    return call(
      'layers.BatchNormalization',
      [],
      [
        ['momentum', py(config.momentum)],
        ['epsilon', py(config.epsilon)],
        ['center', config.center === false ? 'False' : undefined],
        ['scale', config.scale === false ? 'False' : undefined],
        nameArg(name),
      ],
    );
  },
  Activation: (layer, config, name) =>
    call('layers.Activation', [activation(layer, config.activation) ?? '"linear"'], [nameArg(name)]),
  ReLU(layer, config, name) {
    return call(
      'layers.ReLU',
      [],
      [['max_value', config.maxValue == null ? undefined : py(config.maxValue)], nameArg(name)],
    );
  },
  Softmax(layer, config, name) {
    if (!(config.axis === -1 || config.axis === undefined))
      throw new Untranslatable(`layer ${layer.name}: softmax over axis ${String(config.axis)} is not exported`);
    return call('layers.Softmax', [], [nameArg(name)]);
  },
  Add: (_l, _c, name) => call('layers.Add', [], [nameArg(name)]),
  Multiply: (_l, _c, name) => call('layers.Multiply', [], [nameArg(name)]),
  Concatenate: (_l, config, name) => call('layers.Concatenate', [], [['axis', py(config.axis ?? -1)], nameArg(name)]),
  GlobalAveragePooling2D(layer, config, name) {
    channelsLast(layer, config);
    return call('layers.GlobalAveragePooling2D', [], [nameArg(name)]);
  },
  GlobalMaxPooling2D(layer, config, name) {
    channelsLast(layer, config);
    return call('layers.GlobalMaxPooling2D', [], [nameArg(name)]);
  },
  MaxPooling2D: (layer, config, name) => pool('layers.MaxPooling2D', layer, config, name),
  AveragePooling2D: (layer, config, name) => pool('layers.AveragePooling2D', layer, config, name),
  Flatten: (_l, _c, name) => call('layers.Flatten', [], [nameArg(name)]),
  Reshape: (_l, config, name) => call('layers.Reshape', [py(config.targetShape)], [nameArg(name)]),
  ZeroPadding2D(layer, config, name) {
    channelsLast(layer, config);
    const p = config.padding as [[number, number], [number, number]];
    return call('layers.ZeroPadding2D', [py(p)], [nameArg(name)]);
  },
  Dropout: (_l, config, name) => call('layers.Dropout', [py(config.rate)], [nameArg(name)]),
  // Option A's shortcut (src/core/lib/shortcuts.ts), defined in model.py.
  ZeroPadShortcut: (_l, config, name) =>
    call(
      'ZeroPadShortcut',
      [],
      [['stride', py(config.stride)], ['out_channels', py(config.outChannels)], nameArg(name)],
    ),
};

function pool(cls: string, layer: tfjs.layers.Layer, config: Config, name: string): string {
  channelsLast(layer, config);
  const size = square(config.poolSize, layer, 'pool size');
  const strides = square(config.strides ?? config.poolSize, layer, 'strides');
  return call(
    cls,
    [size],
    [['strides', strides === size ? undefined : strides], ['padding', padding(layer, config)], nameArg(name)],
  );
}

/** Keras' weight order per layer class, by the tfjs weight's last name component. */
const WEIGHT_ORDER: Record<string, string[]> = {
  Conv2D: ['kernel', 'bias'],
  Dense: ['kernel', 'bias'],
  BatchNormalization: ['gamma', 'beta', 'moving_mean', 'moving_variance'],
};

export function layerWeights(layer: tfjs.layers.Layer, kerasName: string): KerasLayerWeights | undefined {
  if (layer.weights.length === 0) return undefined;
  const order = WEIGHT_ORDER[layer.getClassName()];
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
