// What a layer kind's graph translation works with: the graph being built,
// the model's weights as graph variables, the batch-norm updates of the
// training graph, and the logits under the model's final softmax (the loss
// reads those, as src/core/train/head.ts does).
import type * as tfjs from '@tensorflow/tfjs';
import type { Out } from '../train/graph/addon';
import type { GraphBuilder, Variable } from '../train/graph/builder';
import { activationOp, ActivationName } from './options';
import { Untranslatable } from './kind';
import type { z } from 'zod';

/** The model's weights as graph variables, shared by the training and inference graphs. */
export type VariableMap = Map<tfjs.LayerVariable, Variable>;

export interface GraphCtx {
  b: GraphBuilder;
  training: boolean;
  vars: VariableMap;
  /** Ops that write batch norm's moving statistics (training only). */
  updates: string[];
  outputLayer: tfjs.layers.Layer;
  logits?: Out;
}

/** The graph variable of one of the layer's weights (kernel, bias, gamma, ...); undefined when the layer has none of that name. */
export function variableOf(c: GraphCtx, layer: tfjs.layers.Layer, field: string): Variable | undefined {
  const v = (layer as unknown as Record<string, tfjs.LayerVariable | null | undefined>)[field];
  if (!v) return undefined;
  const found = c.vars.get(v);
  if (!found) throw new Untranslatable(`layer ${layer.name}: its ${field} is not one of the model's weights`);
  return found;
}

/** Applies a named activation; the logits under the model's final softmax are kept for the loss. */
export function applyActivation(
  c: GraphCtx,
  layer: tfjs.layers.Layer,
  x: Out,
  name: z.infer<typeof ActivationName>,
  opName: string,
  rank: number,
): Out {
  const { key, op } = activationOp(layer, name);
  if (op === null) return x;
  if (op === 'Softmax') {
    if (rank !== 2) throw new Untranslatable(`layer ${layer.name}: softmax over a rank-${rank} tensor`);
    if (layer === c.outputLayer) c.logits = x;
  }
  return c.b.f(op, `${opName}/${key}`, [x]);
}

/** Combines the inputs one after the other, as tfjs' merge layers do. */
export function chain(c: GraphCtx, op: string, inputs: Out[], name: string): Out {
  return inputs.slice(1).reduce((acc, x, i) => c.b.f(op, `${name}/${i}`, [acc, x]), inputs[0]);
}
