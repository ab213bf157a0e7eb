// Problems with a run folder that a user can act on (damaged, busy, a full
// disk): reported as one line naming the file and what to do, never a stack.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHECKPOINT_FILES, checkpointPath } from './runFiles';

export class RunFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunFolderError';
  }
}

const NO_SPACE = new Set(['ENOSPC', 'EDQUOT']);

export const isNoSpace = (e: unknown) => NO_SPACE.has((e as NodeJS.ErrnoException)?.code ?? '');

/** Iteration of the checkpoint a resume would start from, if there is one whole. */
export function lastCheckpointIteration(runDir: string): number | undefined {
  for (const dir of ['latest', 'latest.old', 'best']) {
    try {
      return (
        JSON.parse(fs.readFileSync(path.join(checkpointPath(runDir, dir), CHECKPOINT_FILES.state), 'utf8')) as {
          iteration: number;
        }
      ).iteration;
    } catch {
      // not there or torn: try the next
    }
  }
  return undefined;
}

/** "no space left on device writing <file> (run folder X); the last checkpoint at iteration N is intact: ..." */
export function noSpaceMessage(e: unknown, runDir: string | undefined): string {
  const err = e as NodeJS.ErrnoException;
  const what = err.code === 'EDQUOT' ? 'disk quota exceeded' : 'no space left on device';
  const file = err.path
    ? ` writing ${runDir && err.path.startsWith(runDir + path.sep) ? path.relative(runDir, err.path) : err.path}`
    : '';
  if (!runDir) return `${what}${file}: free some space and run again`;
  const at = lastCheckpointIteration(runDir);
  const checkpoint =
    at === undefined ? 'no checkpoint was written yet' : `the last checkpoint at iteration ${at} is intact`;
  return `${what}${file} (run folder ${runDir}); ${checkpoint}: free some space and resume`;
}
