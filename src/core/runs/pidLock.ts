// A lock file holding the pid of the process that owns something on disk (a
// run folder's trainer, a sweep's runner). A process that died (SIGKILL, a
// crash, a power cut) cannot hold a lock forever: a lock whose pid is not
// alive is stale and taken over.
import * as fs from 'node:fs';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid written in a lock file, alive or not; undefined when there is none or it is half-written. */
export function lockHolder(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The pid holding the lock while it is alive. */
export function liveHolder(file: string): number | undefined {
  const pid = lockHolder(file);
  return pid !== undefined && isAlive(pid) ? pid : undefined;
}

/**
 * Takes the lock for `pid`, or throws `error(held(other))` while a live
 * process holds it. Returns the release function; the lock is also released
 * when the process exits (a lost parent, an error), so the next owner need
 * not wait.
 */
export function takeLock(
  file: string,
  held: (other: number) => string,
  error: (message: string) => Error = (m) => new Error(m),
  pid = process.pid,
): () => void {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, String(pid), { flag: 'wx' });
      const release = () => {
        if (lockHolder(file) === pid) fs.rmSync(file, { force: true });
      };
      process.once('exit', release);
      return () => {
        process.off('exit', release);
        release();
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const other = liveHolder(file);
      if (other !== undefined && other !== pid) throw error(held(other));
      // Stale (its process is gone) or half-written: take it over.
      fs.rmSync(file, { force: true });
    }
  }
  throw error(`could not lock ${file}: another process keeps creating it`);
}
