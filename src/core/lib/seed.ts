// Weight initialisers draw from tfjs' seeded generators, so a seed set before
// a model is built makes its initial weights reproducible. Initialisers given
// no seed (tfjs' defaults, e.g. glorotUniform; a user's layer that draws at
// build time) seed themselves from Math.random, so while a model is built
// Math.random draws from the run's seed too (seededMathRandom).
import { mixSeed, mulberry32 } from '../data/random';

let counter = 1;
let runSeed = 1;

/** The seeds a run can use: every generator takes 32 bits, so a larger or negative seed would alias a smaller one. */
export const MAX_SEED = 0xffffffff;

/** Why `seed` cannot be a run's seed, or undefined when it can (a whole number from 0 to MAX_SEED, used as given). */
export function seedProblem(seed: unknown): string | undefined {
  if (typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED) return undefined;
  return `seed ${String(seed)} is not a whole number from 0 to ${MAX_SEED} (seeds are 32 bits; a larger or negative one would repeat a smaller one's run)`;
}

export function setInitSeed(seed: number): void {
  runSeed = seed >>> 0;
  counter = runSeed * 1000 + 1;
}

export function nextSeed(): number {
  return counter++;
}

/**
 * Makes Math.random draw from the seed last set (setInitSeed), from the same
 * start each time, until the returned function restores it: two builds with
 * one seed start from bitwise equal weights, whatever initialisers they use.
 */
export function seededMathRandom(): () => void {
  const original = Math.random;
  Math.random = mulberry32(mixSeed(runSeed, 0x5eed));
  return () => {
    Math.random = original;
  };
}
