// Entry point of the model compiler's worker thread (dist/compile-worker.js),
// started by src/core/compile/compileUserFile.ts for one file at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { compileForParent } from '../core/compile/compileUserFile';

void compileForParent((workerData as { file: string }).file).then((reply) => parentPort!.postMessage(reply));
