// Whether and how the training loop goes data-parallel: only on the wasm
// backend (the native backend already uses every core; the cpu backend is too
// slow to matter), with one worker per core unless told otherwise. wasm runs on
// one thread in Node, so a second worker nearly doubles the rate (bench/train.ts).
import * as os from 'node:os';
import type { StartStepperOptions } from '../stepper';
import { DataParallel } from './dataParallel';

export function defaultWorkerCount(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

export async function startDataParallel(o: StartStepperOptions): Promise<DataParallel | undefined> {
  const asked = o.workers ?? defaultWorkerCount();
  if (asked <= 1) return undefined;
  const backend = o.tf.getBackend();
  if (backend !== 'wasm') {
    if (o.workers !== undefined)
      o.emit({
        type: 'log',
        level: 'info',
        message: `workers: ${asked} ignored: data-parallel workers are for the wasm backend, this run uses ${backend}`,
      });
    return undefined;
  }
  const workers = Math.min(asked, o.batchSize);
  const per = o.batchSize / workers;
  const share = Number.isInteger(per) ? `${per}` : `${Math.floor(per)}-${Math.ceil(per)}`;
  let dp: DataParallel;
  try {
    dp = await DataParallel.create({
      tf: o.tf,
      model: o.model,
      info: o.info,
      workers,
      momentum: o.optimizer.momentum,
      weightDecay: o.optimizer.weightDecay,
      layerOf: o.layerOf,
      source: o.source,
      batchSize: o.batchSize,
    });
  } catch (e) {
    // Asked for explicitly: the user should hear why it did not work. By default: train on one thread instead.
    if (o.workers !== undefined) throw e;
    o.emit({
      type: 'log',
      level: 'warn',
      message: `data-parallel workers could not start (${(e as Error).message}); training on one thread`,
    });
    return undefined;
  }
  o.emit({
    type: 'log',
    level: 'info',
    message: `data-parallel: ${workers} wasm workers, ${share} images each per batch of ${o.batchSize} (batch norm per worker, moving statistics averaged)`,
  });
  return dp;
}
