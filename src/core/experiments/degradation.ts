// The degradation experiment as a plan: which runs, with which shared budget,
// and what the finished runs say. Used by the CLI and the extension alike.
import type { Overrides } from '../../protocol/trainer';

export interface Budget {
  name: string;
  description: string;
  overrides: Overrides;
}

export const BUDGETS: Record<'quick' | 'cifar10', Budget> = {
  quick: {
    name: 'quick',
    description: 'synthetic data, 300 iterations of batch 64 at lr 0.02 per net (minutes per net on a laptop CPU)',
    // lr 0.02, not the paper's 0.1: so short a run has no time to recover from a
    // rough start, and at 0.1 (batch 64) ResNet-56 spends its first ~150
    // iterations at chance level, as the paper's ResNet-110 does at 0.1.
    overrides: { data: 'synthetic', iterations: 300, batchSize: 64, lr: 0.02, seed: 1 },
  },
  cifar10: {
    name: 'cifar10',
    description:
      'CIFAR-10, 3,000 iterations of batch 128 per net (hours on a laptop CPU; set resnetLab.dataFolder or --data-dir)',
    overrides: { data: 'cifar10', iterations: 3000, batchSize: 128, seed: 1 },
  },
};

export function degradationRuns(depths: number[]): string[] {
  for (const d of depths) {
    if (![20, 32, 44, 56, 110].includes(d))
      throw new Error(`depth ${d} is not one of the paper's CIFAR nets: 20, 32, 44, 56, 110`);
  }
  const sorted = [...depths].sort((a, b) => a - b);
  return [...sorted.map((d) => `plain${d}`), ...sorted.map((d) => `resnet${d}`)];
}

export interface FinalErrors {
  experiment: string;
  trainError: number;
  testError: number | null;
}

/**
 * The paper's claim, checked on finished runs: the deepest plain net ends with
 * higher training error than the shallowest, and the deepest ResNet does not.
 * Training error is averaged over the last 10% of iterations, as a curve is read.
 */
export function verdict(
  results: FinalErrors[],
  depths: number[],
): { plainDegrades: boolean; resnetDegrades: boolean; text: string } {
  const lo = Math.min(...depths),
    hi = Math.max(...depths);
  const get = (name: string) => results.find((r) => r.experiment === name);
  const [p0, p1, r0, r1] = [get(`plain${lo}`), get(`plain${hi}`), get(`resnet${lo}`), get(`resnet${hi}`)];
  if (!p0 || !p1 || !r0 || !r1)
    return { plainDegrades: false, resnetDegrades: false, text: 'not all four runs finished' };
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const plainDegrades = p1.trainError > p0.trainError;
  const resnetDegrades = r1.trainError > r0.trainError;
  return {
    plainDegrades,
    resnetDegrades,
    text:
      `plain-${lo} ${pct(p0.trainError)} → plain-${hi} ${pct(p1.trainError)} (${plainDegrades ? 'deeper is worse: degradation' : 'no degradation'}); ` +
      `ResNet-${lo} ${pct(r0.trainError)} → ResNet-${hi} ${pct(r1.trainError)} (${resnetDegrades ? 'deeper is worse' : 'deeper is not worse'})`,
  };
}

/** Mean training error over the last `fraction` of iteration records. */
export function finalTrainError(records: { type: string; trainError?: number }[], fraction = 0.1): number {
  const its = records.filter((r) => r.type === 'iteration' && r.trainError !== undefined);
  const tail = its.slice(Math.max(0, its.length - Math.max(1, Math.round(its.length * fraction))));
  return tail.reduce((s, r) => s + r.trainError!, 0) / Math.max(1, tail.length);
}
