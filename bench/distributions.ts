// The cost of distribution records, for bench/train.ts: what the loop does
// every distributionEvery iterations in graph mode (bring the weights back
// from the compiled step, then one probe: every kernel's quantiles, the probe
// batch through the model, every block output's quantiles and zeros), timed
// on its own, and its share of training time at the default interval.
import type * as tfjs from '@tensorflow/tfjs';
import { DistributionProbe, PROBE_IMAGES } from '../src/core/distributions/probe';
import { probePlan } from '../src/core/distributions/probePlan';
import { extractGraph } from '../src/core/graph/extract';
import { DEFAULT_DISTRIBUTION_EVERY } from '../src/core/lib/experiment';
import type { Stepper } from '../src/core/train/stepper';

/** Median milliseconds of one record (weights synced, then sampled), after one untimed. */
export async function distributionMs(
  tf: typeof tfjs,
  model: tfjs.LayersModel,
  stepper: Pick<Stepper, 'syncModel'>,
  samples = 5,
): Promise<number> {
  const x = Float32Array.from({ length: PROBE_IMAGES * 32 * 32 * 3 }, (_, i) => Math.sin(i) * 0.5);
  const batch = { x, labels: new Int32Array(PROBE_IMAGES), size: PROBE_IMAGES };
  const probe = new DistributionProbe(tf, model, probePlan(model, extractGraph(model)), batch, [32, 32, 3]);
  const times: number[] = [];
  for (let i = 0; i <= samples; i++) {
    const t0 = performance.now();
    await stepper.syncModel();
    await probe.sample(i);
    if (i > 0) times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[times.length >> 1];
}

/** A record's share of training time at the default interval: one record per DEFAULT_DISTRIBUTION_EVERY steps. */
export const distributionShare = (recordMs: number, stepMs: number): number =>
  recordMs / (recordMs + DEFAULT_DISTRIBUTION_EVERY * stepMs);

export function distributionLine(rows: { depth: number; recordMs: number; stepMs: number }[]): string {
  return (
    `\nDistributions (every ${DEFAULT_DISTRIBUTION_EVERY} iterations, the default; native graph mode: weights synced, kernels and block outputs on ${PROBE_IMAGES} probe images): ` +
    rows
      .map(
        (r) =>
          `ResNet-${r.depth} ${r.recordMs.toFixed(0)} ms per record = ${(100 * distributionShare(r.recordMs, r.stepMs)).toFixed(2)}% of training time (step ${r.stepMs.toFixed(0)} ms)`,
      )
      .join('; ') +
    ' (goal < 3%)'
  );
}
