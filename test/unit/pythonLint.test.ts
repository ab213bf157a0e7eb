// The repository's Python, and the model.py an export writes, as Python's own
// tools read them: ruff (pinned in scripts/provision/tfVenv.ts, rules in ruff.toml) finds no
// problem and no formatting to change, and py_compile compiles every file.
// Needs only ruff and a Python 3, not TensorFlow; skipped, saying why, only
// when no ruff is installed (npm test's provisioning installs it into the TensorFlow venv).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { preactResnetCifar, resnetCifar, setInitSeed } from '../../src/core/lib';
import { writeKerasProject } from '../../src/core/export/kerasProject';
import { PYTHON_FILES } from '../../src/core/export/pythonSources';
import { TF_VENV_PINS } from '../../scripts/provision/tfVenv';
import { tempDir } from '../support/tempDir';

const ROOT = path.resolve(__dirname, '..', '..');
const CONFIG = path.join(ROOT, 'ruff.toml');
const EXPORT_PY = path.join(ROOT, 'src', 'core', 'export', 'python');
const BENCH_PY = fs
  .readdirSync(path.join(ROOT, 'bench'))
  .filter((f) => f.endsWith('.py'))
  .map((f) => path.join(ROOT, 'bench', f));
const SOURCES = [
  ...fs
    .readdirSync(EXPORT_PY)
    .filter((f) => f.endsWith('.py'))
    .map((f) => path.join(EXPORT_PY, f)),
  ...BENCH_PY,
];

const VENV_BIN = path.join(
  process.env.RESNET_LAB_TF_VENV ?? path.join(os.homedir(), '.cache', 'resnet-lab', 'tf-venv'),
  'bin',
);

/** `name` in the TensorFlow venv (where npm test's provisioning installs ruff), else on PATH; undefined when neither has it. */
function findTool(name: string): string | undefined {
  if (fs.existsSync(path.join(VENV_BIN, name))) return path.join(VENV_BIN, name);
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean))
    if (fs.existsSync(path.join(dir, name))) return path.join(dir, name);
  return undefined;
}

const ruff = findTool('ruff');
const PINNED = `ruff==${TF_VENV_PINS.ruff}`;
const python = findTool('python3') ?? findTool('python');
const skip = !ruff
  ? `no ruff in ${VENV_BIN} or on PATH (npm test installs it: ${VENV_BIN}/pip install ${PINNED})`
  : !python
    ? 'no python3 on PATH'
    : false;
if (skip) console.log(`pythonLint.test.ts skipped: ${skip}`);

const tmp = tempDir('pylint');

interface RuffFinding {
  code: string;
  filename: string;
  location: { row: number };
  message: string;
}

/** `ruff check`'s findings over `files`, with the repository's rules wherever the files are. */
function ruffCheck(files: string[]): RuffFinding[] {
  const r = spawnSync(ruff!, ['check', '--config', CONFIG, '--output-format', 'json', '--no-cache', ...files], {
    encoding: 'utf8',
  });
  // 0: no findings, 1: findings; anything else is ruff failing to run.
  assert.ok(r.status === 0 || r.status === 1, `ruff check failed to run: ${r.stderr || String(r.error)}`);
  return JSON.parse(r.stdout) as RuffFinding[];
}

const describeFindings = (found: RuffFinding[]) =>
  found.map((f) => `${path.relative(ROOT, f.filename)}:${f.location.row} ${f.code} ${f.message}`).join('\n');

/** The files `ruff format` would change (empty when all are formatted). */
function ruffUnformatted(files: string[]): string {
  const r = spawnSync(ruff!, ['format', '--config', CONFIG, '--check', '--no-cache', ...files], { encoding: 'utf8' });
  return r.status === 0 ? '' : `${r.stdout}${r.stderr}`.trim();
}

/** py_compile's error output for `files` (empty when all compile); the bytecode goes to the temp folder. */
function compileErrors(files: string[]): string {
  const r = spawnSync(python!, ['-m', 'py_compile', ...files], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPYCACHEPREFIX: path.join(tmp, 'pycache') },
  });
  return r.status === 0 ? '' : `${r.stdout}${r.stderr}`.trim() || `exit ${String(r.status)}`;
}

test(
  'ruff.toml is the one ruff reads: an unused import, an ambiguous name and a %-format are reported',
  { skip },
  () => {
    const bad = path.join(tmp, 'bad.py');
    fs.writeFileSync(bad, 'import os\n\nl = 1\nprint("%d" % l)\n');
    const codes = ruffCheck([bad]).map((f) => f.code);
    assert.deepEqual(codes.sort(), ['E741', 'F401', 'UP031']);
    fs.writeFileSync(path.join(tmp, 'broken.py'), 'def f(:\n');
    assert.match(compileErrors([path.join(tmp, 'broken.py')]), /SyntaxError/, 'py_compile reports a syntax error');
  },
);

test("the exported project's Python and bench's references: no ruff findings, formatted, compiled", { skip }, () => {
  // Every file an export copies is here, and beside them model.py's template and the Keras probe.
  for (const name of [...PYTHON_FILES, 'model_template.py', 'keras_probe.py'])
    assert.ok(fs.existsSync(path.join(EXPORT_PY, name)), `${name} is in src/core/export/python`);
  assert.deepEqual(ruffCheck(SOURCES), [], describeFindings(ruffCheck(SOURCES)));
  assert.equal(ruffUnformatted(SOURCES), '', 'ruff format --check');
  assert.equal(compileErrors(SOURCES), '');
});

test(
  'a freshly exported model.py (option A shortcuts, pre-activation, an odd name): no ruff findings, formatted, compiled',
  { skip },
  () => {
    setInitSeed(7);
    const info = { inputShape: [32, 32, 3] as [number, number, number], numClasses: 10 };
    const models = {
      optionA: resnetCifar({ depth: 8, shortcut: 'A' })(info),
      preact: preactResnetCifar({ depth: 8 })(info),
    };
    const written = Object.entries(models).map(([label, model]) => {
      const dir = path.join(tmp, label);
      // Quotes, backslashes and a dollar in the names reach model.py's docstring, escaped.
      writeKerasProject(dir, model, { experiment: `${label} """ \\ $&`, file: 'my "nets".ts', weightsFrom: 'test' });
      model.dispose();
      return path.join(dir, 'model.py');
    });
    const source = fs.readFileSync(written[0], 'utf8');
    assert.match(source, /^ENDS_IN_SOFTMAX = True$/m, 'the per-export value is filled in');
    assert.match(source, /shortcut = ZeroPadShortcut\(stride=2, out_channels=32/, 'the layers are filled in');
    assert.ok(!source.includes('RESNET_LAB_'), 'no template marker is left');
    assert.deepEqual(ruffCheck(written), [], describeFindings(ruffCheck(written)));
    assert.equal(ruffUnformatted(written), '', 'ruff format --check');
    assert.equal(compileErrors(written), '');
    tf.disposeVariables();
  },
);
