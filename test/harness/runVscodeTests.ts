// `npm run test:vscode`: the integration suite (bundled to
// dist/test/integration/index.js) inside a real VS Code extension host,
// offline: code-server + Debian's Chromium. Exit code = the suite's.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, runExtensionTests } from './codeServer';

async function main(): Promise<number> {
  const testsPath = path.join(REPO_ROOT, 'dist', 'test', 'integration', 'index.js');
  const workspace = path.join(REPO_ROOT, 'test', 'fixtures', 'workspace');
  for (const p of [testsPath, workspace]) {
    if (!fs.existsSync(p)) throw new Error(`${p} is missing (build first: npm run build)`);
  }
  return runExtensionTests({ extensionPath: REPO_ROOT, testsPath, workspace });
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`[test:vscode] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
