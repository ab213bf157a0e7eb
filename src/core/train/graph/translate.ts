// Translates a tfjs layers model into TensorFlow graph ops, layer by layer:
// the same ops tfjs-node would run one at a time (Conv2D, FusedBatchNormV3,
// Relu, AddV2, ...), now as one graph that TensorFlow can optimise and
// differentiate (TF_AddGradientsWithPrefix). A layer with no translation stops
// it with a reason naming the layer; the trainer then trains eagerly.
import type * as tfjs from '@tensorflow/tfjs';
import { Attr, DT, Out } from './addon';
import { topoOrder } from '../../graph/topoOrder';
import { GraphBuilder, Variable } from './builder';

export class Untranslatable extends Error {}

/** The model's weights as graph variables, shared by the training and inference graphs. */
export type VariableMap = Map<tfjs.LayerVariable, Variable>;

export interface Translation {
  /** The model's output (probabilities for a softmax classifier). */
  output: Out;
  /** The logits under a final softmax, when the model ends in one (what the loss reads, as in ./head.ts). */
  logits?: Out;
  /** Ops that write batch norm's moving statistics (training only). */
  updates: string[];
}

interface Ctx {
  b: GraphBuilder;
  training: boolean;
  vars: VariableMap;
  updates: string[];
  outputLayer: tfjs.layers.Layer;
  logits?: Out;
}

type Config = Record<string, unknown>;
type Handler = (
  c: Ctx,
  layer: tfjs.layers.Layer,
  inputs: Out[],
  config: Config,
  name: string,
  inputShapes: tfjs.Shape[],
) => Out;

/** Forward pass of `model` on `input` (NHWC float), in training or inference mode. */
export function translate(
  b: GraphBuilder,
  model: tfjs.LayersModel,
  input: Out,
  training: boolean,
  vars: VariableMap,
): Translation {
  if (model.inputs.length !== 1 || model.outputs.length !== 1)
    throw new Untranslatable(
      `the model has ${model.inputs.length} inputs and ${model.outputs.length} outputs; graph mode takes one of each`,
    );
  const ctx: Ctx = { b, training, vars, updates: [], outputLayer: model.outputs[0].sourceLayer as tfjs.layers.Layer };
  const done = new Map<number, Out>([[model.inputs[0].id, input]]);
  for (const { t, inputs } of topoOrder(model)) {
    if (done.has(t.id)) continue; // the model's input
    if (inputs.length === 0)
      throw new Untranslatable(`layer ${t.sourceLayer.name} has no inputs and is not the model's input`);
    done.set(
      t.id,
      layerOp(
        ctx,
        t,
        inputs.map((i) => done.get(i.id)!),
      ),
    );
  }
  return { output: done.get(model.outputs[0].id)!, logits: ctx.logits, updates: ctx.updates };
}

function layerOp(c: Ctx, t: tfjs.SymbolicTensor, inputs: Out[]): Out {
  const layer = t.sourceLayer as tfjs.layers.Layer;
  const kind = layer.getClassName();
  const handler = HANDLERS[kind];
  if (!handler) throw new Untranslatable(`layer ${layer.name} (${kind}) has no graph translation`);
  if ((t.outputTensorIndex ?? 0) !== 0) throw new Untranslatable(`layer ${layer.name} (${kind}) has several outputs`);
  return handler(
    c,
    layer,
    inputs,
    layer.getConfig() as Config,
    c.b.name(layer.name),
    (t.inputs ?? []).map((i) => i.shape),
  );
}

// ---------------------------------------------------------------- helpers

function variableOf(c: Ctx, layer: tfjs.layers.Layer, field: string): Variable | undefined {
  const v = (layer as unknown as Record<string, tfjs.LayerVariable | null | undefined>)[field];
  if (!v) return undefined;
  const found = c.vars.get(v);
  if (!found) throw new Untranslatable(`layer ${layer.name}: its ${field} is not one of the model's weights`);
  return found;
}

const ACTIVATIONS: Record<string, string | null> = {
  linear: null,
  relu: 'Relu',
  relu6: 'Relu6',
  elu: 'Elu',
  selu: 'Selu',
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  softplus: 'Softplus',
  softsign: 'Softsign',
  softmax: 'Softmax',
};

/** Applies a named activation; the logits under the model's final softmax are kept for the loss. */
function activation(c: Ctx, layer: tfjs.layers.Layer, x: Out, name: unknown, opName: string, rank: number): Out {
  const key = typeof name === 'string' ? name : 'linear';
  if (!(key in ACTIVATIONS))
    throw new Untranslatable(`layer ${layer.name}: activation '${key}' has no graph translation`);
  const op = ACTIVATIONS[key];
  if (op === null) return x;
  if (op === 'Softmax') {
    if (rank !== 2) throw new Untranslatable(`layer ${layer.name}: softmax over a rank-${rank} tensor`);
    if (layer === c.outputLayer) c.logits = x;
  }
  return c.b.f(op, `${opName}/${key}`, [x]);
}

function pair(v: unknown, layer: tfjs.layers.Layer, what: string): [number, number] {
  const a = Array.isArray(v) ? v : [v, v];
  if (a.length !== 2 || !a.every((n) => Number.isInteger(n)))
    throw new Untranslatable(`layer ${layer.name}: ${what} ${JSON.stringify(v)}`);
  return [a[0] as number, a[1] as number];
}

function channelsLast(layer: tfjs.layers.Layer, config: Config): void {
  if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast')
    throw new Untranslatable(`layer ${layer.name}: data format ${String(config.dataFormat)}`);
}

function padding(layer: tfjs.layers.Layer, config: Config): string {
  if (config.padding === 'same') return 'SAME';
  if (config.padding === 'valid') return 'VALID';
  throw new Untranslatable(`layer ${layer.name}: padding '${String(config.padding)}'`);
}

function rankOf(layer: tfjs.layers.Layer): number {
  return (layer.outputShape as number[]).length;
}

/** Adds the inputs one after the other, as tfjs' merge layers do. */
function chain(c: Ctx, op: string, inputs: Out[], name: string): Out {
  return inputs.slice(1).reduce((acc, x, i) => c.b.f(op, `${name}/${i}`, [acc, x]), inputs[0]);
}

// ---------------------------------------------------------------- layers

const HANDLERS: Record<string, Handler> = {
  Conv2D(c, layer, [x], config, name) {
    channelsLast(layer, config);
    const [sh, sw] = pair(config.strides, layer, 'strides');
    const [dh, dw] = pair(config.dilationRate ?? 1, layer, 'dilation');
    let y = c.b.f(
      'Conv2D',
      name,
      [x, variableOf(c, layer, 'kernel')!.read],
      [
        ['strides', 'ints', [1, sh, sw, 1]],
        ['padding', 'string', padding(layer, config)],
        ['dilations', 'ints', [1, dh, dw, 1]],
        ['data_format', 'string', 'NHWC'],
      ],
    );
    const bias = config.useBias ? variableOf(c, layer, 'bias') : undefined;
    if (bias) y = c.b.f('BiasAdd', `${name}/bias`, [y, bias.read]);
    return activation(c, layer, y, config.activation, name, 4);
  },

  Dense(c, layer, [x], config, name) {
    if (rankOf(layer) !== 2)
      throw new Untranslatable(`layer ${layer.name}: a dense layer on a rank-${rankOf(layer)} tensor`);
    let y = c.b.f('MatMul', name, [x, variableOf(c, layer, 'kernel')!.read]);
    const bias = config.useBias ? variableOf(c, layer, 'bias') : undefined;
    if (bias) y = c.b.f('BiasAdd', `${name}/bias`, [y, bias.read]);
    return activation(c, layer, y, config.activation, name, 2);
  },

  BatchNormalization(c, layer, [x], config, name) {
    const axis = config.axis as number;
    if (rankOf(layer) !== 4 || !(axis === -1 || axis === 3))
      throw new Untranslatable(`layer ${layer.name}: batch norm over axis ${axis} of a rank-${rankOf(layer)} tensor`);
    const channels = (layer.outputShape as number[])[3];
    const gamma = config.scale
      ? variableOf(c, layer, 'gamma')!.read
      : c.b.floatConst(`${name}/ones`, new Array(channels).fill(1), [channels]);
    const beta = config.center
      ? variableOf(c, layer, 'beta')!.read
      : c.b.floatConst(`${name}/zeros`, new Array(channels).fill(0), [channels]);
    const movingMean = variableOf(c, layer, 'movingMean')!;
    const movingVariance = variableOf(c, layer, 'movingVariance')!;
    const attrs = (training: boolean): Attr[] => [
      ['U', 'type', DT.float],
      ['epsilon', 'float', config.epsilon as number],
      ['is_training', 'bool', training],
      ['data_format', 'string', 'NHWC'],
    ];
    if (!c.training) {
      return c.b.f('FusedBatchNormV3', name, [x, gamma, beta, movingMean.read, movingVariance.read], [...attrs(false)]);
    }
    const empty = c.b.floatConst(`${name}/empty`, [], [0]);
    const y = c.b.f('FusedBatchNormV3', name, [x, gamma, beta, empty, empty], [...attrs(true)]);
    // FusedBatchNormV3 returns the unbiased variance; tfjs averages the biased
    // one (what normalised the batch) into its moving variance. n = N*H*W.
    const shape = c.b.op(
      'Shape',
      `${name}/shape`,
      [x],
      [
        ['T', 'type', DT.float],
        ['out_type', 'type', DT.int32],
      ],
    );
    const nhw = c.b.op(
      'Slice',
      `${name}/nhw`,
      [shape, c.b.intConst(`${name}/b`, [0]), c.b.intConst(`${name}/s`, [3])],
      [
        ['T', 'type', DT.int32],
        ['Index', 'type', DT.int32],
      ],
    );
    const n = c.b.op(
      'Cast',
      `${name}/n`,
      [
        c.b.op(
          'Prod',
          `${name}/count`,
          [nhw, c.b.intConst(`${name}/ax`, [0])],
          [
            ['T', 'type', DT.int32],
            ['Tidx', 'type', DT.int32],
          ],
        ),
      ],
      [
        ['SrcT', 'type', DT.int32],
        ['DstT', 'type', DT.float],
      ],
    );
    const one = c.b.floatConst(`${name}/one`, [1]);
    const biasedVar = c.b.f('Mul', `${name}/biased_var`, [
      [y[0], 2],
      c.b.f('RealDiv', `${name}/n_1_n`, [c.b.f('Sub', `${name}/n_1`, [n, one]), n]),
    ]);
    const decay = c.b.floatConst(`${name}/decay`, [1 - (config.momentum as number)]);
    // moving -= (moving - batch) * (1 - momentum), as tfjs-layers' doMovingAverage
    for (const [v, batch, tag] of [
      [movingMean, [y[0], 1] as Out, 'mean'],
      [movingVariance, biasedVar, 'variance'],
    ] as const) {
      const delta = c.b.f('Mul', `${name}/${tag}_delta`, [c.b.f('Sub', `${name}/${tag}_diff`, [v.read, batch]), decay]);
      c.updates.push(
        c.b.op('AssignSubVariableOp', `${name}/update_${tag}`, [v.handle, delta], [['dtype', 'type', DT.float]])[0],
      );
    }
    return y;
  },

  Activation(c, layer, [x], config, name) {
    return activation(c, layer, x, config.activation, name, rankOf(layer));
  },

  ReLU(c, layer, [x], config, name) {
    if (config.maxValue != null) throw new Untranslatable(`layer ${layer.name}: ReLU with a maximum value`);
    return c.b.f('Relu', name, [x]);
  },

  Softmax(c, layer, [x], config, name) {
    if (!(config.axis === -1 || config.axis === undefined))
      throw new Untranslatable(`layer ${layer.name}: softmax over axis ${String(config.axis)}`);
    return activation(c, layer, x, 'softmax', name, rankOf(layer));
  },

  Add: (c, _l, inputs, _c, name) => chain(c, 'AddV2', inputs, name),
  Multiply: (c, _l, inputs, _c, name) => chain(c, 'Mul', inputs, name),

  Concatenate(c, layer, inputs, config, name) {
    const rank = rankOf(layer);
    const axis = (config.axis as number) < 0 ? rank + (config.axis as number) : (config.axis as number);
    return c.b.op(
      'ConcatV2',
      name,
      [inputs, c.b.intConst(`${name}/axis`, [axis], [])],
      [
        ['T', 'type', DT.float],
        ['N', 'int', inputs.length],
        ['Tidx', 'type', DT.int32],
      ],
    );
  },

  GlobalAveragePooling2D(c, layer, [x], config, name) {
    channelsLast(layer, config);
    return c.b.f('Mean', name, [x, c.b.intConst(`${name}/axes`, [1, 2])], [['Tidx', 'type', DT.int32]]);
  },

  GlobalMaxPooling2D(c, layer, [x], config, name) {
    channelsLast(layer, config);
    return c.b.f('Max', name, [x, c.b.intConst(`${name}/axes`, [1, 2])], [['Tidx', 'type', DT.int32]]);
  },

  MaxPooling2D: (c, layer, [x], config, name) => pool(c, 'MaxPool', layer, x, config, name),
  AveragePooling2D: (c, layer, [x], config, name) => pool(c, 'AvgPool', layer, x, config, name),

  Flatten(c, layer, [x], _config, name) {
    const size = (layer.outputShape as number[])[1];
    return c.b.f('Reshape', name, [x, c.b.intConst(`${name}/shape`, [-1, size])], [['Tshape', 'type', DT.int32]]);
  },

  Reshape(c, layer, [x], _config, name) {
    const shape = (layer.outputShape as (number | null)[]).slice(1) as number[];
    return c.b.f('Reshape', name, [x, c.b.intConst(`${name}/shape`, [-1, ...shape])], [['Tshape', 'type', DT.int32]]);
  },

  ZeroPadding2D(c, layer, [x], config, name) {
    channelsLast(layer, config);
    const p = config.padding as [[number, number], [number, number]];
    return c.b.f(
      'Pad',
      name,
      [x, c.b.intConst(`${name}/pads`, [0, 0, ...p[0], ...p[1], 0, 0], [4, 2])],
      [['Tpaddings', 'type', DT.int32]],
    );
  },

  Dropout(c, layer, [x], config) {
    if ((config.rate as number) > 0 && c.training)
      throw new Untranslatable(`layer ${layer.name}: dropout with rate ${String(config.rate)}`);
    return x;
  },

  // Option A's shortcut (src/core/lib/shortcuts.ts): x[:, ::s, ::s, :], then zero channels appended.
  ZeroPadShortcut(c, _layer, [x], config, name, [inputShape]) {
    const stride = config.stride as number;
    const inChannels = inputShape[3] as number;
    const sub =
      stride === 1
        ? x
        : c.b.f(
            'StridedSlice',
            `${name}/subsample`,
            [
              x,
              c.b.intConst(`${name}/begin`, [0, 0, 0, 0]),
              c.b.intConst(`${name}/end`, [0, 0, 0, 0]),
              c.b.intConst(`${name}/strides`, [1, stride, stride, 1]),
            ],
            [
              ['Index', 'type', DT.int32],
              ['begin_mask', 'int', 15],
              ['end_mask', 'int', 15],
            ],
          );
    const extra = (config.outChannels as number) - inChannels;
    if (extra <= 0) return sub;
    return c.b.f(
      'Pad',
      name,
      [sub, c.b.intConst(`${name}/pads`, [0, 0, 0, 0, 0, 0, 0, extra], [4, 2])],
      [['Tpaddings', 'type', DT.int32]],
    );
  },
};

function pool(c: Ctx, op: string, layer: tfjs.layers.Layer, x: Out, config: Config, name: string): Out {
  channelsLast(layer, config);
  const [ph, pw] = pair(config.poolSize, layer, 'pool size');
  const [sh, sw] = pair(config.strides ?? config.poolSize, layer, 'strides');
  return c.b.f(
    op,
    name,
    [x],
    [
      ['ksize', 'ints', [1, ph, pw, 1]],
      ['strides', 'ints', [1, sh, sw, 1]],
      ['padding', 'string', padding(layer, config)],
      ['data_format', 'string', 'NHWC'],
    ],
  );
}
