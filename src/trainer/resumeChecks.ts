// What a resume says before it continues: which checkpoint it took when the
// newest was damaged, and whether the model file still builds what the
// checkpoint holds. A resume always continues the checkpoint's model (its
// weights only fit that one); a file that now builds something else is
// reported with the layer and parameter counts of both.
import type * as tfjs from '@tensorflow/tfjs';
import * as path from 'node:path';
import type { ResumePoint } from '../core/runs/checkpoint';
import type { TrainerEvent } from '../protocol/trainer';

type Emit = (e: TrainerEvent) => void;

export function reportResumePoint(runDir: string, point: ResumePoint, emit: Emit): void {
  if (point.skipped.length === 0) return;
  for (const why of point.skipped)
    emit({ type: 'log', level: 'warn', message: `skipped a damaged checkpoint: ${why}` });
  const momentum = point.optimizer ? '' : ' (no optimizer state there: momentum restarts from zero)';
  emit({
    type: 'log',
    level: 'warn',
    message: `resuming from ${path.relative(runDir, point.dir)} at iteration ${point.state.iteration}${momentum}`,
  });
}

const shape = (m: tfjs.LayersModel) => ({ layers: m.layers.length, params: m.countParams() });
const describeShape = (s: { layers: number; params: number }) =>
  `${s.layers} layers, ${s.params.toLocaleString('en-US')} parameters`;

/** Compares the checkpoint's model with what the file builds now; `buildNow` may throw (the file changed in a way that no longer builds). */
export async function reportArchitectureChange(
  file: string,
  checkpoint: tfjs.LayersModel,
  buildNow: () => Promise<tfjs.LayersModel>,
  emit: Emit,
): Promise<void> {
  let now: tfjs.LayersModel;
  try {
    now = await buildNow();
  } catch (e) {
    emit({
      type: 'log',
      level: 'warn',
      message: `${file} no longer builds its model (${(e as Error).message.split('\n')[0]}); resuming the checkpoint's model`,
    });
    return;
  }
  const a = shape(checkpoint),
    b = shape(now);
  const sameLayers =
    checkpoint.layers.map((l) => l.getClassName()).join() === now.layers.map((l) => l.getClassName()).join();
  now.dispose();
  if (a.layers === b.layers && a.params === b.params && sameLayers) return;
  emit({
    type: 'log',
    level: 'warn',
    message: `${file} now builds a different model (${describeShape(b)}) than the checkpoint holds (${describeShape(a)}); resuming the checkpoint's model: train again to use the new one`,
  });
}
