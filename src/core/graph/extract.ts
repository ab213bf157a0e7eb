// Reads the real graph of any functional tfjs model (not a template), so the
// diagram and the summary show what the user actually built.
import type * as tf from '@tensorflow/tfjs';
import type { ModelGraph, ModelSummary } from '../../protocol/graph';
import { findShortcuts, mainPathDepth } from './shortcuts';

function outputShape(layer: tf.layers.Layer): (number | null)[] {
  const shape = layer.outputShape;
  return (Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[];
}

export function extractGraph(model: tf.LayersModel): ModelGraph {
  const nodes = model.layers.map((l) => ({
    id: l.name,
    className: l.getClassName(),
    outputShape: outputShape(l),
    params: l.countParams(),
  }));
  const inModel = new Set(nodes.map((n) => n.id));
  const edges: ModelGraph['edges'] = [];
  for (const layer of model.layers) {
    for (const node of layer.inboundNodes) {
      for (const source of node.inboundLayers) {
        // A layer reused by another model has inbound nodes from that model too.
        if (inModel.has(source.name) && inModel.has(layer.name)) edges.push({ from: source.name, to: layer.name });
      }
    }
  }
  return { name: model.name, nodes, edges };
}

export function summarize(model: tf.LayersModel, graph = extractGraph(model)): ModelSummary {
  const trainableParams = model.trainableWeights.reduce(
    (s, w) => s + w.shape.reduce((a: number, b) => a * (b ?? 1), 1),
    0,
  );
  return {
    name: model.name,
    totalParams: model.countParams(),
    trainableParams,
    depth: mainPathDepth(graph),
    shortcuts: findShortcuts(graph).length,
    layers: graph.nodes.map((n) => ({
      name: n.id,
      className: n.className,
      outputShape: n.outputShape,
      params: n.params,
    })),
  };
}
