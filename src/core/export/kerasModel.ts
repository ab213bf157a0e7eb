// Translates a tfjs layers model into Keras 3 Python source, layer by layer,
// and collects its weights in Keras' order. The walk mirrors
// src/core/train/graph/translate.ts (model.outputs -> SymbolicTensor.inputs,
// post-order, no recursion: a ResNet-1202 has thousands of layers), with one
// handler per layer class; a layer with no Keras counterpart stops it with an
// `Untranslatable` naming the layer, before anything is written.
//
// Readability: layers named like the library's blocks (`stage1/block2/conv1`)
// are grouped under a `# stage1/block2` comment and use the paper's names:
// `f` for the residual branch, `shortcut` for the shortcut branch,
// `y = layers.Add(...)([shortcut, f])` for the addition and `x` for a block's
// output. A short name is reused only when the tensor it held is not read
// again; otherwise the layer's own name is used, so the code is always right.
import type * as tfjs from '@tensorflow/tfjs';
import { topoOrder } from '../graph/topoOrder';

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

export interface KerasModelSource {
  /** The body of `build_model()`, indented 4 spaces, ending with its `return`. */
  body: string;
  weights: KerasLayerWeights[];
  /** Whether the ZeroPadShortcut layer is used (model.py defines it either way). */
  usesZeroPad: boolean;
}

type Config = Record<string, unknown>;
/** A Keras constructor call for a layer, e.g. `layers.ReLU(name="relu1")`. */
type Handler = (layer: tfjs.layers.Layer, config: Config, name: string, inputShapes: tfjs.Shape[]) => string;

// ---------------------------------------------------------------- Python literals

function py(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
    return String(v); // JS and Python print 0.9, 1e-5, 16 the same way
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return v.length === 1 ? `(${py(v[0])},)` : `(${v.map(py).join(', ')})`;
  throw new Error(`no Python literal for ${JSON.stringify(v)}`);
}

/** `3` for [3, 3], else `(3, 5)`; tfjs configs hold either form. */
function square(v: unknown, layer: tfjs.layers.Layer, what: string): string {
  const a = Array.isArray(v) ? v : [v, v];
  if (a.length !== 2 || !a.every((n) => Number.isInteger(n)))
    throw new Untranslatable(`layer ${layer.name}: ${what} ${JSON.stringify(v)} has no Keras counterpart`);
  return a[0] === a[1] ? String(a[0]) : py(a);
}

function call(cls: string, positional: string[], kwargs: [string, string | undefined][]): string {
  const args = [...positional, ...kwargs.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`)];
  return `${cls}(${args.join(', ')})`;
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

const HANDLERS: Record<string, Handler> = {
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

function layerWeights(layer: tfjs.layers.Layer, kerasName: string): KerasLayerWeights | undefined {
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

// ---------------------------------------------------------------- naming

/** Where a layer sits in the library's naming: its block and its role there. */
function placeOf(tfjsName: string): { block?: string; role: 'branch' | 'shortcut' | 'add' | 'plain' } {
  const parts = tfjsName.split('/');
  if (parts.length < 2) return { role: 'plain' };
  const si = parts.indexOf('shortcut');
  if (si > 0) return { block: parts.slice(0, si).join('/'), role: 'shortcut' };
  return { block: parts.slice(0, -1).join('/'), role: 'branch' };
}

const PY_KEYWORDS = new Set([
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
  'keras',
  'layers',
  'ops',
  'np',
  'inputs',
  'ZeroPadShortcut',
]);

function identifier(s: string): string {
  let id = s.replace(/[^A-Za-z0-9_]/g, '_');
  if (/^[0-9]/.test(id)) id = `_${id}`;
  if (PY_KEYWORDS.has(id)) id = `${id}_`;
  return id;
}

export function kerasModelSource(model: tfjs.LayersModel): KerasModelSource {
  const order = topoOrder(model);
  // Last position at which each tensor is read (outputs: never overwritten).
  const lastUse = new Map<number, number>();
  order.forEach((n, i) => n.inputs.forEach((t) => lastUse.set(t.id, i)));
  for (const o of model.outputs) lastUse.set(o.id, Infinity);

  const kerasNames = new Set<string>();
  const kerasName = (layer: tfjs.layers.Layer): string => {
    let name = layer.name.replace(/\//g, '_');
    for (let k = 2; kerasNames.has(name); k++) name = `${layer.name.replace(/\//g, '_')}_${k}`;
    kerasNames.add(name);
    return name;
  };

  const varOf = new Map<number, string>(); // tensor id -> Python variable
  const holder = new Map<string, number>(); // Python variable -> tensor id it holds now
  /** `wanted` when the tensor it holds now is not read after position i, else a name of its own. */
  const bind = (t: tfjs.SymbolicTensor, i: number, wanted: string[]): string => {
    for (const v of wanted) {
      const held = holder.get(v);
      if (held === undefined || (lastUse.get(held) ?? -1) <= i) {
        holder.set(v, t.id);
        varOf.set(t.id, v);
        return v;
      }
    }
    throw new Error('unreachable: the last candidate is unique');
  };

  const lines: string[] = [];
  const weights: KerasLayerWeights[] = [];
  let usesZeroPad = false;
  let currentBlock: string | undefined;
  const blocksWithAdd = new Set(
    order
      .filter((n) => n.layer.getClassName() === 'Add')
      .map((n) => placeOf(n.layer.name).block)
      .filter(Boolean),
  );
  const lastOfBlock = new Map<string, number>();
  order.forEach((n, i) => {
    const b = placeOf(n.layer.name).block;
    if (b) lastOfBlock.set(b, i);
  });
  const addSeen = new Set<string>();
  const ownNames = new Set<string>();
  const emitted = new Set<tfjs.layers.Layer>();

  order.forEach((n, i) => {
    const { t, layer } = n;
    const kind = layer.getClassName();
    // The layer's own name: unique, as tfjs layer names are (suffixed if sanitising made two alike).
    const unique = (base: string) => {
      let v = identifier(base);
      for (let k = 2; ownNames.has(v); k++) v = `${identifier(base)}_${k}`;
      ownNames.add(v);
      return v;
    };
    if (emitted.has(layer))
      throw new Untranslatable(
        `layer ${layer.name} (${kind}) is applied more than once; shared layers are not exported`,
      );
    emitted.add(layer);
    if (kind === 'InputLayer') {
      const shape = (t.shape as (number | null)[]).slice(1);
      const v = model.inputs.length === 1 ? bind(t, i, ['inputs']) : bind(t, i, [unique(layer.name)]);
      lines.push(`    ${v} = keras.Input(shape=${py(shape)}, name=${py(kerasName(layer))})`);
      return;
    }
    const handler = HANDLERS[kind];
    if (!handler) throw new Untranslatable(`layer ${layer.name} (${kind}) has no Keras counterpart`);
    if ((t.outputTensorIndex ?? 0) !== 0) throw new Untranslatable(`layer ${layer.name} (${kind}) has several outputs`);
    if (n.inputs.length === 0)
      throw new Untranslatable(`layer ${layer.name} has no inputs and is not the model's input`);
    const name = kerasName(layer);
    const ctor = handler(
      layer,
      layer.getConfig() as Config,
      name,
      n.inputs.map((x) => x.shape),
    );
    if (kind === 'ZeroPadShortcut') usesZeroPad = true;
    const w = layerWeights(layer, name);
    if (w) weights.push(w);

    const place = placeOf(layer.name);
    if (place.block !== currentBlock) {
      currentBlock = place.block;
      if (place.block)
        lines.push('', `    # ${place.block}${blocksWithAdd.has(place.block) ? ': y = shortcut(x) + F(x)' : ''}`);
      else lines.push('');
    }
    const ins = n.inputs.map((x) => varOf.get(x.id)!);
    const short = identifier(layer.name.split('/').pop()!);
    let wanted: string[];
    if (!place.block) wanted = ['x'];
    else if (kind === 'Add') {
      wanted = ['y'];
      addSeen.add(place.block);
    } else if (place.role === 'shortcut') wanted = ['shortcut'];
    else if (addSeen.has(place.block)) wanted = [lastOfBlock.get(place.block) === i ? 'x' : 'y'];
    else wanted = [lastOfBlock.get(place.block) === i ? 'x' : 'f'];
    const v = bind(
      t,
      i,
      [...wanted, short, unique(layer.name)].filter((c, k, a) => a.indexOf(c) === k),
    );
    const arg =
      n.inputs.length === 1 && !['Add', 'Multiply', 'Concatenate'].includes(kind) ? ins[0] : `[${ins.join(', ')}]`;
    lines.push(`    ${v} = ${ctor}(${arg})`);
    // A block ending in its addition (pre-activation) hands `x` to the next one, as the others do.
    if (
      kind === 'Add' &&
      place.block &&
      lastOfBlock.get(place.block) === i &&
      !model.outputs.some((o) => o.id === t.id)
    ) {
      const held = holder.get('x');
      if (held === undefined || (lastUse.get(held) ?? -1) <= i) {
        lines.push('    x = y');
        holder.set('x', t.id);
        varOf.set(t.id, 'x');
      }
    }
  });
  const ins = model.inputs.map((t) => varOf.get(t.id)!);
  const outs = model.outputs.map((t) => varOf.get(t.id)!);
  const one = (a: string[]) => (a.length === 1 ? a[0] : `[${a.join(', ')}]`);
  lines.push(
    '',
    `    return keras.Model(inputs=${one(ins)}, outputs=${one(outs)}, name=${py(identifier(model.name))})`,
  );
  return { body: lines.join('\n').replace(/^\n/, ''), weights, usesZeroPad };
}
