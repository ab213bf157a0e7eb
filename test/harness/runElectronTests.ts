// `npm run test:electron`: the standard @vscode/test-electron path (downloads
// desktop VS Code and runs the suite in it). Needs internet; offline use
// `npm run test:vscode` (code-server harness) instead.
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const NETWORK = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|getaddrinfo|socket hang up|download/i;

async function main(): Promise<number> {
  try {
    await runTests({
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: path.join(REPO_ROOT, 'dist', 'test', 'integration', 'index.js'),
      launchArgs: [path.join(REPO_ROOT, 'test', 'fixtures', 'workspace')],
    });
    return 0;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (NETWORK.test(msg)) {
      console.error(
        `\n[test:electron] Could not download VS Code (${msg.split('\n')[0]}).\n` +
          '[test:electron] This path needs internet access to update.code.visualstudio.com.\n' +
          '[test:electron] Offline, run the same suite with: npm run test:vscode (code-server + Chromium)\n',
      );
    } else {
      console.error(`[test:electron] ${msg}`);
    }
    return 1;
  }
}

// main catches every failure and returns 1: this promise never rejects.
void main().then((code) => process.exit(code));
