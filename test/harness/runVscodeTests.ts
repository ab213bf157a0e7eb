// `npm run test:vscode`: the integration suite (bundled to
// dist/test/integration/index.js) inside a real VS Code extension host,
// offline: code-server + Debian's Chromium. Two windows: a trusted workspace
// (the main suite) and an untrusted one (training must refuse).
// Each gets a fresh copy of the fixture workspace, since runs write into it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, runExtensionTests } from './codeServer';

function freshWorkspace(): string {
  const src = path.join(REPO_ROOT, 'test', 'fixtures', 'workspace');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-ws-'));
  fs.cpSync(src, dir, { recursive: true });
  return dir;
}

async function main(): Promise<number> {
  const testsPath = path.join(REPO_ROOT, 'dist', 'test', 'integration', 'index.js');
  if (!fs.existsSync(testsPath)) throw new Error(`${testsPath} is missing (build first: npm run build)`);
  const trusted = await runExtensionTests({ extensionPath: REPO_ROOT, testsPath, workspace: freshWorkspace() });
  if (trusted !== 0) return trusted;
  return runExtensionTests({ extensionPath: REPO_ROOT, testsPath, workspace: freshWorkspace(), trust: true });
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`[test:vscode] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
