// `npm run sandbox`: a real VS Code (code-server) with this repo loaded as a
// development extension and examples/ as the workspace, for poking at the
// extension by hand. Open the printed URL in a browser; Ctrl-C stops it.
// PORT=8080 npm run sandbox picks a fixed port (refused if busy).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, startCodeServer } from './codeServer';
import { sandboxOptions } from './sandboxOptions';

async function main(): Promise<void> {
  const built = path.join(REPO_ROOT, 'dist', 'extension.js');
  if (!fs.existsSync(built)) console.warn(`[sandbox] warning: ${built} is missing; run npm run build`);
  const server = await startCodeServer(sandboxOptions());
  const url = server.workbenchUrl([['extensionDevelopmentPath', server.remoteUri(REPO_ROOT)]]);
  console.log(`\n[sandbox] VS Code with ResNet Lab as development extension:\n\n  ${url}\n`);
  console.log('[sandbox] rebuild (npm run build) then "Developer: Reload Window" to pick up changes. Ctrl-C to stop.');
  // The server's child-process handle keeps us alive; the SIGINT hook in
  // server.ts kills its whole process tree.
}

main().catch((e: unknown) => {
  console.error(`[sandbox] ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
