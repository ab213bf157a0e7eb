// A run folder is data, never code. Its run.json names the model file it was
// trained from, and a folder from elsewhere can name any file: an analysis that
// needs model code (a checkpoint with custom layers) runs it only from a file
// inside the folder the user works in (the CLI's current directory, a trusted
// VS Code workspace), and otherwise says which code it would need and stops.
import * as fs from 'node:fs';
import * as path from 'node:path';

const inside = (root: string, p: string) => p === root || p.startsWith(root + path.sep);

/** Why `file` may not be run for an analysis allowed to run code under `codeRoots`, or undefined when it may. */
export function modelCodeRefusal(file: string, codeRoots: string[] = []): string | undefined {
  if (!fs.existsSync(file)) return `it would need its model file ${file}, which does not exist`;
  const real = fs.realpathSync(file);
  const roots = codeRoots.filter((r) => fs.existsSync(r)).map((r) => fs.realpathSync(r));
  if (roots.some((root) => inside(root, real)) && /\.[cm]?[jt]sx?$/.test(real)) return undefined;
  const where = roots.length ? `it is not inside ${codeRoots.join(' or ')}` : 'no trusted workspace holds it';
  return `it would need to run ${file}, and ${where}: a run folder is data, so its model file is run only from the current workspace. Run the analysis from the folder that holds that file (or open it as a trusted workspace)`;
}
