// What a finished identity experiment says, in numbers: both stacks' final
// losses, how soon the residual stack got as low as the plain one ever did,
// and every block's last distance from its identity solution.
import type { IdentityRecord, IdentityResult } from '../../protocol/identity';

export interface IdentitySummary {
  iterations: number;
  plainLoss: number;
  residualLoss: number;
  /** First recorded iteration at which the residual stack's loss was at or below the plain stack's final loss; null: never. */
  residualReachesPlainFinal: number | null;
  plainDistance: number[];
  residualDistance: number[];
}

/** First recorded iteration where `loss(record)` <= threshold, or null. */
export function firstIterationBelow(
  records: IdentityRecord[],
  loss: (r: IdentityRecord) => number,
  threshold: number,
): number | null {
  return records.find((r) => loss(r) <= threshold)?.iteration ?? null;
}

export function summarizeIdentity(result: IdentityResult): IdentitySummary {
  const last = result.records[result.records.length - 1];
  return {
    iterations: last.iteration,
    plainLoss: last.plainLoss,
    residualLoss: last.residualLoss,
    residualReachesPlainFinal: firstIterationBelow(result.records, (r) => r.residualLoss, last.plainLoss),
    plainDistance: last.plainDistance,
    residualDistance: last.residualDistance,
  };
}

const loss = (v: number) => (v < 0.001 ? v.toExponential(2) : v.toFixed(4));
const dist = (v: number) => v.toFixed(3);

/** The CLI's printout: a loss table, the catch-up iteration, and a distance table per block. */
export function identityReport(result: IdentityResult): string[] {
  const s = summarizeIdentity(result);
  const c = result.config;
  const lines = [
    `${c.blocks} blocks of width ${c.width}, ${s.iterations} iterations of batch ${c.batchSize} at lr ${c.lr}, seed ${c.seed} (${result.backend}, ${result.seconds.toFixed(1)} s)${result.status === 'stopped' ? ', stopped early' : ''}`,
    '',
    `stack      mean squared error (start → end, ${result.evalImages} test inputs)`,
    `plain      ${loss(result.records[0].plainLoss)} → ${loss(s.plainLoss)}`,
    `residual   ${loss(result.records[0].residualLoss)} → ${loss(s.residualLoss)}`,
    s.residualReachesPlainFinal === null
      ? 'the residual stack never got as low as the plain stack ended'
      : `the residual stack reached the plain stack's final loss at iteration ${s.residualReachesPlainFinal} of ${s.iterations}`,
    '',
    'block      plain ‖W − I‖/‖W₀ − I‖   residual ‖W‖/‖W₀‖   (1: where it started, 0: the identity)',
    ...result.blocks.map(
      (b, i) => `${b.padEnd(10)} ${dist(s.plainDistance[i]).padStart(22)} ${dist(s.residualDistance[i]).padStart(19)}`,
    ),
  ];
  return lines;
}
