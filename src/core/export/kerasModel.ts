// Translates a tfjs layers model into Keras 3 Python source, layer by layer,
// and collects its weights in Keras' order. The walk mirrors
// src/core/train/graph/translate.ts (model.outputs -> SymbolicTensor.inputs,
// post-order, no recursion: a ResNet-1202 has thousands of layers); each layer
// kind's Keras constructor is in its module (src/core/layers/); a layer with no Keras counterpart
// stops it with an `Untranslatable` naming the layer, before anything is
// written.
//
// Readability: layers named like the library's blocks (`stage1/block2/conv1`)
// are grouped under a `# stage1/block2` comment and use the paper's names:
// `f` for the residual branch, `shortcut` for the shortcut branch,
// `y = layers.Add(...)([shortcut, f])` for the addition and `x` for a block's
// output. A short name is reused only when the tensor it held is not read
// again; otherwise the layer's own name is used, so the code is always right.
import type * as tfjs from '@tensorflow/tfjs';
import { topoOrder } from '../graph/topoOrder';
import { Untranslatable } from '../layers/kind';
import { LAYER_KINDS } from '../layers/registry';
import { KerasLayerWeights, layerWeights } from './kerasLayers';
import { identifier, py } from './kerasPython';

// Callers catch what kerasModelSource throws, for a model Keras cannot express, from here.
export { Untranslatable };

export interface KerasModelSource {
  /** The body of `build_model()`, indented 4 spaces, ending with its `return`. */
  body: string;
  weights: KerasLayerWeights[];
  /** Whether the ZeroPadShortcut layer is used (model.py defines it either way). */
  usesZeroPad: boolean;
  /** Whether the model ends in a softmax, so that `build_model(logits=True)` returns the logits under it. */
  endsInSoftmax: boolean;
}

/**
 * The model's final softmax, if it has one: a loss must read the logits under it (src/core/train/head.ts
 * says why; Keras on JAX clips the probabilities and the net sticks). A dense layer with a softmax
 * activation is written as a linear dense layer and a softmax layer, so model.py can return either.
 */
function softmaxHead(model: tfjs.LayersModel): { layer: tfjs.layers.Layer; split: boolean } | undefined {
  if (model.outputs.length !== 1) return undefined;
  const layer = model.outputs[0].sourceLayer;
  const config = layer.getConfig() as { activation?: string; axis?: number };
  const kind = layer.getClassName();
  if (kind === 'Dense' && config.activation === 'softmax') return { layer, split: true };
  if ((kind === 'Activation' && config.activation === 'softmax') || (kind === 'Softmax' && (config.axis ?? -1) === -1))
    return { layer, split: false };
  return undefined;
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

export function kerasModelSource(model: tfjs.LayersModel): KerasModelSource {
  const order = topoOrder(model);
  // Last position at which each tensor is read (outputs: never overwritten).
  const lastUse = new Map<number, number>();
  order.forEach((n, i) => n.inputs.forEach((t) => lastUse.set(t.id, i)));
  for (const o of model.outputs) lastUse.set(o.id, Infinity);

  const kerasNames = new Set<string>();
  const freshKerasName = (base: string): string => {
    let name = base.replace(/\//g, '_');
    for (let k = 2; kerasNames.has(name); k++) name = `${base.replace(/\//g, '_')}_${k}`;
    kerasNames.add(name);
    return name;
  };
  const kerasName = (layer: tfjs.layers.Layer): string => freshKerasName(layer.name);
  const head = softmaxHead(model);
  let logitsVar: string | undefined;

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
      const shape = t.shape.slice(1);
      const v = model.inputs.length === 1 ? bind(t, i, ['inputs']) : bind(t, i, [unique(layer.name)]);
      lines.push(`    ${v} = keras.Input(shape=${py(shape)}, name=${py(kerasName(layer))})`);
      return;
    }
    const layerKind = LAYER_KINDS.get(kind);
    if (!layerKind) throw new Untranslatable(`layer ${layer.name} (${kind}) has no Keras counterpart`);
    if ((t.outputTensorIndex ?? 0) !== 0) throw new Untranslatable(`layer ${layer.name} (${kind}) has several outputs`);
    if (n.inputs.length === 0)
      throw new Untranslatable(`layer ${layer.name} has no inputs and is not the model's input`);
    const name = kerasName(layer);
    const splitHead = head?.layer === layer && head.split;
    const ctor = layerKind.keras({ layer, name, inputShapes: n.inputs.map((x) => x.shape), linear: splitHead });
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
    if (splitHead) {
      logitsVar = unique('z'); // the logits; `logits` is build_model's argument
      lines.push(`    ${logitsVar} = ${ctor}(${arg})`);
      lines.push(`    ${v} = layers.Softmax(name=${py(freshKerasName(`${layer.name}_softmax`))})(${logitsVar})`);
    } else {
      if (head?.layer === layer) logitsVar = ins[0];
      lines.push(`    ${v} = ${ctor}(${arg})`);
    }
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
  const outputs = logitsVar ? `${logitsVar} if logits else ${outs[0]}` : one(outs);
  lines.push('', `    return keras.Model(inputs=${one(ins)}, outputs=${outputs}, name=${py(identifier(model.name))})`);
  return { body: lines.join('\n').replace(/^\n/, ''), weights, usesZeroPad, endsInSoftmax: !!logitsVar };
}
