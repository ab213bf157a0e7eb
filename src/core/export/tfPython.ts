// The Python that runs exported Keras projects: the one setup-native recorded
// in its stamp file beside the tfjs-node build (its TensorFlow), or
// RESNET_LAB_TF_PYTHON. Keras 3 runs there on JAX when jax is installed in it
// (pip install jax, or jax[cuda12] on a GPU machine), else on TensorFlow; also
// TensorFlow's own graph mode in bench/train.ts.
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tfjsNodeDir } from '../native/detectNative';
import { pythonSource } from './pythonSources';

export type KerasBackend = 'jax' | 'tensorflow';

export function tfPython(): string {
  if (process.env.RESNET_LAB_TF_PYTHON) return process.env.RESNET_LAB_TF_PYTHON;
  try {
    const stamp = path.join(tfjsNodeDir() ?? '', 'deps', 'resnet-lab-native.json');
    return (JSON.parse(fs.readFileSync(stamp, 'utf8')) as { python: string }).python;
  } catch {
    return path.join(os.homedir(), '.cache', 'resnet-lab', 'tf-venv', 'bin', 'python');
  }
}

export interface KerasPython {
  python: string;
  keras: string;
  /** Keras backends this Python can import, JAX first (train.py's default). */
  backends: KerasBackend[];
  /** The default backend's devices, e.g. { count: 1, platform: 'gpu', name: 'NVIDIA H200' }; only when asked for. */
  devices?: { count: number; platform: string; name: string };
}

/** What `tfPython()` offers for the Keras engine, or why it cannot run it (one line). Blocks: CLI and tests. */
export function probeKeras(o: { devices?: boolean; python?: string } = {}): KerasPython | { error: string } {
  const python = o.python ?? tfPython();
  if (!fs.existsSync(python)) return missing(python);
  const probe = readProbe();
  if ('error' in probe) return probe;
  const p = spawnSync(python, ['-c', probe.source, ...(o.devices ? ['--devices'] : [])], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
  });
  return probeAnswer(python, p.status, p.stdout, p.stderr, p.error);
}

/** The same, without blocking (the extension host), with the devices. */
export function probeKerasAsync(python = tfPython()): Promise<KerasPython | { error: string }> {
  if (!fs.existsSync(python)) return Promise.resolve(missing(python));
  const probe = readProbe();
  if ('error' in probe) return Promise.resolve(probe);
  return new Promise((resolve) =>
    execFile(
      python,
      ['-c', probe.source, '--devices'],
      { encoding: 'utf8', timeout: 120_000, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } },
      (error, stdout, stderr) =>
        resolve(
          probeAnswer(
            python,
            error ? (typeof error.code === 'number' ? error.code : null) : 0,
            stdout,
            stderr,
            error ?? undefined,
          ),
        ),
    ),
  );
}

/** python/keras_probe.py's text, or why it cannot be read (an incomplete installation) as the probe's error. */
function readProbe(): { source: string } | { error: string } {
  try {
    return { source: pythonSource('keras_probe.py') };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

const missing = (python: string) => ({
  error: `no Python for the Keras engine at ${python} (run "resnet-lab setup-native" or set RESNET_LAB_TF_PYTHON)`,
});

function probeAnswer(
  python: string,
  status: number | null,
  stdout: string | undefined,
  stderr: string | undefined,
  error?: Error,
): KerasPython | { error: string } {
  const why = () => error?.message ?? (stderr ?? '').trim().split('\n').pop() ?? `exit ${String(status)}`;
  if (status !== 0) return { error: `${python} cannot import Keras 3 (${why()})` };
  try {
    const found = JSON.parse((stdout ?? '').trim().split('\n').pop() ?? '') as Omit<KerasPython, 'python'>;
    if (found.backends.length === 0)
      return { error: `${python} has Keras ${found.keras} but neither jax nor tensorflow: pip install jax` };
    return { python, ...found };
  } catch {
    return { error: `${python} ran the Keras probe but printed no answer (is it a Python 3 interpreter?)` };
  }
}

/** "jax · 1× NVIDIA H200", as the Train pick and the panel name a Keras engine. */
export function kerasEngineLabel(found: KerasPython, backend: KerasBackend = found.backends[0]): string {
  const d = backend === found.backends[0] ? found.devices : undefined;
  return d ? `${backend} · ${d.count}× ${d.platform === 'cpu' ? 'CPU' : d.name}` : backend;
}

/** Why the Keras engine cannot run here on `backend` (any, when not named), or null when it can. */
export function kerasUnavailable(backend?: KerasBackend): string | null {
  const found = probeKeras();
  if ('error' in found) return found.error;
  if (backend && !found.backends.includes(backend))
    return `${found.python} cannot import ${backend} for Keras (it has ${found.backends.join(', ')}): pip install ${backend === 'jax' ? 'jax' : 'tensorflow-cpu'}`;
  return null;
}
