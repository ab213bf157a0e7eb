// The TensorFlow venv the native backend is built against and the Python
// tests run in: pinned TensorFlow for setup-native; jax, so the exported
// train.py runs on Keras 3's JAX backend (test/unit/kerasJax.test.ts); ruff
// for the Python sources (test/unit/pythonLint.test.ts); clang-format for
// native/'s C++ (test/unit/clangFormat.test.ts; other versions format
// differently). The same path as `resnet-lab setup-native`'s default Python.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const TF_VENV_PINS: Record<string, string> = {
  'tensorflow-cpu': '2.21.0',
  jax: '0.10.2',
  ruff: '0.17.6',
  'clang-format': '21.1.8',
};

/** $RESNET_LAB_TF_VENV, else ~/.cache/resnet-lab/tf-venv (as .ci/run and test/unit/pythonLint.test.ts). */
export function tfVenvDir(): string {
  const dir = process.env.RESNET_LAB_TF_VENV;
  return dir ? path.resolve(dir) : path.join(os.homedir(), '.cache', 'resnet-lab', 'tf-venv');
}

export const venvPython = (venv: string) => path.join(venv, 'bin', 'python');

/** A distribution's name as its .dist-info folder spells it (PEP 503 normalized, then - as _). */
const distName = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '_');

/**
 * The pins (name==version) the venv lacks, read from its site-packages'
 * .dist-info folders: no Python started, so the check costs milliseconds.
 */
export function missingPins(venv: string, pins = TF_VENV_PINS): string[] {
  const lib = path.join(venv, 'lib');
  const installed = new Set<string>();
  const pythons = fs.existsSync(lib) ? fs.readdirSync(lib).filter((d) => d.startsWith('python')) : [];
  for (const py of pythons) {
    const site = path.join(lib, py, 'site-packages');
    if (!fs.existsSync(site)) continue;
    for (const entry of fs.readdirSync(site)) {
      const m = /^(.+)-([^-]+)\.dist-info$/.exec(entry);
      if (m) installed.add(`${distName(m[1])}==${m[2]}`);
    }
  }
  return Object.entries(pins)
    .filter(([name, version]) => !installed.has(`${distName(name)}==${version}`))
    .map(([name, version]) => `${name}==${version}`);
}

function check(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`"${cmd} ${args.join(' ')}" failed (${r.signal ?? `exit ${r.status}`})`);
}

export function ensureTfVenv(venv: string, log: (line: string) => void): string {
  const missing = missingPins(venv);
  if (missing.length === 0) return `${venv}: ${Object.keys(TF_VENV_PINS).join(', ')} as pinned`;
  if (!fs.existsSync(venvPython(venv))) {
    log(`python3 -m venv ${venv}`);
    check('python3', ['-m', 'venv', venv]);
  }
  log(`pip install ${missing.join(' ')} (from PyPI; TensorFlow and jax take a few minutes)`);
  check(path.join(venv, 'bin', 'pip'), ['install', '-q', '--disable-pip-version-check', ...missing]);
  const still = missingPins(venv);
  if (still.length) throw new Error(`pip ran but ${venv} still lacks ${still.join(', ')}`);
  return `${venv}: installed ${missing.join(' ')}`;
}
