// Nothing outside a run folder is ever written, renamed or deleted. A run
// folder is data that may come from anywhere: one whose `checkpoints/` (or any
// file in it) is a symbolic link leaving the folder would have resume rotate
// and delete checkpoints, or append records, wherever that link points. Such a
// folder is refused before anything is written.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunFolderError } from './runErrors';

const inside = (root: string, p: string) => p === root || p.startsWith(root + path.sep);

/** Throws a RunFolderError naming the first symbolic link under `runDir` that leads outside it (or nowhere). */
export function assertSelfContained(runDir: string): void {
  const root = fs.realpathSync(runDir);
  const pending = [runDir];
  while (pending.length) {
    const dir = pending.pop()!;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) pending.push(p);
      if (!entry.isSymbolicLink()) continue;
      let target: string;
      try {
        target = fs.realpathSync(p);
      } catch {
        target = path.resolve(dir, fs.readlinkSync(p));
      }
      if (!inside(root, target) || !fs.existsSync(p))
        throw new RunFolderError(
          `${path.relative(runDir, p)} in ${runDir} is a symbolic link to ${target}, outside the run folder: ResNet Lab writes only inside a run folder, so it will not use this one. Replace the link with a copy of what it points to (cp -RL) and try again`,
        );
    }
  }
}
