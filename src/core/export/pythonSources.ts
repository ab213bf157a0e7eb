// The exported project's Python (train.py and its modules), kept as Python
// files in ./python/ so Python's own tools read them. The bundles find them in
// dist/python/ (scripts/build.mjs copies them there): __dirname is dist/ in a
// bundle and this folder when run from source (tests), and both hold python/.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const PYTHON_FILES = [
  'train.py',
  'recipe.py',
  'engine_jax.py',
  'engine_tf.py',
  'data.py',
  'run_folder.py',
  'distribution_probe.py',
] as const;

/** The files copied as they are into every exported project. */
export function pythonSources(): Record<string, string> {
  return Object.fromEntries(PYTHON_FILES.map((name) => [name, pythonSource(name)]));
}

/** One file of ./python/: a project file, model_template.py (kerasProject.ts) or keras_probe.py (tfPython.ts). */
export function pythonSource(name: string): string {
  const file = path.join(__dirname, 'python', name);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file} is missing from this installation of ResNet Lab (${(e as Error).message}): reinstall it`);
  }
}
