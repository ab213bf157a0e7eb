// Finds a Python whose TensorFlow wheel carries the C API the binding needs.
import * as os from 'node:os';
import * as path from 'node:path';
import { firstLine, run, tail } from './processes';

/** Where the error message suggests creating a virtual environment. */
export const VENV = path.join(os.homedir(), '.venvs', 'resnet-lab-tf');

export interface TensorFlowInfo {
  python: string;
  version: string;
  lib: string;
  include: string;
}

const PROBE = [
  'import json, sys',
  'out = {"python": sys.executable, "py": sys.version.split()[0]}',
  'try:',
  '    import tensorflow as tf',
  '    out.update(tf=tf.__version__, lib=tf.sysconfig.get_lib(), include=tf.sysconfig.get_include())',
  'except BaseException as e:',
  '    out["error"] = type(e).__name__ + ": " + str(e)',
  'print("RESNET_LAB_PROBE " + json.dumps(out))',
].join('\n');

export async function findTensorFlow(preferred: string | undefined, log: (l: string) => void): Promise<TensorFlowInfo> {
  const expanded = preferred?.startsWith('~/') ? path.join(os.homedir(), preferred.slice(2)) : preferred;
  const candidates = [...new Set([expanded, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c))];
  const tried: string[] = [];
  const withoutTf: string[] = [];
  for (const py of candidates) {
    log(`Looking for TensorFlow in ${py} ...`);
    const r = await run(py, ['-c', PROBE], { env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' }, timeoutMs: 180_000 });
    if (r.error && /ENOENT|EACCES/.test(r.error)) {
      tried.push(`${py}: not found`);
      continue;
    }
    const line = r.output.split('\n').find((l) => l.startsWith('RESNET_LAB_PROBE '));
    if (!line) {
      tried.push(`${py}: did not run (${r.error ?? `exit code ${r.code}`}: ${firstLine(tail(r.output, 1))})`);
      continue;
    }
    const p = JSON.parse(line.slice('RESNET_LAB_PROBE '.length)) as ProbeAnswer;
    if (p.tf && p.lib && p.include) return { python: p.python || py, version: p.tf, lib: p.lib, include: p.include };
    tried.push(`${py} (Python ${p.py} at ${p.python}): no TensorFlow (${firstLine(p.error ?? '')})`);
    withoutTf.push(p.python || py);
  }
  if (!withoutTf.length) {
    throw new Error(
      `No Python interpreter found; tried ${candidates.join(', ')}:\n  ${tried.join('\n  ')}\n` +
        `Install Python 3.9–3.12 (Debian/Ubuntu: apt-get install python3 python3-venv), then TensorFlow as below, or pass the path of a Python that has it.`,
    );
  }
  throw new Error(
    `No Python with TensorFlow found; tried:\n  ${tried.join('\n  ')}\n` +
      `Install TensorFlow's CPU wheel (about 300 MB) into a virtual environment and point the setup at its python:\n` +
      `  ${withoutTf[0]} -m venv ${VENV} && ${VENV}/bin/pip install tensorflow-cpu\n` +
      `  then run the setup again with python = ${VENV}/bin/python\n` +
      `(or "${withoutTf[0]}" -m pip install tensorflow-cpu if that Python allows pip installs).`,
  );
}

/** What the probe script prints after RESNET_LAB_PROBE: the interpreter, and TensorFlow's version and paths when it has one. */
interface ProbeAnswer {
  python?: string;
  py?: string;
  tf?: string;
  lib?: string;
  include?: string;
  error?: string;
}

/** dlsym() each name through ctypes: needs no binutils, and sees versioned exports. */
export async function missingSymbols(python: string, libs: string[], symbols: string[]): Promise<string[]> {
  const script = [
    'import ctypes, json, sys',
    'libs = [ctypes.CDLL(p, mode=ctypes.RTLD_GLOBAL) for p in json.loads(sys.argv[1])]',
    'print("RESNET_LAB_MISSING " + json.dumps([s for s in json.loads(sys.argv[2]) if not any(hasattr(l, s) for l in libs)]))',
  ].join('\n');
  const r = await run(python, ['-c', script, JSON.stringify(libs), JSON.stringify(symbols)], { timeoutMs: 120_000 });
  const line = r.output.split('\n').find((l) => l.startsWith('RESNET_LAB_MISSING '));
  if (!line)
    throw new Error(
      `Could not load ${libs.join(' and ')} with ${python} to check their symbols:\n${tail(r.output, 15)}`,
    );
  return JSON.parse(line.slice('RESNET_LAB_MISSING '.length)) as string[];
}
