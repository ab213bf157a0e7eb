// A file system error as one line a user can act on: what could not be done
// to which file or folder, and why in words ("cannot write out/report.html: no
// space left on device"), instead of Node's "ENOSPC: no space left on device,
// write", which names no file (a failed write(2) has no path).
import * as path from 'node:path';

const CAUSES: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENOENT: 'no such file or folder',
  EISDIR: 'it is a folder',
  EEXIST: 'it already exists',
  EMFILE: 'too many open files',
  EIO: 'input/output error (a failing disk?)',
};

const ACTIONS: Record<string, string> = {
  mkdir: 'create folder',
  rmdir: 'remove folder',
  rm: 'remove',
  unlink: 'remove',
  rename: 'rename',
  open: 'open',
  read: 'read',
  scandir: 'list',
  copyfile: 'copy',
};

/** True for an error of the file system (it has an errno code such as ENOSPC). */
export const isFileError = (e: unknown): e is NodeJS.ErrnoException =>
  e instanceof Error &&
  typeof (e as NodeJS.ErrnoException).code === 'string' &&
  /^E[A-Z]+$/.test((e as NodeJS.ErrnoException).code!);

/**
 * "cannot <action> <file>: <cause>"; `file` names the target when the error
 * has no path of its own (a failed write). Undefined for other errors.
 */
export function fileErrorMessage(e: unknown, file?: string): string | undefined {
  if (!isFileError(e)) return undefined;
  const target = e.path ?? file;
  const cause = CAUSES[e.code!] ?? e.message.replace(/^E[A-Z]+:\s*/, '').split(',')[0];
  const action = ACTIONS[e.syscall ?? ''] ?? 'write';
  const dest = (e as { dest?: string }).dest;
  const to = e.syscall === 'rename' && dest ? ` to ${path.resolve(dest)}` : '';
  return target
    ? `cannot ${action} ${path.resolve(target)}${to}: ${cause}`
    : `${cause} (${e.syscall ?? 'file system'})`;
}
