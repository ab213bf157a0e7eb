// The Debian packages the tests need, installed with apt-get where there is
// one: chromium for the end-to-end tests (test/harness/browser.ts); ripgrep,
// libkrb5-dev, pkg-config and build-essential for code-server's install
// (test/harness/install.ts); python3-venv for the TensorFlow venv.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

export const DEBIAN_PACKAGES = ['chromium', 'ripgrep', 'libkrb5-dev', 'pkg-config', 'build-essential', 'python3-venv'];

/** How to get the packages: run these commands, or, when nothing may install them, the line to tell the user. */
export type AptPlan = { run: string[][] } | { manual: string };

/** A plan for `missing`: apt-get as root, through sudo when it asks for no password, else the command to run by hand. */
export function aptPlan(missing: string[], who: { root: boolean; passwordlessSudo: boolean }): AptPlan {
  const commands = [
    ['apt-get', 'update', '-qq'],
    ['apt-get', 'install', '-y', '-qq', ...missing],
  ];
  if (who.root) return { run: commands };
  if (who.passwordlessSudo) return { run: commands.map((c) => ['sudo', '-n', ...c]) };
  return { manual: `sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}` };
}

const succeeds = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

function dpkgInstalled(pkg: string): boolean {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.endsWith('install ok installed');
}

/** The packages this machine lacks, or undefined where there is no apt (not Debian): nothing to check or install. */
export function missingPackages(packages = DEBIAN_PACKAGES): string[] | undefined {
  if (!fs.existsSync('/usr/bin/apt-get') || !fs.existsSync('/usr/bin/dpkg-query')) return undefined;
  // A Chromium of one's own (the harness's HARNESS_CHROMIUM) stands in for Debian's.
  const wanted = process.env.HARNESS_CHROMIUM ? packages.filter((p) => p !== 'chromium') : packages;
  return wanted.filter((p) => !dpkgInstalled(p));
}

export function ensureSystemPackages(log: (line: string) => void): string {
  const missing = missingPackages();
  if (missing === undefined)
    return `no apt-get here: install ${DEBIAN_PACKAGES.join(', ')} (or their equivalents) yourself`;
  if (missing.length === 0) return `present: ${DEBIAN_PACKAGES.join(' ')}`;
  const plan = aptPlan(missing, {
    root: process.getuid?.() === 0,
    passwordlessSudo: succeeds('sudo', ['-n', 'true']),
  });
  if ('manual' in plan) throw new Error(`missing Debian packages (${missing.join(', ')}). Run: ${plan.manual}`);
  for (const [cmd, ...args] of plan.run) {
    log(`${cmd} ${args.join(' ')}`);
    const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) throw new Error(`"${cmd} ${args.join(' ')}" failed (${r.signal ?? `exit ${r.status}`})`);
  }
  const still = missingPackages() ?? [];
  if (still.length) throw new Error(`apt-get ran but these are still not installed: ${still.join(', ')}`);
  return `installed: ${missing.join(' ')}`;
}
