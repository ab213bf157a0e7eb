// The native TensorFlow backend and its graph-mode addon, built by the CLI's
// setup-native against the TensorFlow venv, into nativeRoot()
// ($RESNET_LAB_NATIVE_DIR, else ~/.cache/resnet-lab/native), as for users.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { graphAddonPath, nativeBindingPath, nativeRoot, tfjsNodeDir } from '../../src/core/native/detectNative';

const REPO = path.join(__dirname, '..', '..');

/** The Python the existing build recorded (setupNative's stamp), if any. */
function builtAgainst(): string | undefined {
  try {
    const stamp = path.join(tfjsNodeDir() ?? '', 'deps', 'resnet-lab-native.json');
    return (JSON.parse(fs.readFileSync(stamp, 'utf8')) as { python?: string }).python;
  } catch {
    return undefined;
  }
}

/** Why the build must be (re)done for `python`, or undefined when it is ready. */
export function nativeNeeds(python: string): string | undefined {
  if (!nativeBindingPath()) return `no working binding in ${nativeRoot()}`;
  if (!fs.existsSync(graphAddonPath() ?? '')) return 'no graph-mode addon';
  const recorded = builtAgainst();
  // The Keras tests run the Python the build recorded: it must be the venv with the pinned jax and ruff.
  if (recorded !== python) return `built against ${recorded ?? 'an unknown Python'}, not ${python}`;
  return undefined;
}

function run(args: string[]): void {
  const r = spawnSync(process.execPath, args, { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`"node ${args.join(' ')}" failed (${r.signal ?? `exit ${r.status}`})`);
}

export function ensureNative(python: string, log: (line: string) => void): string {
  const need = nativeNeeds(python);
  if (!need) return `${nativeRoot()}: binding and graph addon built against ${python}`;
  log(`${need}: building (a few minutes)`);
  // A working binding of another Python is rebuilt (setup-native keeps a working one unless forced).
  const force = !!nativeBindingPath() && builtAgainst() !== python;
  run(['scripts/build.mjs', '--quiet']);
  run(['dist/cli.js', 'setup-native', '--python', python, ...(force ? ['--force'] : [])]);
  const still = nativeNeeds(python);
  if (still) throw new Error(`setup-native ran but the native backend is not ready: ${still}`);
  return `${nativeRoot()}: built against ${python}`;
}
