import { spawn } from 'node:child_process';
import * as path from 'node:path';

export const REPO = path.join(__dirname, '..', '..', '..');

export interface CliResult { code: number | null; stdout: string; stderr: string }

/** Runs the built CLI (dist/cli.js) from the repo root; `whileRunning` gets the child, e.g. to signal it. */
export function cli(args: string[], whileRunning?: (child: ReturnType<typeof spawn>) => void): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO, 'dist', 'cli.js'), ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    whileRunning?.(child);
  });
}
