// Starts a throw-away code-server (VS Code server + web workbench) and makes
// sure it dies with us: earlier experiments showed a SIGTERM to the wrapper
// does not always stop it, and a stale server on the same port silently
// answers the next run's requests.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureCodeServer } from './install';

export interface ServerOptions {
  workspace: string;
  /** Extra user settings, e.g. { 'workbench.colorTheme': 'Default Dark Modern' }. */
  settings?: Record<string, unknown>;
  /** Leave Workspace Trust on (to test it); off by default so nothing prompts. */
  trust?: boolean;
  /** Fixed port; refused if busy. Default: a free port. */
  port?: number;
  /** .vsix files to install (code-server --install-extension) before the server starts. */
  installExtensions?: string[];
  /** Unpacked extension folders copied into the extensions folder (test fixtures). */
  copyExtensions?: string[];
  /** Extra environment for the server and so for the extension host and trainers it starts. */
  env?: Record<string, string>;
}

export type Payload = Array<[string, string]>;

export interface CodeServer {
  port: number;
  baseUrl: string;
  /** Workbench URL for the workspace, with an optional `payload` (extensionDevelopmentPath etc.). */
  workbenchUrl(payload?: Payload): string;
  /** `vscode-remote://127.0.0.1:PORT/abs/path`, the URI form payload entries need. */
  remoteUri(absPath: string): string;
  /** Server stdout/stderr are written here (printed on start failure). */
  logFile: string;
  /** Where installed extensions live (--extensions-dir). */
  extensionsDir: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const live = new Map<number, string>(); // server pid -> its temp folder, still to kill/remove

/** Synchronous so it also works from process.on('exit'). */
function killTree(pid: number, signal: NodeJS.Signals): void {
  // Descendants that left our process group (setsid) are found via /proc.
  for (const child of descendants(pid)) tryKill(child, signal);
  tryKill(-pid, signal); // the whole group: spawned detached, so pgid == pid
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name (field 2) may contain spaces; ppid follows the last ')'.
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* exited meanwhile */
    }
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length)
    for (const c of children.get(todo.pop()!) ?? []) {
      out.push(c);
      todo.push(c);
    }
  return out;
}

let hooksInstalled = false;
function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // Only synchronous work is possible in 'exit'; signals exit through it too.
  process.on('exit', () =>
    live.forEach((root, pid) => {
      killTree(pid, 'SIGKILL');
      fs.rmSync(root, { recursive: true, force: true });
    }),
  );
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => process.exit(sig === 'SIGINT' ? 130 : 143));
  }
}

function listen(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(port, HOST, () => {
      const bound = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(bound));
    });
  });
}

async function pickPort(requested?: number): Promise<number> {
  if (requested === undefined) return listen(0);
  try {
    return await listen(requested);
  } catch {
    throw new Error(
      `Port ${requested} on ${HOST} is busy (a stale code-server?). Refusing to start a second server there.`,
    );
  }
}

async function waitHealthy(baseUrl: string, exited: () => string | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const why = exited();
    if (why) throw new Error(`code-server exited during startup (${why})`);
    try {
      const res = await fetch(`${baseUrl}/healthz`);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer ${baseUrl}/healthz within ${timeoutMs / 1000} s`);
}

export async function startCodeServer(opts: ServerOptions): Promise<CodeServer> {
  const entry = await ensureCodeServer();
  installExitHooks();
  const workspace = path.resolve(opts.workspace);
  const port = await pickPort(opts.port);
  const baseUrl = `http://${HOST}:${port}`;

  // Everything the server (and VS Code) writes goes under one temp folder, not $HOME.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-cs-'));
  const dirs = Object.fromEntries(
    ['user-data', 'extensions', 'config', 'data', 'cache', 'tmp'].map((d) => [d, path.join(root, d)]),
  );
  Object.values(dirs).forEach((d) => fs.mkdirSync(d, { recursive: true }));
  const settings: Record<string, unknown> = {
    'workbench.startupEditor': 'none',
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'workbench.enableExperiments': false,
    'workbench.tips.enabled': false,
    ...(opts.trust ? {} : { 'security.workspace.trust.enabled': false }),
    ...opts.settings,
  };
  fs.mkdirSync(path.join(dirs['user-data'], 'User'), { recursive: true });
  fs.writeFileSync(path.join(dirs['user-data'], 'User', 'settings.json'), JSON.stringify(settings, null, 2));

  const args = [
    entry,
    '--bind-addr',
    `${HOST}:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    ...(opts.trust ? [] : ['--disable-workspace-trust']),
    '--user-data-dir',
    dirs['user-data'],
    '--extensions-dir',
    dirs['extensions'],
    workspace,
  ];
  const logFile = path.join(root, 'server.log');
  const out = fs.openSync(logFile, 'w');
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: dirs['config'],
    XDG_DATA_HOME: dirs['data'],
    XDG_CACHE_HOME: dirs['cache'],
    TMPDIR: dirs['tmp'],
    ...opts.env,
  };
  for (const dir of opts.copyExtensions ?? [])
    fs.cpSync(dir, path.join(dirs['extensions'], path.basename(dir)), { recursive: true });
  for (const vsix of opts.installExtensions ?? []) {
    // As a user does: the extension is unpacked from the .vsix into the extensions folder.
    const r = spawnSync(
      process.execPath,
      [
        entry,
        '--extensions-dir',
        dirs['extensions'],
        '--user-data-dir',
        dirs['user-data'],
        '--install-extension',
        vsix,
      ],
      { env, encoding: 'utf8', timeout: 120_000 },
    );
    fs.appendFileSync(logFile, `${r.stdout ?? ''}${r.stderr ?? ''}`);
    if (r.status !== 0) {
      fs.rmSync(root, { recursive: true, force: true });
      throw new Error(
        `code-server --install-extension ${vsix} failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`,
      );
    }
  }
  // detached => own process group, so stop() can kill the whole tree with kill(-pid).
  const child = spawn(process.execPath, args, { env, detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const pid = child.pid!;
  live.set(pid, root);
  let exitInfo: string | undefined;
  const exited = new Promise<void>((r) =>
    child.once('exit', (code, sig) => {
      exitInfo = sig ?? `exit ${code}`;
      r();
    }),
  );

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    killTree(pid, 'SIGTERM');
    const timer = new Promise((r) => setTimeout(r, 3000));
    await Promise.race([exited, timer]);
    killTree(pid, 'SIGKILL'); // stragglers (extension host, pty host) in the group
    live.delete(pid);
    fs.rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  };

  try {
    await waitHealthy(baseUrl, () => exitInfo, 30_000);
  } catch (e) {
    const log = fs.readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-20).join('\n');
    await stop();
    throw new Error(`${(e as Error).message}\n--- server log ---\n${log}`);
  }

  const remoteUri = (abs: string): string => `vscode-remote://${HOST}:${port}${path.resolve(abs)}`;
  const workbenchUrl = (payload?: Payload): string => {
    const q = new URLSearchParams({ folder: workspace });
    if (payload?.length) q.set('payload', JSON.stringify(payload));
    return `${baseUrl}/?${q.toString()}`;
  };
  return { port, baseUrl, workbenchUrl, remoteUri, logFile, extensionsDir: dirs['extensions'], stop };
}
