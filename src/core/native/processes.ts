// Child processes and small text helpers for the native-backend setup.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface RunResult {
  code: number | null;
  /** stdout and stderr interleaved as they arrived. */
  output: string;
  error?: string;
}

export function run(
  cmd: string,
  args: string[],
  o: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number; onLine?: (l: string) => void },
): Promise<RunResult> {
  return new Promise((resolve) => {
    let output = '';
    let partial = '';
    let error: string | undefined;
    const child = spawn(cmd, args, { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      error = `timed out after ${Math.round(o.timeoutMs / 1000)} s`;
      child.kill('SIGKILL');
    }, o.timeoutMs);
    const onData = (d: Buffer) => {
      const s = d.toString();
      output += s;
      if (output.length > 4_000_000) output = output.slice(-2_000_000);
      if (o.onLine) {
        const lines = (partial + s).split('\n');
        partial = lines.pop() ?? '';
        for (const l of lines) if (l.trim()) o.onLine(l);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => {
      error = `${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`.trim();
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (o.onLine && partial.trim()) o.onLine(partial);
      resolve({ code, output, error });
    });
  });
}

export function which(name: string): string | undefined {
  if (name.includes('/')) return fs.existsSync(name) ? name : undefined;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

export function tail(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

export function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
