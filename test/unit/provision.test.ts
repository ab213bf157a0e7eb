// npm test's provisioning (scripts/provision.ts): how missing Debian packages
// get installed or reported, how the venv's pins are read without starting
// Python, that the pins are the ones the README and the clang-format test
// name, and the opt-out. The real installs are not run here (minutes of
// downloads); the pretest runs them on a machine that lacks something.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { aptPlan, DEBIAN_PACKAGES } from '../../scripts/provision/systemPackages';
import { missingPins, TF_VENV_PINS } from '../../scripts/provision/tfVenv';
import { tempDir } from '../support/tempDir';
import { REPO } from './support/cli';

test('missing Debian packages: apt-get as root, sudo -n without a password prompt, else the exact command to run', () => {
  const missing = ['chromium', 'ripgrep'];
  const direct = [
    ['apt-get', 'update', '-qq'],
    ['apt-get', 'install', '-y', '-qq', 'chromium', 'ripgrep'],
  ];
  assert.deepEqual(aptPlan(missing, { root: true, passwordlessSudo: false }), { run: direct });
  assert.deepEqual(aptPlan(missing, { root: false, passwordlessSudo: true }), {
    run: direct.map((c) => ['sudo', '-n', ...c]),
  });
  assert.deepEqual(aptPlan(missing, { root: false, passwordlessSudo: false }), {
    manual: 'sudo apt-get update && sudo apt-get install -y chromium ripgrep',
  });
});

test('the Debian packages are the ones the harness asks for when they are missing', () => {
  const install = fs.readFileSync(path.join(REPO, 'test', 'harness', 'install.ts'), 'utf8');
  const browser = fs.readFileSync(path.join(REPO, 'test', 'harness', 'browser.ts'), 'utf8');
  for (const pkg of ['ripgrep', 'libkrb5-dev', 'pkg-config', 'build-essential'])
    assert.ok(install.includes(`missing.push('${pkg}')`) && DEBIAN_PACKAGES.includes(pkg), pkg);
  assert.match(browser, /apt-get install -y chromium/);
  assert.ok(DEBIAN_PACKAGES.includes('chromium') && DEBIAN_PACKAGES.includes('python3-venv'));
});

/** A venv folder holding only .dist-info folders, as pip leaves them. */
function fakeVenv(dir: string, dists: string[]): string {
  const site = path.join(dir, 'lib', 'python3.11', 'site-packages');
  fs.mkdirSync(site, { recursive: true });
  for (const d of dists) fs.mkdirSync(path.join(site, `${d}.dist-info`));
  return dir;
}

test('the venv pins are read from its .dist-info folders: names normalized, versions exact', (t) => {
  const root = tempDir('provision', t);
  assert.deepEqual(missingPins(path.join(root, 'absent')), [
    'tensorflow-cpu==2.21.0',
    'jax==0.10.2',
    'ruff==0.17.6',
    'clang-format==21.1.8',
  ]);
  const complete = fakeVenv(path.join(root, 'complete'), [
    'tensorflow_cpu-2.21.0',
    'jax-0.10.2',
    'jaxlib-0.10.2',
    'ruff-0.17.6',
    'clang_format-21.1.8',
    'numpy-2.1.3',
  ]);
  assert.deepEqual(missingPins(complete), []);
  const stale = fakeVenv(path.join(root, 'stale'), [
    'tensorflow_cpu-2.21.0',
    'jax-0.4.30',
    'Ruff-0.17.6',
    'clang_format-21.1.8',
  ]);
  assert.deepEqual(missingPins(stale), ['jax==0.10.2']);
});

test('the pins are the ones the README and the clang-format test name', () => {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  assert.ok(readme.includes(`"tensorflow-cpu==${TF_VENV_PINS['tensorflow-cpu']}"`), 'README: the native build command');
  const clang = fs.readFileSync(path.join(REPO, 'test', 'unit', 'clangFormat.test.ts'), 'utf8');
  assert.ok(clang.includes(`const VERSION = '${TF_VENV_PINS['clang-format']}';`));
});

test('RESNET_LAB_PROVISION=0 skips every step and says so', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/provision.ts'], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, RESNET_LAB_PROVISION: '0' },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stdout.trim(),
    'provision: skipped (RESNET_LAB_PROVISION=0); tests needing what is not set up skip or fail',
  );
});
