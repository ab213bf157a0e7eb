// The one way tests get a scratch folder: fresh, empty, and removed with
// everything in it once the tests that asked for it are done, even when they
// fail, so no run leaves resnet-lab-* folders behind in the OS temp dir.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, type TestContext } from 'node:test';

/**
 * A new folder `<os.tmpdir()>/resnet-lab-<name>-XXXXXX`. Removed after test `t`
 * when given, else after the tests of the file (or of the `describe` it is
 * called in).
 */
export function tempDir(name: string, t?: Pick<TestContext, 'after'>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `resnet-lab-${name}-`));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  if (t) t.after(remove);
  else after(remove);
  return dir;
}
