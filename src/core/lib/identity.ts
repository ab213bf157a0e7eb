// The identity experiment of He et al. 2015, Section 3.1: "if identity
// mappings are optimal, the solvers may simply drive the weights of the
// multiple nonlinear layers toward zero". A stack of k blocks is trained to
// give back its own input; a plain block has to learn W -> I, a residual one
// only F -> 0. The trainer runs it (src/trainer/identity.ts, src/core/experiments/identityTraining.ts).
//
// The default block, F(x) = W * relu(x) with one 3x3 conv W and no batch norm:
// - one conv, so each block has exactly one identity solution to measure the
//   distance to (plain: the identity kernel I, a 1 at the centre tap from
//   each channel to itself; residual: W = 0). With two convs a plain block is
//   the identity also with W1 = cI, W2 = I/c, and its distance from I would
//   not go to 0 even where the block is the identity.
// - no batch norm, because it divides out the conv's scale: with BN after
//   it, 2I works as well as I and "W -> I" means nothing.
// - the ReLU at the start of F, as in He et al. 2016 (Fig. 4e, less BN), so
//   nothing follows the addition: y = x + F(x) is x exactly when W = 0, and a
//   plain block y = W * relu(x) is the identity on images (pixels >= 0) when
//   W = I. Both stacks can be the identity exactly, with the same weights.
// - the initial weights are He et al.'s scaled by 1/2: without BN, k residual
//   branches of full He scale add k random terms as large as x itself, and
//   the stack starts far from the identity (conv3x3(x, name, 1) shows it).
import * as tf from '@tensorflow/tfjs';
import { add, fanIn, relu } from './layers';
import { nextSeed, seedProblem } from './seed';

/** A block of the stack: `x` has `width` channels, and so must the result. */
export type IdentityBlock = (x: tf.SymbolicTensor, name: string) => tf.SymbolicTensor;

export interface IdentityConfig {
  /** Blocks in each stack (k). */
  blocks?: number;
  /** Channels of every block; the input is this many channels of synthetic images. */
  width?: number;
  iterations?: number;
  batchSize?: number;
  /** SGD with momentum 0.9, as the paper trains. */
  lr?: number;
  /** The same seed gives both stacks the same data and the same initial weights. */
  seed?: number;
  /** Loss and distances are recorded every this many iterations (default: about 200 points a run). */
  recordEvery?: number;
  /** y = F(x): the block without its shortcut. */
  plain?: IdentityBlock;
  /** y = F(x) + x. */
  residual?: IdentityBlock;
}

export interface IdentityExperiment {
  readonly kind: 'resnet-lab/identity-experiment';
  readonly config: IdentityConfig;
}

/** Standard deviation of the initial weights as a multiple of He et al.'s sqrt(2 / fan_in). */
export const IDENTITY_INIT_SCALE = 0.5;

/** A 3x3 conv from `width` channels to `width`, no bias, initialised N(0, (initScale * sqrt(2 / fan_in))^2), seeded. */
export function conv3x3(x: tf.SymbolicTensor, name: string, initScale = IDENTITY_INIT_SCALE): tf.SymbolicTensor {
  const channels = x.shape[3] as number;
  const stddev = initScale * Math.sqrt(2 / fanIn([3, 3, channels, channels]));
  return tf.layers
    .conv2d({
      filters: channels,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev, seed: nextSeed() }),
      name,
    })
    .apply(x) as tf.SymbolicTensor;
}

/** F(x) = W * relu(x). */
export const identityF = (x: tf.SymbolicTensor, name: string): tf.SymbolicTensor =>
  conv3x3(relu(x, `${name}/relu`), `${name}/conv`);

/** y = F(x): to pass x through, W must become the identity kernel. */
export const plainIdentityBlock: IdentityBlock = (x, name) => identityF(x, name);

/** y = x + F(x): to pass x through, W only has to become 0. */
export const residualIdentityBlock: IdentityBlock = (x, name) => add([x, identityF(x, name)], `${name}/add`);

export interface ResolvedIdentityConfig {
  blocks: number;
  width: number;
  iterations: number;
  batchSize: number;
  lr: number;
  seed: number;
  recordEvery: number;
}

const LIMITS = { blocks: 64, width: 256, iterations: 1_000_000, batchSize: 1024 } as const;

/** Why a config cannot run, or undefined. */
export function identityConfigProblem(c: ResolvedIdentityConfig): string | undefined {
  for (const key of ['blocks', 'width', 'iterations', 'batchSize'] as const) {
    const v = c[key];
    if (!Number.isInteger(v) || v < 1 || v > LIMITS[key])
      return `${key} must be a whole number from 1 to ${LIMITS[key]}, got ${String(v)}`;
  }
  if (!(c.lr > 0 && Number.isFinite(c.lr))) return `lr must be a positive number, got ${String(c.lr)}`;
  if (!Number.isInteger(c.recordEvery) || c.recordEvery < 1)
    return `recordEvery must be a whole number >= 1, got ${String(c.recordEvery)}`;
  return seedProblem(c.seed);
}

/** Every default filled in; `overrides` (the command line's) win over the file's values. */
export function resolveIdentityConfig(
  c: IdentityConfig,
  overrides: Partial<ResolvedIdentityConfig> = {},
): ResolvedIdentityConfig {
  const iterations = overrides.iterations ?? c.iterations ?? 500;
  const resolved = {
    blocks: overrides.blocks ?? c.blocks ?? 4,
    width: overrides.width ?? c.width ?? 12,
    iterations,
    batchSize: overrides.batchSize ?? c.batchSize ?? 16,
    lr: overrides.lr ?? c.lr ?? 0.01,
    seed: overrides.seed ?? c.seed ?? 1,
    recordEvery: overrides.recordEvery ?? c.recordEvery ?? Math.max(1, Math.round(iterations / 200)),
  };
  const problem = identityConfigProblem(resolved);
  if (problem) throw new Error(`identity experiment: ${problem}`);
  return resolved;
}

export function identityExperiment(config: IdentityConfig = {}): IdentityExperiment {
  for (const key of ['plain', 'residual'] as const) {
    if (config[key] !== undefined && typeof config[key] !== 'function')
      throw new Error(`identityExperiment({ ${key} }) must be a block function (x, name) => y`);
  }
  resolveIdentityConfig(config);
  return { kind: 'resnet-lab/identity-experiment', config };
}

/** The block functions of an experiment, the defaults where it names none. */
export function identityBlocks(c: IdentityConfig): { plain: IdentityBlock; residual: IdentityBlock } {
  return { plain: c.plain ?? plainIdentityBlock, residual: c.residual ?? residualIdentityBlock };
}

export function isIdentityExperiment(value: unknown): value is IdentityExperiment {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as IdentityExperiment).kind === 'resnet-lab/identity-experiment'
  );
}

/** The stack the experiment trains: `blocks` blocks on a `width`-channel image, nothing before or after. */
export function identityStack(
  block: IdentityBlock,
  o: { blocks: number; width: number; size: number; name: string },
): tf.LayersModel {
  const input = tf.input({ shape: [o.size, o.size, o.width], name: 'input' });
  let x: tf.SymbolicTensor = input;
  for (let b = 1; b <= o.blocks; b++) x = block(x, `block${b}`);
  return tf.model({ inputs: input, outputs: x, name: o.name });
}
