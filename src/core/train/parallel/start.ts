// Whether and how the training loop goes data-parallel: only with more than
// one worker asked for, and only on the wasm backend (the native backend
// already uses every core; the cpu backend is too slow to matter).
import type { LoopOptions } from '../loop';
import { DataParallel } from './dataParallel';

export async function startDataParallel(o: LoopOptions, layerOf: string[]): Promise<DataParallel | undefined> {
  const asked = o.workers ?? 1;
  if (asked <= 1) return undefined;
  const backend = o.tf.getBackend();
  if (backend !== 'wasm') {
    o.emit({ type: 'log', level: 'info', message: `workers: ${asked} ignored: data-parallel workers are for the wasm backend, this run uses ${backend}` });
    return undefined;
  }
  const workers = Math.min(asked, o.recipe.batchSize);
  const per = o.recipe.batchSize / workers;
  const share = Number.isInteger(per) ? `${per}` : `${Math.floor(per)}-${Math.ceil(per)}`;
  const dp = await DataParallel.create({
    tf: o.tf, model: o.model, info: o.dataset.info, workers,
    momentum: o.recipe.optimizer.momentum, weightDecay: o.recipe.optimizer.weightDecay,
    layerOf, source: o.source, batchSize: o.recipe.batchSize,
  });
  o.emit({ type: 'log', level: 'info', message: `data-parallel: ${workers} wasm workers, ${share} images each per batch of ${o.recipe.batchSize} (batch norm per worker, moving statistics averaged)` });
  return dp;
}
