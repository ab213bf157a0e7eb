// `npm test`'s pretest: sets up what the full test run needs and this machine
// lacks, so a fresh clone gets CI's counts after `npm install` (no test
// skipped for want of TensorFlow, the native build, Chromium or code-server).
// Each step checks first and returns in milliseconds when its thing is there.
// RESNET_LAB_PROVISION=0 skips it all (the tests that need what is missing then skip or fail).
//
// Where things go (each overridable, for a trial on an empty folder):
//   Debian packages   apt-get (as root, or with sudo that asks no password)
//   TensorFlow venv   $RESNET_LAB_TF_VENV       ~/.cache/resnet-lab/tf-venv
//   native backend    $RESNET_LAB_NATIVE_DIR    ~/.cache/resnet-lab/native
//   code-server       $RESNET_LAB_CODE_SERVER_DIR  <repo>/.cache/code-server
import { ensureCodeServer } from '../test/harness/install';
import { ensureNative } from './provision/nativeBuild';
import { ensureSystemPackages } from './provision/systemPackages';
import { ensureTfVenv, tfVenvDir, venvPython } from './provision/tfVenv';

type Step = [name: string, run: (log: (line: string) => void) => string | Promise<string>];

const venv = tfVenvDir();
const STEPS: Step[] = [
  ['Debian packages', ensureSystemPackages],
  ['TensorFlow venv', (log) => ensureTfVenv(venv, log)],
  ['native backend', (log) => ensureNative(venvPython(venv), log)],
  ['code-server', async () => `ready: ${await ensureCodeServer()}`],
];

async function main(): Promise<number> {
  if (['0', 'off', 'false', 'no'].includes(process.env.RESNET_LAB_PROVISION ?? '')) {
    console.log('provision: skipped (RESNET_LAB_PROVISION=0); tests needing what is not set up skip or fail');
    return 0;
  }
  const started = Date.now();
  for (const [name, step] of STEPS) {
    const log = (line: string) => console.log(`provision: ${name}: ${line}`);
    try {
      log(await step(log));
    } catch (e) {
      console.error(`provision: ${name} failed: ${(e as Error).message}`);
      console.error('provision: fix that and run npm test again, or RESNET_LAB_PROVISION=0 npm test to skip this');
      return 1;
    }
  }
  console.log(`provision: all present (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return 0;
}

void main().then((code) => (process.exitCode = code));
