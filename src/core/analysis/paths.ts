// Veit et al. 2016 ("Residual networks behave like ensembles of relatively
// shallow networks"), Sec. 4.2 and Fig. 6: how much gradient reaches the
// input through paths of each length.
//
// A net of n residual blocks unravels into 2^n paths; a path of length k
// takes the residual branch F at k blocks and the shortcut at the others.
// Their method, followed here: the forward pass is the whole net; in the
// backward pass, for a configuration of k blocks, the gradient is let through
// only the branch at those k blocks and only the shortcut at the others, so
// what reaches the input is the gradient of that single path. Its magnitude
// is the Euclidean norm of d(loss)/d(input image), one image at a time (loss:
// that image's cross-entropy), averaged over the test images; the per-path
// magnitude of length k is its mean over the sampled configurations of k
// blocks (all C(n, k) of them when there are no more than `samples`).
// Veit et al. draw 1,000 configurations per k on random training batches; we
// use the same fixed test images for every configuration, so the lengths
// differ only by their paths. Multiplying by the C(n, k) paths of length k
// gives the total gradient by length (their Fig. 6c), and the lengths that
// hold its central 90% are the "effective paths".
//
// The gate: at block i with mask m (1: branch), the addition's inputs become
// F' = sg(F) + m·(F − sg(F)) and S' = sg(S) + (1−m)·(S − sg(S)), where sg
// passes its value and no gradient. Forward values are unchanged (F − sg(F) is
// exactly 0), the gradient is multiplied by m or 1−m. m is one value per row,
// so several configurations run as one batch: each configuration's copy of
// the images is its own rows (inference-mode batch norm keeps rows apart).
// On the native backend a pass is one TensorFlow graph (./pathsGraph.ts),
// about twice as fast as op by op (bench/pathsCost.ts); elsewhere, op by op.
import type * as tfjs from '@tensorflow/tfjs';
import type { PathsResult } from '../../protocol/trainer';
import { mixSeed, mulberry32 } from '../data/random';
import { execute } from './execute';
import { AnalysisError, EvalData, findBlocks, LesionBlock } from './lesion';
import { argMax, binomial, centralRange, randomSubset, subsets } from './pathCounts';
import { graphPathPass, PathImages, PathPass } from './pathsGraph';
import { GraphAddonUnavailable, loadGraphAddon } from '../train/graph/addon';
import { Untranslatable } from '../train/graph/translate';

type TF = typeof tfjs;

export interface PathsOptions {
  /** Configurations measured per length (default 20). */
  samples?: number;
  /** Seeds the sampled configurations (default 0). */
  seed?: number;
  /** Rows (configurations × images) per forward and backward pass (default 128): bounds the memory. */
  rowsPerPass?: number;
  /** Share of the total gradient the effective range holds (default 0.9). */
  share?: number;
  onProgress?: (done: number, total: number) => void;
  shouldStop?: () => boolean;
  /** On the native backend, each pass as one TensorFlow graph ('auto', the default) or op by op ('off'). */
  graph?: 'auto' | 'off';
  /** Told how the passes run, once, before the first. */
  onMode?: (mode: PathPass['mode'], why: string) => void;
}

export const DEFAULT_PATH_SAMPLES = 20;

/** The configurations measured for length k: all k-subsets when there are few enough, else `samples` random ones. */
export function configurations(n: number, k: number, samples: number, seed: number): number[][] {
  if (binomial(n, k) <= samples) return subsets(n, k);
  const rng = mulberry32(mixSeed(seed, n, k));
  return Array.from({ length: samples }, () => randomSubset(n, k, rng));
}

/** The residual blocks, each with the layer its shortcut brings to the addition. */
export function residualBlocks(model: tfjs.LayersModel): LesionBlock[] {
  const blocks = findBlocks(model);
  if (blocks.length === 0 || blocks[0].kind !== 'residual')
    throw new AnalysisError(
      `${model.name} has no residual blocks: a plain net is a single path, so there is no gradient by path length to measure`,
    );
  return blocks;
}

/** The test images as one block, each configuration's copy of them its own rows in a pass. */
function pathImages(data: EvalData): PathImages {
  const [h, w, c] = data.info.inputShape;
  const count = data.batches.reduce((s, b) => s + b.size, 0);
  if (count === 0) throw new AnalysisError('no test images to measure the gradient on');
  const x = new Float32Array(count * h * w * c);
  const labels = new Int32Array(count);
  let at = 0;
  for (const b of data.batches) {
    x.set(b.x.subarray(0, b.size * h * w * c), at * h * w * c);
    labels.set(b.labels.subarray(0, b.size), at);
    at += b.size;
  }
  return { x, labels, count, inputShape: [h, w, c], numClasses: data.info.numClasses };
}

/** The pass op by op, on whatever backend tf has. */
export function eagerPathPass(tf: TF, model: tfjs.LayersModel, blocks: LesionBlock[], images: PathImages): PathPass {
  const [h, w, c] = images.inputShape;
  // Its value, no gradient (tfjs has no stopGradient op).
  const stop = tf.customGrad(((t: tfjs.Tensor) => ({
    value: tf.clone(t),
    gradFunc: (dy: tfjs.Tensor) => tf.zerosLike(dy),
  })) as Parameters<TF['customGrad']>[0]);
  // Let the gradient through `t` only on rows whose gate is 1.
  const gated = (t: tfjs.Tensor, gate: tfjs.Tensor) => {
    const s = stop(t);
    return tf.add(s, tf.mul(gate.reshape([-1, ...t.shape.slice(1).map(() => 1)]), tf.sub(t, s)));
  };
  return {
    mode: 'eager',
    async run(chunk) {
      const norms = tf.tidy(() => {
        const xs = tf.tile(tf.tensor4d(images.x, [images.count, h, w, c]), [chunk.length, 1, 1, 1]);
        const ys = tf.oneHot(tf.tile(tf.tensor1d(images.labels, 'int32'), [chunk.length]), images.numClasses);
        // gates[b][row]: 1 where the row's configuration takes block b's branch.
        const gates = blocks.map((_, b) =>
          tf.tensor1d(
            chunk.flatMap((cfg) => Array<number>(images.count).fill(cfg.includes(b) ? 1 : 0)),
            'float32',
          ),
        );
        const rewriteInputs = new Map(
          blocks.map((block, b) => [
            block.layer,
            (ins: tfjs.Tensor[], from: string[]) =>
              ins.map((t, i) =>
                from[i] === block.substitution.from ? gated(t, tf.sub(1, gates[b])) : gated(t, gates[b]),
              ),
          ]),
        );
        const loss = (input: tfjs.Tensor) => {
          const probs = execute(tf, model, input, { rewriteInputs });
          const p = tf.maximum(tf.sum(tf.mul(probs, ys), -1), 1e-37);
          return tf.neg(tf.sum(tf.log(p))) as tfjs.Scalar;
        };
        const g = tf.grad(loss)(xs);
        return tf.sqrt(tf.sum(tf.square(g), [1, 2, 3]));
      });
      const v = (await norms.data()) as Float32Array;
      norms.dispose();
      return v;
    },
    dispose: () => undefined,
  };
}

/**
 * One TensorFlow graph on the native backend (./pathsGraph.ts) unless turned
 * off; eagerly elsewhere, or when graph mode cannot take the model or the
 * addon is not built (said through `onMode`).
 */
export function openPathPass(
  tf: TF,
  model: tfjs.LayersModel,
  blocks: LesionBlock[],
  images: PathImages,
  o: Pick<PathsOptions, 'graph' | 'onMode'> = {},
): PathPass {
  if (tf.getBackend() === 'tensorflow' && o.graph !== 'off') {
    try {
      const started = Date.now();
      const pass = graphPathPass(loadGraphAddon(), model, blocks, images);
      o.onMode?.('graph', `one TensorFlow graph (compiled in ${Date.now() - started} ms)`);
      return pass;
    } catch (e) {
      // Unlike training, where a failure to compile must not hide as eager
      // training, the analysis measures the same numbers either way: any
      // failure to build the graph (an op without a gradient in TensorFlow's
      // C++ registry, say) is said in one line and the passes run op by op.
      const why = (e instanceof Error ? e.message : String(e)).split('\n')[0];
      o.onMode?.(
        'eager',
        e instanceof Untranslatable || e instanceof GraphAddonUnavailable
          ? `graph mode unavailable, op by op: ${why}`
          : `the graph could not be built (${why}), op by op`,
      );
    }
  }
  return eagerPathPass(tf, model, blocks, images);
}

/**
 * The mean over images of |d loss / d input| for each configuration (a set of
 * blocks whose branch the gradient takes), in the order given.
 */
export async function configurationGradients(
  tf: TF,
  model: tfjs.LayersModel,
  blocks: LesionBlock[],
  data: EvalData,
  configs: number[][],
  o: Pick<PathsOptions, 'rowsPerPass' | 'shouldStop' | 'graph' | 'onMode'> & {
    onPass?: (configsDone: number) => void;
  } = {},
): Promise<number[]> {
  const images = pathImages(data);
  const perPass = Math.max(1, Math.floor((o.rowsPerPass ?? 128) / images.count));
  const pass = openPathPass(tf, model, blocks, images, o);
  try {
    const out: number[] = [];
    for (let start = 0; start < configs.length; start += perPass) {
      if (o.shouldStop?.()) throw new AnalysisError('the path analysis was stopped before it finished');
      const chunk = configs.slice(start, start + perPass);
      const v = await pass.run(chunk);
      for (let i = 0; i < chunk.length; i++) {
        let sum = 0;
        for (let r = 0; r < images.count; r++) sum += v[i * images.count + r];
        out.push(sum / images.count);
      }
      o.onPass?.(out.length);
      await new Promise<void>((r) => setImmediate(r)); // let a stop request in
    }
    return out;
  } finally {
    pass.dispose();
  }
}

/** Veit et al.'s Fig. 6 for `model` on `data`. */
export async function pathGradients(
  tf: TF,
  model: tfjs.LayersModel,
  data: EvalData,
  o: PathsOptions = {},
): Promise<PathsResult> {
  const blocks = residualBlocks(model);
  const n = blocks.length;
  const samples = o.samples ?? DEFAULT_PATH_SAMPLES;
  const byLength = Array.from({ length: n + 1 }, (_, k) => configurations(n, k, samples, o.seed ?? 0));
  const all = byLength.flat();
  const magnitudes = await configurationGradients(tf, model, blocks, data, all, {
    rowsPerPass: o.rowsPerPass,
    shouldStop: o.shouldStop,
    graph: o.graph,
    onMode: o.onMode,
    onPass: (done) => o.onProgress?.(done, all.length),
  });
  let at = 0;
  const lengths = byLength.map((configs, k) => {
    const mine = magnitudes.slice(at, (at += configs.length));
    const perPath = mine.reduce((a, b) => a + b, 0) / mine.length;
    const paths = binomial(n, k);
    return {
      k,
      paths,
      measured: configs.length,
      exhaustive: configs.length === paths,
      perPath,
      total: paths * perPath,
    };
  });
  const share = o.share ?? 0.9;
  const totals = lengths.map((l) => l.total);
  const testExamples = data.batches.reduce((s, b) => s + b.size, 0);
  if (!totals.some((t) => t > 0))
    throw new AnalysisError('no gradient reaches the input through any path (is the net dead, or the loss saturated?)');
  return {
    testExamples,
    blocks: blocks.map((b) => b.name),
    samples,
    lengths,
    effective: { ...centralRange(totals, share), share },
    peak: argMax(totals),
  };
}
