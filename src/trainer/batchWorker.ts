// Entry point of the batch prefetcher's worker thread (dist/batch-worker.js),
// started by src/core/data/prefetch.ts inside the trainer process.
import { parentPort, workerData } from 'node:worker_threads';
import { BatchWorkerInit, serveBatches } from '../core/data/prefetch';

serveBatches(workerData as BatchWorkerInit, parentPort!);
