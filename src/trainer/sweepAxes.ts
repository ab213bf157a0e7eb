// `sweep-axes`: runs a model file far enough to read a sweep's axes, so the
// CLI and the extension can write the sweep's queue before any run starts.
import * as tfjs from '@tensorflow/tfjs';
import * as lib from '../core/lib';
import { loadSweepAxes } from '../core/train/userModel';
import { failureEvent } from './session';
import type { Emit } from './setup';
import { runUserCodeTimed } from './userCode';

export async function sweepAxes(file: string, sweep: string, emit: Emit): Promise<void> {
  try {
    const axes = await runUserCodeTimed(emit, file, sweep, () => loadSweepAxes(tfjs, lib, file, sweep));
    emit({
      type: 'sweep-axes',
      axes: axes as Record<string, [string | number | boolean, ...(string | number | boolean)[]]>,
    });
  } catch (e) {
    emit(failureEvent(e, file, sweep));
  }
}
