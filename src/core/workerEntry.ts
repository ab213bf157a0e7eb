// How to start one of the trainer's worker threads: the bundled script beside
// the running bundle (dist/), or, when running from sources under tsx (tests,
// bench), the TypeScript entry in src/trainer/ through tsx's require hook.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface WorkerEntry {
  script: string;
  eval: boolean;
}

/** `source`: the entry under src/trainer/; `bundle`: its bundle under dist/. */
export function workerEntry(source: string, bundle: string): WorkerEntry {
  if (__filename.endsWith('.ts')) {
    const file = path.resolve(__dirname, '..', 'trainer', source);
    const tsx = require.resolve('tsx/cjs');
    // Under tsx, its hooks come from the eval'd require: the parent's --import cannot load a .ts entry point in a worker.
    return { script: `require(${JSON.stringify(tsx)}); require(${JSON.stringify(file)});`, eval: true };
  }
  const script = path.join(__dirname, bundle);
  if (!fs.existsSync(script)) throw new Error(`the worker script is missing: ${script} (run the build)`);
  return { script, eval: false };
}
