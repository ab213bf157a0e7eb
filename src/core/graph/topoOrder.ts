// The layer calls a model's outputs depend on, each after the calls it reads:
// the order in which both graph mode (src/core/train/graph/translate.ts) and the
// Keras export (src/core/export/kerasModel.ts) emit a model. A post-order walk
// with its own stack, not recursion: a ResNet-1202 is thousands of layers deep.
import type * as tfjs from '@tensorflow/tfjs';

export interface LayerCall {
  t: tfjs.SymbolicTensor;
  layer: tfjs.layers.Layer;
  inputs: tfjs.SymbolicTensor[];
}

export function topoOrder(model: tfjs.LayersModel): LayerCall[] {
  const order: LayerCall[] = [];
  const seen = new Set<number>();
  for (const out of model.outputs) {
    const stack: { t: tfjs.SymbolicTensor; expanded: boolean }[] = [{ t: out, expanded: false }];
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (seen.has(top.t.id)) {
        stack.pop();
        continue;
      }
      const inputs = top.t.inputs ?? [];
      if (!top.expanded) {
        top.expanded = true;
        for (let i = inputs.length - 1; i >= 0; i--)
          if (!seen.has(inputs[i].id)) stack.push({ t: inputs[i], expanded: false });
        continue;
      }
      stack.pop();
      seen.add(top.t.id);
      order.push({ t: top.t, layer: top.t.sourceLayer, inputs });
    }
  }
  return order;
}
