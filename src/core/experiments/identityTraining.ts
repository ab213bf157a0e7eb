// Trains the two stacks of the identity experiment side by side: the same
// seeded batches, the same initial weights, the same SGD; only the shortcut
// differs. Each is trained to give back its input (mean squared error), and
// every `recordEvery` iterations both losses (on one fixed batch) and every
// block's distance from its identity solution are recorded.
import type * as tfjs from '@tensorflow/tfjs';
import type { Split } from '../data/dataset';
import { mixSeed, mulberry32 } from '../data/random';
import type { ResolvedIdentityConfig } from '../lib/identity';
import type { IdentityRecord } from '../../protocol/identity';
import { DivergedError } from '../train/loop';
import { blockDistance, identityKernelProblem, IdentityTarget, Kernel, relativeDistance } from './identityDistance';

type TF = typeof tfjs;

/** Images in the fixed batch the recorded losses are measured on. */
export const EVAL_IMAGES = 64;
export const IMAGE_SIZE = 32;
const MOMENTUM = 0.9;

export interface IdentityStacks {
  plain: tfjs.LayersModel;
  residual: tfjs.LayersModel;
}

export interface IdentityTrainingResult {
  blocks: string[];
  initialDistance: { plain: number[]; residual: number[] };
  records: IdentityRecord[];
  status: 'finished' | 'stopped';
  /** Images in the fixed batch the losses were measured on. */
  evalImages: number;
}

/**
 * A batch of `width`-channel inputs: channel c of example i is colour channel
 * c % 3 of image picks[i * per + floor(c / 3)]. Every channel carries an
 * image, because a channel that is always 0 leaves its weights untouched and
 * no block could reach I or 0 there.
 */
export function identityBatch(split: Split, picks: ArrayLike<number>, width: number, size = IMAGE_SIZE): Float32Array {
  const per = Math.ceil(width / 3);
  const count = Math.floor(picks.length / per);
  const pixels = size * size;
  const out = new Float32Array(count * pixels * width);
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < width; c++) {
      const image = picks[i * per + Math.floor(c / 3)];
      const from = image * pixels * 3 + (c % 3);
      const to = i * pixels * width + c;
      for (let p = 0; p < pixels; p++) out[to + p * width] = split.images[from + p * 3] / 255;
    }
  }
  return out;
}

/** Block names in stack order: the prefix before the first '/' of each layer with weights ("block1/conv" -> "block1"). */
export function blockNames(model: tfjs.LayersModel): string[] {
  const names: string[] = [];
  for (const layer of model.layers) {
    const block = layer.name.split('/')[0];
    if (layer.name.includes('/') && layer.trainableWeights.length && !names.includes(block)) names.push(block);
  }
  return names;
}

/** Each block's conv kernels (4-D trainable weights), read back. */
function blockKernels(model: tfjs.LayersModel, blocks: string[]): Kernel[][] {
  return blocks.map((block) =>
    model.layers
      .filter((l) => l.name.startsWith(`${block}/`))
      .flatMap((l) => l.trainableWeights)
      .filter((w) => w.shape.length === 4)
      .map((w) => ({ shape: w.shape as number[], values: w.read().dataSync() })),
  );
}

/** Refuses stacks whose blocks the distances cannot be measured on; names the block and why. */
function checkStacks(stacks: IdentityStacks, width: number): string[] {
  const blocks = blockNames(stacks.plain);
  const other = blockNames(stacks.residual);
  if (blocks.length === 0)
    throw new Error('the stacks have no blocks with weights: name each block\'s layers "<name>/..." (identityF does)');
  if (other.join() !== blocks.join())
    throw new Error(
      `the plain and residual stacks differ in their blocks: ${blocks.join(', ')} vs ${other.join(', ')}`,
    );
  for (const [kind, model] of Object.entries(stacks) as [keyof IdentityStacks, tfjs.LayersModel][]) {
    const out = model.outputs[0].shape;
    if (out[3] !== width || out[1] !== IMAGE_SIZE || out[2] !== IMAGE_SIZE)
      throw new Error(
        `the ${kind} stack's output is [${out.slice(1).join(', ')}]; to give back its input it must be [${IMAGE_SIZE}, ${IMAGE_SIZE}, ${width}]`,
      );
    blockKernels(model, blocks).forEach((kernels, i) => {
      if (kernels.length === 0) throw new Error(`${kind} ${blocks[i]} has no conv kernel to measure`);
      for (const k of kernels) {
        const problem = identityKernelProblem(k.shape);
        if (problem) throw new Error(`${kind} ${blocks[i]}: ${problem}`);
      }
    });
  }
  return blocks;
}

interface Stack {
  model: tfjs.LayersModel;
  target: IdentityTarget;
  optimizer: tfjs.Optimizer;
  initial: number[];
}

function distances(stack: Stack, blocks: string[]): number[] {
  return blockKernels(stack.model, blocks).map((k) => blockDistance(k, stack.target));
}

function mse(tf: TF, model: tfjs.LayersModel, x: tfjs.Tensor4D): tfjs.Scalar {
  return tf.mean<tfjs.Scalar>(tf.square(tf.sub(model.apply(x, { training: true }) as tfjs.Tensor, x)));
}

export interface IdentityTrainingOptions {
  stacks: IdentityStacks;
  config: ResolvedIdentityConfig;
  train: Split;
  test: Split;
  shouldStop?: () => boolean;
  onRecord?: (record: IdentityRecord) => void;
}

export async function trainIdentityStacks(tf: TF, o: IdentityTrainingOptions): Promise<IdentityTrainingResult> {
  const { config: c } = o;
  const blocks = checkStacks(o.stacks, c.width);
  const per = Math.ceil(c.width / 3);
  const stacks: Stack[] = (['plain', 'residual'] as const).map((kind) => ({
    model: o.stacks[kind],
    target: kind === 'plain' ? 'identity' : 'zero',
    optimizer: tf.train.momentum(c.lr, MOMENTUM),
    initial: [],
  }));
  for (const s of stacks) s.initial = distances(s, blocks);
  const evalCount = Math.min(EVAL_IMAGES, Math.floor(o.test.count / per));
  if (evalCount < 1) throw new Error(`the test split has ${o.test.count} images; ${per} make one input`);
  const evalX = tf.tensor4d(
    identityBatch(
      o.test,
      Array.from({ length: evalCount * per }, (_, i) => i),
      c.width,
    ),
    [evalCount, IMAGE_SIZE, IMAGE_SIZE, c.width],
  );
  const rng = mulberry32(mixSeed(c.seed, 0x1de));
  const records: IdentityRecord[] = [];
  const record = async (iteration: number) => {
    const losses = await Promise.all(
      stacks.map(async (s) => {
        const t = tf.tidy(() => mse(tf, s.model, evalX));
        const v = (await t.data())[0];
        t.dispose();
        return v;
      }),
    );
    losses.forEach((loss, i) => {
      if (Number.isFinite(loss)) return;
      // NaN has no place in identity.json (JSON writes it as null): the run ends here, saying which stack.
      const e = new DivergedError(iteration, loss);
      e.message = `the ${i === 0 ? 'plain' : 'residual'} stack ${e.message}`;
      throw e;
    });
    const [plain, residual] = stacks.map((s) => distances(s, blocks).map((d, i) => relativeDistance(d, s.initial[i])));
    const r = {
      iteration,
      plainLoss: losses[0],
      residualLoss: losses[1],
      plainDistance: plain,
      residualDistance: residual,
    };
    records.push(r);
    o.onRecord?.(r);
  };
  let status: 'finished' | 'stopped' = 'finished';
  let done = 0;
  try {
    await record(0);
    for (let it = 1; it <= c.iterations; it++) {
      if (o.shouldStop?.()) {
        status = 'stopped';
        break;
      }
      const picks = Array.from({ length: c.batchSize * per }, () => Math.floor(rng() * o.train.count));
      const x = tf.tensor4d(identityBatch(o.train, picks, c.width), [c.batchSize, IMAGE_SIZE, IMAGE_SIZE, c.width]);
      for (const s of stacks) {
        const vars = s.model.trainableWeights.map((w) => w.read() as tfjs.Variable);
        const loss = s.optimizer.minimize(() => mse(tf, s.model, x), true, vars);
        loss?.dispose();
      }
      x.dispose();
      done = it;
      if (it % c.recordEvery === 0 || it === c.iterations) await record(it);
      // A stop request is a message: let the event loop deliver it between steps.
      else await new Promise((resolve) => setImmediate(resolve));
    }
    if (records[records.length - 1].iteration !== done) await record(done);
  } finally {
    evalX.dispose();
    stacks.forEach((s) => s.optimizer.dispose());
  }
  return {
    blocks,
    initialDistance: { plain: stacks[0].initial, residual: stacks[1].initial },
    records,
    status,
    evalImages: evalCount,
  };
}
