// What every trainer command starts with: the backend (and a log line saying
// which), and the data set, whose download reports its progress at most
// twice a second however fast the chunks arrive.
import * as tfjs from '@tensorflow/tfjs';
import { selectBackend } from '../core/backend/select';
import { Dataset, loadDataset } from '../core/data';
import type { DataSpec } from '../core/lib/data';
import type { BackendChoice, TrainerEvent } from '../protocol/trainer';

export type Emit = (e: TrainerEvent) => void;

const PROGRESS_EVERY_MS = 500;

/** Selects the backend and logs its notes and name; returns the name. */
export async function startBackend(choice: BackendChoice, emit: Emit): Promise<string> {
  const backend = await selectBackend(tfjs, choice);
  for (const note of backend.notes) emit({ type: 'log', level: 'info', message: note });
  emit({ type: 'log', level: 'info', message: `backend: ${backend.name}` });
  return backend.name;
}

/** Loads (and if need be downloads) a data set, logging the download's progress. */
export function loadData(spec: DataSpec, cacheDir: string | undefined, emit: Emit): Promise<Dataset> {
  let lastReport = 0;
  return loadDataset(spec, {
    cacheDir,
    onProgress: ({ file, received, total }) => {
      if (Date.now() - lastReport < PROGRESS_EVERY_MS) return;
      lastReport = Date.now();
      const pct = total ? ` ${Math.round((100 * received) / total)}%` : '';
      emit({ type: 'log', level: 'info', message: `downloading ${file}:${pct} (${(received / 1e6).toFixed(1)} MB)` });
    },
  });
}
