// Workspace model files: compiled by esbuild (local imports bundled), run with
// tf and resnet-lab injected, and every failure mapped back to a line of the
// user's TypeScript.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as lib from '../../src/core/lib';
import { compileUserFile, UserCodeError } from '../../src/core/compile/compileUserFile';
import { evaluateModule } from '../../src/core/compile/evaluate';
import { isExperiment } from '../../src/core/lib/experiment';
import { buildModel, loadExperiment } from '../../src/core/train/userModel';
import { tempDir } from '../support/tempDir';

const dir = tempDir('compile');
const cifar = { inputShape: [32, 32, 3] as [number, number, number], numClasses: 10 };

/** Writes a fixture file (lines joined with \n) and returns its absolute path. */
function write(name: string, ...lines: string[]): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** 1-based line and column of the first occurrence of `needle` in a file. */
function locate(file: string, needle: string): { line: number; column: number } {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} not in ${file}`);
  return { line: i + 1, column: lines[i].indexOf(needle) + 1 };
}

async function userError(p: Promise<unknown> | (() => unknown)): Promise<UserCodeError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    assert.ok(e instanceof UserCodeError, `expected a UserCodeError, got ${e instanceof Error ? e.stack : String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

test('a syntax error is a compile error at the right file, line and column', async () => {
  const file = write(
    'syntax.ts',
    "import { experiment, resnetCifar } from 'resnet-lab';",
    '',
    'const width = 16;',
    'const broken = width +;',
    'export const a = experiment({ model: resnetCifar({ depth: 8 }) });',
  );
  const e = await userError(compileUserFile(file));
  assert.equal(e.kind, 'compile');
  assert.equal(e.diagnostics.length, 1);
  const col = 'const broken = width +'.length + 1; // the ";"
  assert.deepEqual({ ...e.diagnostics[0], message: undefined }, { file, line: 4, column: col, message: undefined });
  assert.match(e.diagnostics[0].message, /Unexpected ";"/);
  assert.ok(e.message.startsWith(`${file}:4:${col} `), e.message);
  // loadExperiment reports the same.
  const viaLoad = await userError(loadExperiment(tf, lib, file, 'a'));
  assert.equal(viaLoad.kind, 'compile');
  assert.deepEqual(viaLoad.diagnostics, e.diagnostics);
});

test('an error in an imported local file points into that file; an unresolvable import points at the import', async () => {
  write('broken-helper/net.ts', 'export const n = 1;', 'export const m = (n;');
  const main = write('uses-broken.ts', "import { n } from './broken-helper/net';", 'export const x = n;');
  const e = await userError(compileUserFile(main));
  assert.equal(e.kind, 'compile');
  assert.equal(e.diagnostics[0].file, path.join(dir, 'broken-helper', 'net.ts'));
  assert.equal(e.diagnostics[0].line, 2);

  const missing = write(
    'missing-import.ts',
    "import { experiment } from 'resnet-lab';",
    "import { net } from './does-not-exist';",
    'export const a = experiment({ model: net });',
  );
  const m = await userError(compileUserFile(missing));
  assert.equal(m.kind, 'compile');
  assert.deepEqual({ file: m.diagnostics[0].file, line: m.diagnostics[0].line }, { file: missing, line: 2 });
  assert.match(m.diagnostics[0].message, /does-not-exist/);
});

test('a file importing a local helper module is bundled; tf and resnet-lab are injected, not bundled', async () => {
  write(
    'helpers/blocks.ts',
    "import * as tf from '@tensorflow/tfjs';",
    "import { DataInfo } from 'resnet-lab';",
    '',
    'export function tinyNet(filters: number) {',
    '  return ({ inputShape, numClasses }: DataInfo): tf.LayersModel => {',
    "    const input = tf.input({ shape: inputShape, name: 'in' });",
    "    const c = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', name: 'helper_conv' }).apply(input) as tf.SymbolicTensor;",
    "    const p = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(c) as tf.SymbolicTensor;",
    "    const out = tf.layers.dense({ units: numClasses, activation: 'softmax', name: 'out' }).apply(p) as tf.SymbolicTensor;",
    "    return tf.model({ inputs: input, outputs: out, name: 'from-helper' });",
    '  };',
    '}',
  );
  const file = write(
    'with-helper.ts',
    "import * as path from 'node:path';",
    "import { experiment, resnetCifar, synthetic } from 'resnet-lab';",
    "import { tinyNet } from './helpers/blocks';",
    '',
    'export const viaHelper = experiment({ model: tinyNet(3), data: synthetic({ trainSize: 64 }), epochs: 1 });',
    'export const ready = experiment({ model: resnetCifar({ depth: 8, widths: [4, 8, 8] }) });',
    'export const sep = path.sep;',
  );
  const compiled = await compileUserFile(file);
  assert.equal(compiled.file, file);
  assert.match(compiled.code, /function tinyNet/, 'the helper is bundled in');
  assert.match(compiled.code, /require\("@tensorflow\/tfjs"\)/, 'tfjs stays external');
  assert.match(compiled.code, /require\("resnet-lab"\)/, 'resnet-lab stays external');
  assert.ok(
    (JSON.parse(compiled.map) as { sources: string[] }).sources.some((s: string) => s.endsWith('helpers/blocks.ts')),
  );

  const exports = evaluateModule(compiled, { 'resnet-lab': lib, '@tensorflow/tfjs': tf });
  assert.deepEqual(
    Object.keys(exports)
      .filter((k) => isExperiment(exports[k]))
      .sort(),
    ['ready', 'viaHelper'],
  );
  assert.equal(exports.sep, path.sep, 'node built-ins are required normally');

  const loaded = await loadExperiment(tf, lib, file, 'viaHelper');
  assert.equal(loaded.experiment.config.epochs, 1);
  assert.deepEqual(loaded.experiment.config.data, { name: 'synthetic', trainSize: 64 });
  const model = buildModel(tf, loaded, cifar);
  assert.equal(model.name, 'from-helper');
  assert.deepEqual(
    model.layers.map((l) => l.name),
    ['in', 'helper_conv', 'gap', 'out'],
  );
  // The model is built with the injected tf: it runs on this process's backend.
  const y = model.predict(tf.zeros([2, 32, 32, 3])) as tf.Tensor;
  assert.deepEqual(y.shape, [2, 10]);
  const sums = y.sum(-1).arraySync() as number[];
  for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-5);
  tf.dispose(y);
  model.dispose();

  const ready = buildModel(tf, await loadExperiment(tf, lib, file, 'ready'), cifar);
  assert.equal(ready.name, 'resnet8');
  ready.dispose();
});

test('an exception at the top level of the file points at its line in the .ts file', async () => {
  const file = write(
    'top-level-throw.ts',
    "import { experiment, resnetCifar } from 'resnet-lab';",
    '',
    'type Depth = 8 | 20;',
    'const depths: Depth[] = [8, 20];',
    'if (depths.length > 1) {',
    "  throw new Error('top-level failure');",
    '}',
    'export const a = experiment({ model: resnetCifar({ depth: 8 }) });',
  );
  const e = await userError(loadExperiment(tf, lib, file, 'a'));
  const at = locate(file, "new Error('top-level failure')");
  assert.equal(e.kind, 'build');
  assert.deepEqual(e.diagnostics, [{ file, line: at.line, column: at.column, message: 'top-level failure' }]);
  assert.equal(e.message, `${file}:6:${at.column} top-level failure`);
});

test('an exception inside the model factory points at its line in the .ts file', async () => {
  const file = write(
    'factory-throw.ts',
    "import * as tf from '@tensorflow/tfjs';",
    "import { DataInfo, experiment } from 'resnet-lab';",
    '',
    'interface Opts { filters: number }',
    '',
    'function net(o: Opts) {',
    '  return (info: DataInfo): tf.LayersModel => {',
    '    const input = tf.input({ shape: info.inputShape });',
    "    if (o.filters > 0) throw new Error('boom in the factory');",
    '    return tf.model({ inputs: input, outputs: input });',
    '  };',
    '}',
    '',
    'export const a = experiment({ model: net({ filters: 4 }) });',
  );
  const loaded = await loadExperiment(tf, lib, file, 'a');
  const e = await userError(() => buildModel(tf, loaded, cifar));
  const at = locate(file, "new Error('boom in the factory')");
  assert.equal(at.line, 9);
  assert.equal(e.kind, 'build');
  assert.deepEqual(e.diagnostics, [{ file, line: 9, column: at.column, message: 'boom in the factory' }]);
  assert.ok(e.message.startsWith(`${file}:9:${at.column} `), e.message);
});

test('an exception inside an imported helper points at the helper file', async () => {
  const helper = write(
    'throwing-helper/h.ts',
    "import { DataInfo } from 'resnet-lab';",
    'export function bad(info: DataInfo) {',
    '  const n = info.numClasses;',
    '  // the next line throws',
    '  return (null as unknown as { layers: number[] }).layers[n];',
    '}',
  );
  const file = write(
    'uses-throwing-helper.ts',
    "import { experiment } from 'resnet-lab';",
    "import { bad } from './throwing-helper/h';",
    'export const a = experiment({ model: (info) => bad(info) as never });',
  );
  const e = await userError(async () => buildModel(tf, await loadExperiment(tf, lib, file, 'a'), cifar));
  assert.equal(e.diagnostics.length, 1);
  assert.equal(e.diagnostics[0].file, helper);
  assert.equal(e.diagnostics[0].line, 5);
  assert.match(e.diagnostics[0].message, /Cannot read properties of null/);
});

test('a shape mismatch in tf.layers.add names both input layers and the add layer, at the add line', async () => {
  const file = write(
    'bad-add.ts',
    "import * as tf from '@tensorflow/tfjs';",
    "import { DataInfo, experiment } from 'resnet-lab';",
    '',
    'function net({ inputShape, numClasses }: DataInfo): tf.LayersModel {',
    "  const input = tf.input({ shape: inputShape, name: 'in' });",
    "  const wide = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', name: 'wide_conv' }).apply(input) as tf.SymbolicTensor;",
    "  const small = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', name: 'small_conv' }).apply(input) as tf.SymbolicTensor;",
    "  const sum = tf.layers.add({ name: 'join' }).apply([wide, small]) as tf.SymbolicTensor;",
    '  const p = tf.layers.globalAveragePooling2d({}).apply(sum) as tf.SymbolicTensor;',
    '  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: numClasses }).apply(p) as tf.SymbolicTensor });',
    '}',
    '',
    'export const a = experiment({ model: net });',
  );
  const e = await userError(async () => buildModel(tf, await loadExperiment(tf, lib, file, 'a'), cifar));
  assert.equal(e.kind, 'build');
  assert.match(
    e.message,
    /layer "join" \(Add\) cannot combine "wide_conv" \[batch, 32, 32, 8\] and "small_conv" \[batch, 16, 16, 4\]/,
  );
  assert.equal(e.diagnostics.length, 1);
  assert.equal(e.diagnostics[0].file, file);
  assert.equal(e.diagnostics[0].line, 8);
  assert.match(e.diagnostics[0].message, /"join".*"wide_conv".*"small_conv"/);
  // The patch on Layer.apply is removed again: tfjs' own message comes back outside buildModel.
  const a = tf.input({ shape: [4, 4, 2] }),
    b = tf.input({ shape: [2, 2, 2] });
  assert.throws(
    () => tf.layers.add({ name: 'outside' }).apply([a, b]),
    (err: Error) => !/cannot combine/.test(err.message),
  );
});

test('a missing export lists the experiments that exist; a non-experiment export says how to export one', async () => {
  const file = write(
    'two-experiments.ts',
    "import { experiment, resnetCifar } from 'resnet-lab';",
    'export const first = experiment({ model: resnetCifar({ depth: 8 }) });',
    'export const second = experiment({ model: resnetCifar({ depth: 14 }) });',
    'export const notOne = 42;',
  );
  const e = await userError(loadExperiment(tf, lib, file, 'thrid'));
  assert.equal(e.kind, 'build');
  assert.match(e.message, /no export named "thrid" \(experiments here: first, second\)/);
  assert.ok(e.message.includes(file), e.message);
  assert.equal(e.diagnostics[0].file, file);

  const n = await userError(loadExperiment(tf, lib, file, 'notOne'));
  assert.match(n.message, /"notOne" is not an experiment: export it as experiment\(\{ model, \.\.\. \}\)/);

  const none = write('no-experiments.ts', 'export const x = 1;');
  const z = await userError(loadExperiment(tf, lib, none, 'a'));
  assert.match(z.message, /experiments here: none/);
});

test('a model that does not fit the data is refused with what to change', async () => {
  const file = write(
    'wrong-shape.ts',
    "import * as tf from '@tensorflow/tfjs';",
    "import { experiment, resnetCifar } from 'resnet-lab';",
    'export const fixedShape = experiment({ model: () => resnetCifar({ depth: 8 })({ inputShape: [28, 28, 1], numClasses: 10 }) });',
    'export const fewClasses = experiment({ model: (info) => resnetCifar({ depth: 8 })({ ...info, numClasses: 3 }) });',
    'export const notAModel = experiment({ model: () => ({}) as tf.LayersModel });',
  );
  const shape = await userError(async () => buildModel(tf, await loadExperiment(tf, lib, file, 'fixedShape'), cifar));
  assert.match(
    shape.message,
    /the model's input shape \[28,28,1\] does not match the data's \[32,32,3\]: build it from the info argument/,
  );
  const classes = await userError(async () => buildModel(tf, await loadExperiment(tf, lib, file, 'fewClasses'), cifar));
  assert.match(classes.message, /the model has 3 outputs but the data has 10 classes/);
  const notModel = await userError(async () => buildModel(tf, await loadExperiment(tf, lib, file, 'notAModel'), cifar));
  assert.match(notModel.message, /the model factory must return a tf.LayersModel/);
});

test('experiment() without a model factory fails at its line with the fix', async () => {
  const file = write(
    'no-model.ts',
    "import { experiment } from 'resnet-lab';",
    '',
    'export const a = experiment({ epochs: 3 } as never);',
  );
  const e = await userError(loadExperiment(tf, lib, file, 'a'));
  assert.equal(e.kind, 'build');
  assert.equal(e.diagnostics[0]?.file, file);
  assert.equal(e.diagnostics[0]?.line, 3);
  assert.match(e.message, /experiment\(\{ model \}\) needs a model factory/);
});
