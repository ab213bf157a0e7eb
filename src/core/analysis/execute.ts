// A small interpreter for functional tfjs models: runs the layers one by one
// on concrete tensors in inference mode, so that an analysis can replace a
// layer's output by another's (a lesioned block's output becomes its
// shortcut) or look at any layer's output on the way (the responses of
// He et al. Fig. 7). With nothing replaced it computes exactly what
// model.predict does: the same layers' call() on the same tensors.
//
// Tensors are freed as soon as their last consumer has run, so a deep net on
// a large batch holds only the activations still needed, not every layer's.
import type * as tfjs from '@tensorflow/tfjs';

type TF = typeof tfjs;

/** Where a layer's output comes from instead of its own computation. */
export interface Substitution {
  /** The layer whose output (its first) replaces this layer's output. */
  from: string;
  /** Applied to `from`'s output first, e.g. option A's subsample-and-pad. Runs inside a tidy. */
  transform?: (x: tfjs.Tensor) => tfjs.Tensor;
}

export interface ExecuteOptions {
  /** Layer name -> where its output comes from instead. */
  substitute?: ReadonlyMap<string, Substitution>;
  /** Layers whose outputs `observe` is called with (they are computed even if the output does not need them). */
  observeLayers?: Iterable<string>;
  /**
   * Called with an observed layer's output as soon as it is computed. The
   * tensor is freed afterwards: compute what you need (and tf.keep it, or
   * read it back) inside the call.
   */
  observe?: (layer: string, output: tfjs.Tensor) => void;
  /**
   * Rewrites the inputs of the named layers before they run (inside their
   * tidy; `from` names the layer each input comes from): the path analysis
   * stops the gradient of one input of an addition.
   */
  rewriteInputs?: ReadonlyMap<string, (inputs: tfjs.Tensor[], from: string[]) => tfjs.Tensor[]>;
}

interface InputRef {
  layer: string;
  tensorIndex: number;
}
interface Step {
  layer: tfjs.layers.Layer;
  inputs: InputRef[];
  isInput: boolean;
}
interface Plan {
  steps: Map<string, Step>;
  order: string[];
  inputLayers: string[];
  output: InputRef;
}

const plans = new WeakMap<tfjs.LayersModel, Plan>();

/** The node by which `layer` takes part in `model` (a shared layer has one per model). */
function nodeOf(model: tfjs.LayersModel, layer: tfjs.layers.Layer, inModel: Set<string>) {
  const keys = (model as unknown as { containerNodes?: Set<string> }).containerNodes;
  const nodes = layer.inboundNodes;
  for (let i = 0; i < nodes.length; i++) {
    if (keys?.has(`${layer.name}_ib-${i}`)) return nodes[i];
  }
  return nodes.find((n) => n.inboundLayers.every((l) => inModel.has(l.name))) ?? nodes[0];
}

function planFor(model: tfjs.LayersModel): Plan {
  const known = plans.get(model);
  if (known) return known;
  if (model.outputs.length !== 1)
    throw new Error(`${model.name}: the analyses need a model with one output, this one has ${model.outputs.length}`);
  const inModel = new Set(model.layers.map((l) => l.name));
  const steps = new Map<string, Step>();
  for (const layer of model.layers) {
    const isInput = layer.getClassName() === 'InputLayer';
    const node = nodeOf(model, layer, inModel);
    const inputs =
      isInput || !node
        ? []
        : node.inboundLayers.map((l, i) => ({ layer: l.name, tensorIndex: node.tensorIndices[i] ?? 0 }));
    steps.set(layer.name, { layer, inputs, isInput });
  }
  const out = model.outputs[0];
  const plan: Plan = {
    steps,
    order: model.layers.map((l) => l.name),
    inputLayers: model.inputs.map((t) => t.sourceLayer.name),
    output: { layer: out.sourceLayer.name, tensorIndex: out.tensorIndex ?? 0 },
  };
  plans.set(model, plan);
  return plan;
}

/** The layers each layer reads from, after substitution. */
function dependencies(plan: Plan, name: string, substitute: ReadonlyMap<string, Substitution> | undefined): InputRef[] {
  const sub = substitute?.get(name);
  if (sub) return [{ layer: sub.from, tensorIndex: 0 }];
  return plan.steps.get(name)!.inputs;
}

/**
 * Runs `model` on `x` in inference mode and returns its output (the caller
 * owns it). `x` is not disposed. Call it inside tf.tidy or dispose the result.
 */
export function execute(
  tf: TF,
  model: tfjs.LayersModel,
  x: tfjs.Tensor | tfjs.Tensor[],
  o: ExecuteOptions = {},
): tfjs.Tensor {
  const plan = planFor(model);
  const xs = Array.isArray(x) ? x : [x];
  if (xs.length !== plan.inputLayers.length)
    throw new Error(`${model.name} takes ${plan.inputLayers.length} input(s), got ${xs.length}`);
  for (const [name, sub] of o.substitute ?? []) {
    if (!plan.steps.has(name)) throw new Error(`cannot replace "${name}": no such layer in ${model.name}`);
    if (!plan.steps.has(sub.from))
      throw new Error(`cannot replace "${name}" by "${sub.from}": no such layer in ${model.name}`);
  }
  const observed = new Set(o.observeLayers ?? []);
  for (const name of observed)
    if (!plan.steps.has(name)) throw new Error(`cannot observe "${name}": no such layer in ${model.name}`);

  // Which layers are needed, and how many times each one's output is read.
  const needed = new Set<string>();
  const stack = [plan.output.layer, ...observed];
  while (stack.length) {
    const name = stack.pop()!;
    if (needed.has(name)) continue;
    needed.add(name);
    for (const d of dependencies(plan, name, o.substitute)) stack.push(d.layer);
  }
  const uses = new Map<string, number>();
  for (const name of needed)
    for (const d of dependencies(plan, name, o.substitute)) uses.set(d.layer, (uses.get(d.layer) ?? 0) + 1);
  uses.set(plan.output.layer, (uses.get(plan.output.layer) ?? 0) + 1);

  const values = new Map<string, tfjs.Tensor[]>();
  const callerOwned = new Set<tfjs.Tensor>(xs);
  const release = (name: string) => {
    const left = (uses.get(name) ?? 0) - 1;
    uses.set(name, left);
    if (left > 0) return;
    for (const t of values.get(name) ?? []) if (!callerOwned.has(t)) t.dispose();
    values.delete(name);
  };
  const read = (ref: InputRef): tfjs.Tensor => {
    const v = values.get(ref.layer);
    if (!v)
      throw new Error(
        `layer "${ref.layer}" was needed before it was computed (is ${model.name} in topological order?)`,
      );
    const t = v[ref.tensorIndex];
    if (!t) throw new Error(`layer "${ref.layer}" has no output ${ref.tensorIndex}`);
    return t;
  };

  try {
    for (const name of plan.order) {
      if (!needed.has(name)) continue;
      const step = plan.steps.get(name)!;
      const sub = o.substitute?.get(name);
      let out: tfjs.Tensor[];
      if (sub) {
        const src = read({ layer: sub.from, tensorIndex: 0 });
        // A clone shares the data but can be disposed on its own.
        out = [tf.tidy(() => (sub.transform ? sub.transform(src) : tf.clone(src)))];
      } else if (step.isInput) {
        out = [xs[plan.inputLayers.indexOf(name)]];
        if (!out[0]) throw new Error(`input layer "${name}" is not one of ${model.name}'s inputs`);
      } else {
        const ins = step.inputs.map(read);
        const rewrite = o.rewriteInputs?.get(name);
        const result = tf.tidy(() => {
          const args = rewrite
            ? rewrite(
                ins,
                step.inputs.map((r) => r.layer),
              )
            : ins;
          return step.layer.apply(args.length === 1 ? args[0] : args, { training: false }) as
            tfjs.Tensor | tfjs.Tensor[];
        });
        // A layer that passes its input through (e.g. dropout at test time) returns the same tensor.
        out = (Array.isArray(result) ? result : [result]).map((t) =>
          ins.includes(t) || callerOwned.has(t) ? tf.clone(t) : t,
        );
      }
      values.set(name, out);
      if (observed.has(name)) o.observe?.(name, out[0]);
      for (const d of dependencies(plan, name, o.substitute)) release(d.layer);
      if (!uses.get(name)) release(name); // observed only
    }
    const result = read(plan.output);
    values.get(plan.output.layer)!.splice(plan.output.tensorIndex, 1);
    return callerOwned.has(result) ? tf.clone(result) : result;
  } finally {
    // Normally only the output layer's other outputs are left; after an error, anything.
    for (const ts of values.values()) for (const t of ts) if (!callerOwned.has(t)) t.dispose();
  }
}
