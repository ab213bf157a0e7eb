// Running a user's model file in the trainer: evaluating it and calling its
// model function are the two places a `while (true) {}` can hang the trainer.
// Both are announced to the parent (`building` ... `built`) so that it can
// time them, and marked for the lifeline, which kills a trainer stuck there
// when its parent is gone.
import * as fs from 'node:fs';
import { findExperiments } from '../core/experiments/findExperiments';
import { findSweeps } from '../core/experiments/findSweeps';
import type { TrainerEvent } from '../protocol/trainer';
import { inUserCode } from './lifeline';

/** 1-based line of `export const <experiment> = experiment(...)`, 1 when not found. */
export function experimentLine(file: string, experiment: string): number {
  try {
    // A sweep's run (`depths#3`) points at the sweep.
    const name = experiment.replace(/#\d+$/, '');
    const text = fs.readFileSync(file, 'utf8');
    return ([...findExperiments(text), ...findSweeps(text)].find((e) => e.name === name)?.line ?? 0) + 1;
  } catch {
    return 1;
  }
}

export async function runUserCodeTimed<T>(
  emit: (e: TrainerEvent) => void,
  file: string,
  experiment: string,
  fn: () => T | Promise<T>,
): Promise<T> {
  emit({ type: 'building', file, experiment, line: experimentLine(file, experiment) });
  try {
    return await inUserCode(fn);
  } finally {
    emit({ type: 'built' });
  }
}
