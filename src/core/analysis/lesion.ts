// The lesion study of Veit et al. 2016 ("Residual networks behave like
// ensembles of relatively shallow networks"): delete residual blocks at test
// time and measure the test error.
//
// Blocks and their names:
//   - Residual nets: one block per addition that has a shortcut (see
//     findShortcuts). The block is named by its Add layer, e.g.
//     `stage2/block1/add` — a node of the model graph, so the diagram needs no
//     mapping; the layers it deletes are the shortcut's `skips`. Deleting it
//     makes the addition output the value of its shortcut input (identity,
//     option A's zero-padding or the projection), i.e. y = shortcut(x).
//   - Plain nets (no additions): one block per name-prefix group, e.g.
//     `stage1/block1` for `stage1/block1/conv1 ... /relu2`. Deleting it makes
//     the group's last layer output the group's input, passed through option
//     A's subsample-and-zero-pad when the shape changes. This is what shows a
//     plain net collapsing.
// `lesioned` lists accept either form for residual nets (`stage2/block1` finds
// `stage2/block1/add`).
import type * as tfjs from '@tensorflow/tfjs';
import type { ModelGraph } from '../../protocol/graph';
import type { LesionResult } from '../../protocol/trainer';
import { Batch, makeBatch, pixelMean } from '../data/batches';
import type { Dataset } from '../data/dataset';
import { mixSeed, mulberry32 } from '../data/random';
import { extractGraph } from '../graph/extract';
import { adjacency, findShortcuts } from '../graph/shortcuts';
import { ZeroPadShortcut } from '../lib/shortcuts';
import type { DataInfo } from '../lib/types';
import { execute, Substitution } from './execute';

type TF = typeof tfjs;

/** A request the analysis cannot serve (an unknown block, a stop): reported by its message alone. */
export class AnalysisError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnalysisError';
  }
}

export interface LesionBlock {
  /** The Add layer's name (residual) or the group's name prefix (plain). */
  name: string;
  kind: 'residual' | 'plain';
  /** The layer whose output a deletion replaces. */
  layer: string;
  substitution: Substitution;
  /** The block changes the spatial size (a stride-2 block). */
  downsampling: boolean;
  /** The layers deleted with the block (residual: the branch F; plain: the group). */
  layers: string[];
}

export interface EvalData {
  info: DataInfo;
  batches: Batch[];
}

type Shape = (number | null)[];
const spatial = (s: Shape | undefined) => (s && s.length === 4 ? `${s[1]}x${s[2]}` : undefined);

function graphIndex(graph: ModelGraph) {
  const { inputs, outputs } = adjacency(graph);
  const shape = new Map(graph.nodes.map((n) => [n.id, n.outputShape]));
  return { inputs, outputs, shape };
}

/** The blocks a lesion study deletes, in network order. */
export function findBlocks(model: tfjs.LayersModel, graph: ModelGraph = extractGraph(model)): LesionBlock[] {
  const g = graphIndex(graph);
  const changesSize = (layers: string[]) =>
    layers.some((l) => g.inputs.get(l)!.some((i) => spatial(g.shape.get(i)) !== spatial(g.shape.get(l))));
  const shortcuts = findShortcuts(graph);
  if (shortcuts.length > 0) {
    const blocks: LesionBlock[] = [];
    for (const s of shortcuts) {
      if (blocks.some((b) => b.layer === s.to)) continue; // an addition of three or more: its first shortcut
      const shortcutInput = s.via.length ? s.via[s.via.length - 1] : s.from;
      blocks.push({
        name: s.to,
        kind: 'residual',
        layer: s.to,
        substitution: { from: shortcutInput },
        downsampling: changesSize([...s.skips, ...s.via]),
        layers: s.skips,
      });
    }
    return blocks;
  }
  return plainBlocks(model, graph, g);
}

function plainBlocks(model: tfjs.LayersModel, graph: ModelGraph, g: ReturnType<typeof graphIndex>): LesionBlock[] {
  const dirname = (n: string) => (n.includes('/') ? n.slice(0, n.lastIndexOf('/')) : undefined);
  const prefixes = [...new Set(graph.nodes.map((n) => dirname(n.id)).filter((d): d is string => !!d))];
  const groupOf = (id: string) => prefixes.filter((p) => id.startsWith(p + '/')).sort((a, b) => a.length - b.length)[0];
  const groups = new Map<string, string[]>();
  for (const n of graph.nodes) {
    const p = groupOf(n.id);
    if (p && n.className !== 'InputLayer') groups.set(p, [...(groups.get(p) ?? []), n.id]);
  }
  const modelOutput = model.outputs[0].sourceLayer.name;
  const blocks: LesionBlock[] = [];
  for (const [name, members] of groups) {
    const inside = new Set(members);
    const entries = [...new Set(members.flatMap((m) => g.inputs.get(m)!.filter((i) => !inside.has(i))))];
    const exits = members.filter((m) => m === modelOutput || g.outputs.get(m)!.some((o) => !inside.has(o)));
    // Only a group with one way in and one way out can be bypassed.
    if (entries.length !== 1 || exits.length !== 1 || exits[0] === modelOutput) continue;
    const [from, layer] = [entries[0], exits[0]];
    const inShape = g.shape.get(from)!,
      outShape = g.shape.get(layer)!;
    const transform = bypass(inShape, outShape);
    if (transform === null) continue;
    blocks.push({
      name,
      kind: 'plain',
      layer,
      substitution: { from, transform },
      downsampling: spatial(inShape) !== spatial(outShape),
      layers: members,
    });
  }
  return blocks;
}

/**
 * How a plain block's input stands in for its output: as is when the shapes
 * agree, else option A (every stride-th pixel, zero channels appended);
 * null when no such map exists.
 */
function bypass(inShape: Shape, outShape: Shape): ((x: tfjs.Tensor) => tfjs.Tensor) | undefined | null {
  if (inShape.length !== outShape.length) return null;
  if (inShape.every((d, i) => d === outShape[i])) return undefined;
  if (inShape.length !== 4) return null;
  const [, hIn, wIn, cIn] = inShape as number[];
  const [, hOut, wOut, cOut] = outShape as number[];
  const stride = Math.round(hIn / hOut);
  if (!(stride >= 1) || Math.ceil(hIn / stride) !== hOut || Math.ceil(wIn / stride) !== wOut || cIn > cOut) return null;
  const pad = new ZeroPadShortcut({ stride, outChannels: cOut });
  return (x) => pad.call(x);
}

/** Blocks named in `names`: block names, or for residual nets also the block prefix (`stage2/block1`). */
export function resolveBlocks(blocks: LesionBlock[], names: string[]): LesionBlock[] {
  return names.map((n) => {
    const exact = blocks.find((b) => b.name === n);
    if (exact) return exact;
    const byPrefix = blocks.filter((b) => b.name.startsWith(n + '/'));
    if (byPrefix.length === 1) return byPrefix[0];
    const list = blocks.map((b) => b.name).join(', ') || 'none';
    throw new AnalysisError(
      byPrefix.length > 1
        ? `"${n}" names ${byPrefix.length} blocks (${byPrefix.map((b) => b.name).join(', ')}): name one`
        : `no block "${n}" to delete (blocks: ${list})`,
    );
  });
}

export function substitutions(lesioned: LesionBlock[]): Map<string, Substitution> {
  return new Map(lesioned.map((b) => [b.layer, b.substitution]));
}

/**
 * The first `examples` test images (all by default) as the trainer's test
 * pass sees them: minus the training split's per-pixel mean, no augmentation.
 */
export function testData(ds: Dataset, examples = ds.test.count, batchSize = 256): EvalData {
  const mean = pixelMean(ds.train, ds.info);
  const n = Math.min(examples, ds.test.count);
  const batches: Batch[] = [];
  for (let i = 0; i < n; i += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, n - i) }, (_, k) => i + k);
    batches.push(makeBatch(ds.test, idx, ds.info, mean, false));
  }
  return { info: ds.info, batches };
}

/** Classification error of the model with `lesioned` deleted. */
export async function lesionedError(
  tf: TF,
  model: tfjs.LayersModel,
  data: EvalData,
  lesioned: LesionBlock[],
): Promise<number> {
  const substitute = substitutions(lesioned);
  const [h, w, c] = data.info.inputShape;
  let wrong = 0,
    count = 0;
  for (const batch of data.batches) {
    const t = tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [batch.size, h, w, c]);
      const y = tf.tensor1d(batch.labels, 'int32');
      const probs = execute(tf, model, x, { substitute });
      return tf.sum(tf.notEqual(tf.argMax(probs, -1), y).toInt());
    });
    wrong += (await t.data())[0];
    t.dispose();
    count += batch.size;
    await new Promise<void>((r) => setImmediate(r)); // let a stop request in
  }
  return wrong / Math.max(1, count);
}

export interface LesionOptions {
  /** Random draws per k (default 3). */
  draws?: number;
  /** Seeds the draws (default 0): the same seed gives the same sets. */
  seed?: number;
  /** Evaluate only this set (plus the baseline): the diagram's click-to-lesion. */
  lesioned?: string[];
  /** Called after each evaluation. */
  onProgress?: (done: number, total: number) => void;
  /** Checked between evaluations; true aborts with an error. */
  shouldStop?: () => boolean;
}

/** k distinct indices of 0..n-1, uniformly, from `rng`. */
function draw(n: number, k: number, rng: () => number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng() * (n - i));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p.slice(0, k).sort((a, b) => a - b);
}

export async function lesionStudy(
  tf: TF,
  model: tfjs.LayersModel,
  data: EvalData,
  o: LesionOptions = {},
): Promise<LesionResult> {
  const blocks = findBlocks(model);
  const draws = o.draws ?? 3;
  const custom = o.lesioned ? resolveBlocks(blocks, o.lesioned) : undefined;
  const n = blocks.length;
  // Every set evaluated, by the indices of its blocks; each distinct set once.
  const sets: number[][] = [[]];
  if (custom) sets.push(custom.map((b) => blocks.indexOf(b)).sort((a, b) => a - b));
  else {
    for (let i = 0; i < n; i++) sets.push([i]);
    for (let k = 1; k <= n; k++)
      for (let d = 0; d < draws; d++) sets.push(draw(n, k, mulberry32(mixSeed(o.seed ?? 0, k, d))));
  }
  const key = (s: number[]) => s.join(',');
  const distinct = [...new Map(sets.map((s) => [key(s), s])).values()];
  const errors = new Map<string, number>();
  for (const s of distinct) {
    if (o.shouldStop?.()) throw new AnalysisError('the lesion study was stopped before it finished');
    errors.set(
      key(s),
      await lesionedError(
        tf,
        model,
        data,
        s.map((i) => blocks[i]),
      ),
    );
    o.onProgress?.(errors.size, distinct.length);
  }
  const errorOf = (s: number[]) => errors.get(key(s))!;
  const testExamples = data.batches.reduce((sum, b) => sum + b.size, 0);
  const result: LesionResult = { testExamples, baselineError: errorOf([]), blocks: [], random: [] };
  if (custom) {
    result.custom = { lesioned: custom.map((b) => b.name), error: errorOf(sets[1]) };
    return result;
  }
  result.blocks = blocks.map((b, i) => ({ name: b.name, error: errorOf([i]), downsampling: b.downsampling }));
  for (let k = 1; k <= n; k++) {
    const errs = Array.from({ length: draws }, (_, d) => errorOf(draw(n, k, mulberry32(mixSeed(o.seed ?? 0, k, d)))));
    result.random.push({ k, meanError: errs.reduce((a, b) => a + b, 0) / draws, errors: errs });
  }
  return result;
}
