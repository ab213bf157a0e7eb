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
] as const;

export function pythonSources(): Record<string, string> {
  const dir = path.join(__dirname, 'python');
  return Object.fromEntries(
    PYTHON_FILES.map((name) => {
      const file = path.join(dir, name);
      try {
        return [name, fs.readFileSync(file, 'utf8')];
      } catch (e) {
        throw new Error(
          `${file} is missing from this installation of ResNet Lab (${(e as Error).message}): reinstall it`,
        );
      }
    }),
  );
}
