// Translates a tfjs layers model into TensorFlow graph ops, layer by layer:
// the same ops tfjs-node would run one at a time (Conv2D, FusedBatchNormV3,
// Relu, AddV2, ...), now as one graph that TensorFlow can optimise and
// differentiate (TF_AddGradientsWithPrefix). Each layer kind's ops are in its
// module under src/core/layers/. A layer with no translation stops it with a
// reason naming the layer (Untranslatable); the trainer then trains eagerly.
import type * as tfjs from '@tensorflow/tfjs';
import { DT, type Feed, type Out } from './addon';
import { topoOrder } from '../../graph/topoOrder';
import type { GraphBuilder, Variable } from './builder';
import type { GraphCtx, VariableMap } from '../../layers/graphOps';
import { Untranslatable } from '../../layers/kind';
import { LAYER_KINDS } from '../../layers/registry';

export { Untranslatable };
export type { VariableMap };

export interface Translation {
  /** The model's output (probabilities for a softmax classifier). */
  output: Out;
  /** The logits under a final softmax, when the model ends in one (what the loss reads, as in ./head.ts). */
  logits?: Out;
  /** Ops that write batch norm's moving statistics (training only). */
  updates: string[];
}

/**
 * Rewrites the inputs of one layer before its ops are added (`from` names the
 * layer each input comes from): the path analysis gates the gradient through
 * each input of an addition, as ../../analysis/execute.ts lets it eagerly.
 */
export type RewriteInputs = ReadonlyMap<string, (inputs: Out[], from: string[]) => Out[]>;

/** Forward pass of `model` on `input` (NHWC float), in training or inference mode. */
export function translate(
  b: GraphBuilder,
  model: tfjs.LayersModel,
  input: Out,
  training: boolean,
  vars: VariableMap,
  rewriteInputs?: RewriteInputs,
): Translation {
  if (model.inputs.length !== 1 || model.outputs.length !== 1)
    throw new Untranslatable(
      `the model has ${model.inputs.length} inputs and ${model.outputs.length} outputs; graph mode takes one of each`,
    );
  const ctx: GraphCtx = {
    b,
    training,
    vars,
    updates: [],
    outputLayer: model.outputs[0].sourceLayer,
  };
  const done = new Map<number, Out>([[model.inputs[0].id, input]]);
  for (const { t, inputs } of topoOrder(model)) {
    if (done.has(t.id)) continue; // the model's input
    if (inputs.length === 0)
      throw new Untranslatable(`layer ${t.sourceLayer.name} has no inputs and is not the model's input`);
    const ins = inputs.map((i) => done.get(i.id)!);
    const rewrite = rewriteInputs?.get(t.sourceLayer.name);
    done.set(
      t.id,
      layerOp(
        ctx,
        t,
        rewrite
          ? rewrite(
              ins,
              inputs.map((i) => i.sourceLayer.name),
            )
          : ins,
      ),
    );
  }
  return { output: done.get(model.outputs[0].id)!, logits: ctx.logits, updates: ctx.updates };
}

function layerOp(c: GraphCtx, t: tfjs.SymbolicTensor, inputs: Out[]): Out {
  const layer = t.sourceLayer;
  const className = layer.getClassName();
  const kind = LAYER_KINDS.get(className);
  if (!kind) throw new Untranslatable(`layer ${layer.name} (${className}) has no graph translation`);
  if ((t.outputTensorIndex ?? 0) !== 0)
    throw new Untranslatable(`layer ${layer.name} (${className}) has several outputs`);
  return kind.graph(
    c,
    { layer, name: c.b.name(layer.name), inputShapes: (t.inputs ?? []).map((i) => i.shape) },
    inputs,
  );
}

/** A model's weight as a graph variable, beside its tfjs variable. */
export interface ModelWeight {
  model: tfjs.LayerVariable;
  graph: Variable;
}

/** Every weight of `model` as a graph variable, shared by the graphs built from it (training and test). */
export function modelVariables(
  b: GraphBuilder,
  model: tfjs.LayersModel,
): { vars: VariableMap; weights: ModelWeight[] } {
  const vars: VariableMap = new Map();
  const weights = model.weights.map((v) => {
    const graph = b.variable(`var/${v.name}`, v.shape as number[]);
    vars.set(v, graph);
    return { model: v, graph };
  });
  return { vars, weights };
}

/** Feeds that set each graph variable to its tfjs variable's value now (run with each `graph.initOp`). */
export function weightFeeds(weights: ModelWeight[]): Feed[] {
  return weights.map(({ model, graph }) => [
    graph.init[0],
    graph.init[1],
    DT.float,
    graph.shape,
    model.read().dataSync() as Float32Array,
  ]);
}
