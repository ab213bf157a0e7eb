// Installs code-server (the VS Code server + web workbench) from npm into
// <repo>/.cache/code-server ($RESNET_LAB_CODE_SERVER_DIR if set), because desktop VS Code cannot be downloaded on
// offline machines. See shared notes "real-vscode-offline.md" for the why of
// each fix applied below.
import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3'; // newest release whose engines.node is 20
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CODE_SERVER_DIR = process.env.RESNET_LAB_CODE_SERVER_DIR
  ? path.resolve(process.env.RESNET_LAB_CODE_SERVER_DIR)
  : path.join(REPO_ROOT, '.cache', 'code-server');

// @vscode/ripgrep@1.15.11 (a code-server dependency) downloads rg from GitHub
// unless this exact tarball already sits in its cache folder under os.tmpdir().
const RIPGREP_CACHE = 'vscode-ripgrep-cache-1.15.11';
const RIPGREP_TARGETS: Record<string, string> = {
  x64: 'x86_64-unknown-linux-musl',
  arm64: 'aarch64-unknown-linux-musl',
};

const ENTRY = path.join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const MARKER = path.join(CODE_SERVER_DIR, `.installed-${CODE_SERVER_VERSION}`);
const LOG = path.join(CODE_SERVER_DIR, 'install.log');

function log(msg: string): void {
  console.log(`[code-server] ${msg}`);
}

function onPath(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Fails early with the apt-get line instead of a cryptic node-gyp error halfway through. */
function checkPrerequisites(): void {
  const missing: string[] = [];
  if (!fs.existsSync('/usr/bin/rg')) missing.push('ripgrep');
  // The `kerberos` native module includes <gssapi/gssapi.h>.
  if (!fs.existsSync('/usr/include/gssapi/gssapi.h')) missing.push('libkrb5-dev');
  if (!onPath('pkg-config')) missing.push('pkg-config');
  // node-gyp builds (node-pty, spdlog, kerberos) need a C++ toolchain and python3.
  if (!onPath('make') || !onPath('g++')) missing.push('build-essential');
  if (!onPath('python3')) missing.push('python3');
  if (missing.length > 0) {
    throw new Error(
      `Cannot install code-server: missing system packages (${missing.join(', ')}).\n` +
        `Run: sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
  if (process.platform !== 'linux' || !RIPGREP_TARGETS[process.arch]) {
    throw new Error(
      `The offline code-server install supports linux x64/arm64 only, not ${process.platform}-${process.arch}`,
    );
  }
}

/** Packs Debian's /usr/bin/rg into the tarball @vscode/ripgrep would otherwise download. */
function seedRipgrepCache(tmpDir: string): void {
  const cacheDir = path.join(tmpDir, RIPGREP_CACHE);
  const asset = path.join(cacheDir, `ripgrep-v13.0.0-10-${RIPGREP_TARGETS[process.arch]}.tar.gz`);
  if (fs.existsSync(asset)) return;
  const staging = path.join(tmpDir, 'rg-staging');
  fs.mkdirSync(cacheDir, { recursive: true });
  fs.mkdirSync(staging, { recursive: true });
  fs.copyFileSync('/usr/bin/rg', path.join(staging, 'rg'));
  fs.chmodSync(path.join(staging, 'rg'), 0o755);
  // The postinstall runs `tar xvf` and expects `rg` at the archive root.
  execFileSync('tar', ['czf', asset, '-C', staging, 'rg']);
}

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function runNpmInstall(tmpDir: string): Promise<void> {
  const out = fs.openSync(LOG, 'w');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TMPDIR: tmpDir, // where @vscode/ripgrep looks for its cache (os.tmpdir())
    npm_config_unsafe_perm: 'true', // code-server refuses install scripts as root otherwise
    npm_config_yes: 'true', // node-pty runs `npx node-gyp`; the user npmrc says yes=false
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  const args = [
    'install',
    '--prefix',
    CODE_SERVER_DIR,
    '--no-save',
    '--foreground-scripts',
    `code-server@${CODE_SERVER_VERSION}`,
  ];
  const child = spawn('npm', args, { cwd: CODE_SERVER_DIR, env, stdio: ['ignore', out, out] });
  const started = Date.now();
  const ticker = setInterval(() => {
    const last = tail(LOG, 1).slice(0, 110);
    log(`… ${Math.round((Date.now() - started) / 1000)} s: ${last}`);
  }, 10_000);
  return new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(ticker);
      fs.closeSync(out);
      if (code === 0) return resolve();
      reject(
        new Error(`npm install code-server failed (${signal ?? `exit ${code}`}); full log: ${LOG}\n${tail(LOG, 30)}`),
      );
    });
  });
}

let pending: Promise<string> | undefined;

/**
 * Returns the path of code-server's entry script (run it with `node`),
 * installing code-server on first use (~70 s, ~300 MB). A marker file written
 * only after a successful install means a half-finished install is redone.
 */
export function ensureCodeServer(): Promise<string> {
  pending ??= (async () => {
    if (fs.existsSync(MARKER) && fs.existsSync(ENTRY)) return ENTRY;
    checkPrerequisites();
    log(`installing code-server@${CODE_SERVER_VERSION} into ${CODE_SERVER_DIR} (first run only, ~1-2 min)`);
    const started = Date.now();
    fs.mkdirSync(CODE_SERVER_DIR, { recursive: true });
    // Own package.json so npm does not walk up and install into the repo's node_modules.
    fs.writeFileSync(path.join(CODE_SERVER_DIR, 'package.json'), '{ "private": true }\n');
    const tmpDir = path.join(CODE_SERVER_DIR, 'tmp');
    fs.mkdirSync(tmpDir, { recursive: true });
    seedRipgrepCache(tmpDir);
    await runNpmInstall(tmpDir);
    if (!fs.existsSync(ENTRY)) throw new Error(`code-server installed but ${ENTRY} is missing; see ${LOG}`);
    fs.writeFileSync(MARKER, `${new Date().toISOString()}\n`);
    log(`installed in ${Math.round((Date.now() - started) / 1000)} s`);
    return ENTRY;
  })();
  pending.catch(() => (pending = undefined)); // allow a retry after a failure
  return pending;
}
