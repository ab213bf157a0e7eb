// Which tensors a distribution record describes: the kernel of every layer
// that has one, and the output of every block. A block ends at an addition
// (the residual join) or, when a ReLU alone reads that addition, at the ReLU
// after it (the paper's y = relu(x + F(x))). A plain net has no additions: its
// blocks are then its `stage/block/...` name groups, each ending at its last
// layer; a net with neither is probed at each ReLU. The exporter hands the
// same plan to the Keras engine's train.py (run_template.json), so both
// engines record the same names.
import type * as tfjs from '@tensorflow/tfjs';
import type { ModelGraph } from '../../protocol/graph';
import { adjacency } from '../graph/shortcuts';

export interface ProbePlan {
  /** Layers with a kernel, in the model's layer order (input side first). */
  weights: string[];
  /** Block outputs, input side first; `relu`: it comes out of a ReLU, so its share of zeros means something. */
  activations: { name: string; relu: boolean }[];
}

/** The block outputs of a model graph, input side first (the graph lists layers in the model's order). */
export function blockOutputs(graph: ModelGraph, isRelu: (name: string) => boolean): string[] {
  const { outputs } = adjacency(graph);
  const adds = graph.nodes.filter((n) => n.className === 'Add');
  if (adds.length) {
    return adds.map((a) => {
      const next = outputs.get(a.id) ?? [];
      return next.length === 1 && isRelu(next[0]) ? next[0] : a.id;
    });
  }
  const lastOfBlock = new Map<string, string>();
  for (const n of graph.nodes) {
    const parts = n.id.split('/');
    if (parts.length > 2) lastOfBlock.set(parts.slice(0, 2).join('/'), n.id);
  }
  if (lastOfBlock.size) return [...lastOfBlock.values()];
  return graph.nodes.filter((n) => isRelu(n.id)).map((n) => n.id);
}

/** A ReLU layer, or an Activation layer whose function is relu. */
export function isReluLayer(layer: tfjs.layers.Layer): boolean {
  if (layer.getClassName() === 'ReLU') return true;
  return layer.getClassName() === 'Activation' && (layer.getConfig() as { activation?: unknown }).activation === 'relu';
}

export const kernelOf = (layer: tfjs.layers.Layer): tfjs.LayerVariable | undefined =>
  layer.weights.find((w) => /(^|[/_])kernel$/.test(w.originalName));

export function probePlan(model: tfjs.LayersModel, graph: ModelGraph): ProbePlan {
  const relu = new Set(model.layers.filter(isReluLayer).map((l) => l.name));
  const isRelu = (name: string) => relu.has(name);
  return {
    weights: model.layers.filter((l) => kernelOf(l) !== undefined).map((l) => l.name),
    activations: blockOutputs(graph, isRelu).map((name) => ({ name, relu: isRelu(name) })),
  };
}
