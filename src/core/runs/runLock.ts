// One trainer per run folder. `resume` of a run that is still training would
// have two processes appending to the same metrics.jsonl; a lock file holding
// the trainer's pid refuses the second. A process that died (SIGKILL, a
// crash, a power cut) cannot hold the lock forever: a lock whose pid is not
// alive is stale and taken over.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunFolderError } from './runErrors';
import { LOCK } from './runFiles';

export { LOCK };

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holder(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the run folder for this process, or throws "run X is still training (pid N)". Returns the release function. */
export function lockRun(runDir: string, pid = process.pid): () => void {
  const file = path.join(runDir, LOCK);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, String(pid), { flag: 'wx' });
      const release = () => {
        if (holder(file) === pid) fs.rmSync(file, { force: true });
      };
      // Also on process.exit (a lost parent, an error): the next trainer should not have to wait for anything.
      process.once('exit', release);
      return () => {
        process.off('exit', release);
        release();
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const other = holder(file);
      if (other !== undefined && other !== pid && isAlive(other)) {
        throw new RunFolderError(
          `run ${path.basename(runDir)} is still training (pid ${other}): stop it first, or wait for it to end`,
        );
      }
      // Stale (its process is gone) or half-written: take it over.
      fs.rmSync(file, { force: true });
    }
  }
  throw new RunFolderError(`could not lock ${file}: another process keeps creating it`);
}

/** The pid of a live trainer holding `runDir`'s lock; undefined when none does (no lock, or a stale one). */
export function liveLockHolder(runDir: string): number | undefined {
  const pid = holder(path.join(runDir, LOCK));
  return pid !== undefined && isAlive(pid) ? pid : undefined;
}
