// One trainer per run folder. `resume` of a run that is still training would
// have two processes appending to the same metrics.jsonl; a lock file holding
// the trainer's pid refuses the second (pidLock.ts: a dead holder's lock is
// taken over).
import * as path from 'node:path';
import { isAlive, liveHolder, takeLock } from './pidLock';
import { RunFolderError } from './runErrors';
import { LOCK } from './runFiles';

export { isAlive, LOCK };

/** Takes the run folder for this process, or throws "run X is still training (pid N)". Returns the release function. */
export function lockRun(runDir: string, pid = process.pid): () => void {
  return takeLock(
    path.join(runDir, LOCK),
    (other) => `run ${path.basename(runDir)} is still training (pid ${other}): stop it first, or wait for it to end`,
    (message) => new RunFolderError(message),
    pid,
  );
}

/** The pid of a live trainer holding `runDir`'s lock; undefined when none does (no lock, or a stale one). */
export const liveLockHolder = (runDir: string): number | undefined => liveHolder(path.join(runDir, LOCK));
