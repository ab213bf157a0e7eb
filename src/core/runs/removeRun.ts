// Deleting or archiving a run folder: the one place ResNet Lab removes a run.
// A webview names a run by id and the host maps it to a folder it listed; this
// checks again, on disk, that the folder is a run folder directly inside one
// of the runs folders (not a link leading elsewhere, not the runs folder
// itself), and that no trainer is writing it (a live trainer.lock, or run.json
// "running" with files still growing, a run of another machine). Deleting
// removes the folder's own entries: a symbolic link inside is unlinked, never
// followed. Archiving moves the folder, whole, into the archive folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isWrittenNow } from './follow';
import { RunFolderError } from './runErrors';
import { hasRunJson } from './runFiles';
import { liveLockHolder } from './runLock';

export type RemoveAction = 'delete' | 'archive';

function realDir(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

/** Throws a RunFolderError unless `runDir` may be removed: a run folder directly in one of `runsDirs`, not being written. */
export function assertRemovable(runDir: string, runsDirs: string[]): void {
  const name = path.basename(runDir);
  const stat = fs.lstatSync(runDir, { throwIfNoEntry: false });
  if (!stat) throw new RunFolderError(`run ${name} is gone (${runDir} no longer exists)`);
  if (stat.isSymbolicLink() || !stat.isDirectory())
    throw new RunFolderError(`${runDir} is not a folder but a link or a file: ResNet Lab removes only run folders`);
  const parent = realDir(path.dirname(runDir));
  if (!parent || !runsDirs.map(realDir).includes(parent))
    throw new RunFolderError(`${runDir} is not inside a runs folder: ResNet Lab removes only run folders`);
  if (!hasRunJson(runDir)) throw new RunFolderError(`${runDir} is not a run folder (no run.json)`);
  const pid = liveLockHolder(runDir);
  if (pid !== undefined)
    throw new RunFolderError(`run ${name} is still training (pid ${pid}): stop it first, then delete or archive it`);
  if (isWrittenNow(runDir))
    throw new RunFolderError(`run ${name} is still being written: wait for it to end, then delete or archive it`);
}

/** Deletes `runDir`, or moves it into `archiveDir`; returns where it went (undefined: deleted). */
export function removeRun(
  runDir: string,
  runsDirs: string[],
  action: RemoveAction,
  archiveDir: string,
): string | undefined {
  assertRemovable(runDir, runsDirs);
  if (action === 'delete') {
    fs.rmSync(runDir, { recursive: true });
    return undefined;
  }
  fs.mkdirSync(archiveDir, { recursive: true });
  const base = path.basename(runDir);
  for (let i = 0; ; i++) {
    const target = path.join(archiveDir, i === 0 ? base : `${base}-${i}`);
    if (fs.existsSync(target)) continue;
    try {
      fs.renameSync(runDir, target);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
      // The archive is on another disk: copy (links as links), then remove.
      fs.cpSync(runDir, target, { recursive: true, verbatimSymlinks: true });
      fs.rmSync(runDir, { recursive: true });
    }
    return target;
  }
}
