// A layer kind: everything ResNet Lab knows about one tfjs layer class, in one
// place — the parts of its config it reads (checked, typed), its TensorFlow
// ops in graph mode (src/core/train/graph/translate.ts), its Keras 3
// constructor in an export (src/core/export/kerasModel.ts) and the order in
// which Keras takes its weights. Adding a layer kind is one module here and
// one line in registry.ts.
import type * as tfjs from '@tensorflow/tfjs';
import type { z } from 'zod';
import type { Out } from '../train/graph/addon';
import type { GraphCtx } from './graphOps';

/** A layer (or a config of one) that graph mode or Keras cannot express; the message names the layer. */
export class Untranslatable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Untranslatable';
  }
}

/** One layer as a translation sees it. */
export interface LayerUse<C> {
  layer: tfjs.layers.Layer;
  config: C;
  /** The name its op or Keras layer gets. */
  name: string;
  inputShapes: tfjs.Shape[];
  /** Keras export: the final dense layer's softmax is written as a layer of its own, so the layer itself is linear. */
  linear?: boolean;
}

export interface LayerKind<C = unknown> {
  /** tfjs' class name (layer.getClassName()). */
  className: string;
  /** The parts of the tfjs config this kind reads; anything else in the config is ignored. */
  config: z.ZodType<C, z.ZodTypeDef, unknown>;
  /** Its TensorFlow ops in graph mode, on `inputs`; returns its output. */
  graph(c: GraphCtx, use: LayerUse<C>, inputs: Out[]): Out;
  /** The Keras 3 constructor call that builds the same layer, e.g. `layers.ReLU(name="relu1")`. */
  keras(use: LayerUse<C>): string;
  /** Keras' order of its weights, by the tfjs weight's last name component; absent: a kind without weights. */
  weights?: readonly string[];
}

/** Types a layer kind's module (its config type inferred from its schema). */
export function defineLayer<C>(kind: LayerKind<C>): LayerKind<C> {
  return kind;
}

/** The layer's config as its kind reads it; a config outside what the kind knows is Untranslatable, naming the field. */
export function readConfig<C>(kind: LayerKind<C>, layer: tfjs.layers.Layer): C {
  const parsed = kind.config.safeParse(layer.getConfig());
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Untranslatable(
    `layer ${layer.name} (${kind.className}): ${issue.path.join('.') || 'config'}: ${issue.message}`,
  );
}

/** The layer's output rank, batch included. */
export function rankOf(layer: tfjs.layers.Layer): number {
  return (layer.outputShape as number[]).length;
}

/** A layer as the registry is handed it: its config is read by its kind. */
export type LayerAt = Omit<LayerUse<never>, 'config'>;

/** A layer kind with its config type hidden: what translate.ts and kerasModel.ts call. */
export interface RegisteredKind {
  className: string;
  weights?: readonly string[];
  graph(c: GraphCtx, at: LayerAt, inputs: Out[]): Out;
  keras(at: LayerAt): string;
}

export function registered<C>(kind: LayerKind<C>): RegisteredKind {
  return {
    className: kind.className,
    weights: kind.weights,
    graph: (c, at, inputs) => kind.graph(c, { ...at, config: readConfig(kind, at.layer) }, inputs),
    keras: (at) => kind.keras({ ...at, config: readConfig(kind, at.layer) }),
  };
}
