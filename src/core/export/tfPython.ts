// The Python whose TensorFlow the native backend was built against: the one
// setup-native recorded in its stamp file beside the tfjs-node build, or
// RESNET_LAB_TF_PYTHON. Runs and tests exported Keras projects, and TensorFlow's
// own graph mode in bench/train.ts.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tfjsNodeDir } from '../native/detectNative';

export function tfPython(): string {
  if (process.env.RESNET_LAB_TF_PYTHON) return process.env.RESNET_LAB_TF_PYTHON;
  try {
    const stamp = path.join(tfjsNodeDir() ?? '', 'deps', 'resnet-lab-native.json');
    return (JSON.parse(fs.readFileSync(stamp, 'utf8')) as { python: string }).python;
  } catch {
    return path.join(os.homedir(), '.cache', 'resnet-lab', 'tf-venv', 'bin', 'python');
  }
}

/** Why Keras 3 cannot run here, or null when `tfPython()` imports it. */
export function kerasUnavailable(): string | null {
  const python = tfPython();
  if (!fs.existsSync(python))
    return `no TensorFlow Python at ${python} (run "resnet-lab setup-native" or set RESNET_LAB_TF_PYTHON)`;
  const p = spawnSync(python, ['-c', 'import keras, tensorflow; assert int(keras.__version__.split(".")[0]) >= 3'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return p.status === 0
    ? null
    : `${python} cannot import TensorFlow with Keras 3 (${(p.stderr ?? '').trim().split('\n').pop() ?? p.error?.message})`;
}
