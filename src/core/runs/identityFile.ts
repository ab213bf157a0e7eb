// identity.json: the identity experiment's result in its run folder (written
// by the trainer's `identity` command, read by the CLI, the figure and the
// identity panel). Validated on every read: a run folder is data.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IdentityResult, IdentityResultSchema } from '../../protocol/identity';
import { RunFolderError } from './runErrors';
import { writeFileAtomic } from './runFolder';

export const IDENTITY_JSON = 'identity.json';
/** The figure the CLI writes beside it. */
export const IDENTITY_SVG = 'identity.svg';

export function writeIdentityResult(runDir: string, result: IdentityResult): void {
  writeFileAtomic(path.join(runDir, IDENTITY_JSON), JSON.stringify(result, null, 2));
}

/** The stored result, validated; a RunFolderError naming the file when it is missing or damaged. */
export function readIdentityResult(runDir: string): IdentityResult {
  const file = path.join(runDir, IDENTITY_JSON);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new RunFolderError(`${runDir} has no ${IDENTITY_JSON}: it is not an identity experiment's run folder`);
    throw e;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new RunFolderError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = IdentityResultSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RunFolderError(
      `${file} is not an identity experiment result (${issue.path.join('.') || 'top level'}: ${issue.message})`,
    );
  }
  return parsed.data;
}
