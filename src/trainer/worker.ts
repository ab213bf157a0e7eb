// Entry point of a data-parallel training worker thread (dist/trainer-worker.js),
// started by src/core/train/parallel/dataParallel.ts inside the trainer process.
import { runWorker } from '../core/train/parallel/worker';

void runWorker();
