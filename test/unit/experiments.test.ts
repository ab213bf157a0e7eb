// findExperiments: the text scan behind the CodeLens and `resnet-lab list`.
// It must find real `export const x = experiment(...)` definitions with their
// 0-based lines, and nothing inside comments or strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findExperiments } from '../../src/core/experiments/findExperiments';

const examples = path.join(__dirname, '..', '..', 'examples');
const lines = (...l: string[]) => l.join('\n');

test('a multi-line definition: line and column of `export`, endLine of the closing parenthesis', () => {
  const src = lines(
    "import { experiment, resnetCifar } from 'resnet-lab';", // 0
    '', // 1
    '  export const resnet20 = experiment({', // 2
    '  model: resnetCifar({ depth: 20 }),', // 3
    '  optimizer: { lr: (0.1) },', // 4
    '  schedule: { milestones: [32000, 48000] },', // 5
    '});', // 6
    'const after = 1;', // 7
  );
  assert.deepEqual(findExperiments(src), [{ name: 'resnet20', line: 2, column: 2, endLine: 6 }]);
});

test('a one-line definition ends on its own line', () => {
  const src = 'export const a = experiment({ model: resnetCifar({ depth: 8 }) });\n';
  assert.deepEqual(findExperiments(src), [{ name: 'a', line: 0, column: 0, endLine: 0 }]);
});

test('line and block comments holding a fake definition are skipped', () => {
  const src = lines(
    '// export const fake1 = experiment({ model });', // 0
    '/* export const fake2 = experiment({ model });', // 1
    '   export const fake3 = experiment({ model }); */', // 2
    '/**', // 3
    ' * export const fake4 = experiment({', // 4
    ' */', // 5
    'export const real = experiment({ // export const fake5 = experiment(', // 6
    '  model, /* ) */', // 7
    '});', // 8
  );
  assert.deepEqual(findExperiments(src), [{ name: 'real', line: 6, column: 0, endLine: 8 }]);
});

test('strings and template literals holding a fake definition are skipped, and their parentheses do not count', () => {
  const src = lines(
    'const s1 = "export const fake1 = experiment({ model })";', // 0
    "const s2 = 'export const fake2 = experiment(';", // 1
    'const s3 = `', // 2
    'export const fake3 = experiment({ model })', // 3
    '`;', // 4
    "const s4 = 'it\\'s export const fake4 = experiment(';", // 5
    'export const real = experiment({', // 6
    '  name: \')\', other: ")", tmpl: `)`,', // 7
    '  model,', // 8
    '});', // 9
  );
  assert.deepEqual(findExperiments(src), [{ name: 'real', line: 6, column: 0, endLine: 9 }]);
});

test('several per file, in order, with type annotations, let/var and a qualified lab.experiment(', () => {
  const src = lines(
    "import * as lab from 'resnet-lab';", // 0
    "import { Experiment, experiment } from 'resnet-lab';", // 1
    'export const first = experiment({ model: m });', // 2
    'export const typed: Experiment = experiment({', // 3
    '  model: m,', // 4
    '});', // 5
    'export const generic: Record<string, Experiment>[0] = experiment({ model: m });', // 6
    'export const qualified = lab.experiment({', // 7
    '  model: lab.resnetCifar({ depth: 20 }),', // 8
    '});', // 9
    'export let mutable = experiment({ model: m });', // 10
    '    export var old = experiment(', // 11
    '  { model: m },', // 12
    ');', // 13
  );
  assert.deepEqual(findExperiments(src), [
    { name: 'first', line: 2, column: 0, endLine: 2 },
    { name: 'typed', line: 3, column: 0, endLine: 5 },
    { name: 'generic', line: 6, column: 0, endLine: 6 },
    { name: 'qualified', line: 7, column: 0, endLine: 9 },
    { name: 'mutable', line: 10, column: 0, endLine: 10 },
    { name: 'old', line: 11, column: 4, endLine: 13 },
  ]);
});

test('things that are not experiment definitions are not found', () => {
  const src = lines(
    'const local = experiment({ model: m });', // not exported
    'export const wrapped = tweak(experiment({ model: m }));', // experiment( is not the value
    'export const n = 5;',
    'export function experimentLike() { return experiment({ model: m }); }',
    'export const notCalled = experiment;',
    'export const other = experiments({ model: m });',
    'export const member = lab.experimentx({ model: m });',
  );
  assert.deepEqual(findExperiments(src), []);
});

test('CRLF line endings give the same line numbers', () => {
  const src = [
    '// header',
    'export const a = experiment({',
    '  model: m,',
    '});',
    'export const b = experiment({ model: m });',
  ].join('\r\n');
  assert.deepEqual(findExperiments(src), [
    { name: 'a', line: 1, column: 0, endLine: 3 },
    { name: 'b', line: 4, column: 0, endLine: 4 },
  ]);
});

test('an unfinished definition (while typing) is still found, ending at the last token', () => {
  const src = lines('export const wip = experiment({', '  model: resnetCifar({ depth: 20 ');
  const found = findExperiments(src);
  assert.equal(found.length, 1);
  assert.deepEqual({ name: found[0].name, line: found[0].line }, { name: 'wip', line: 0 });
  assert.equal(found[0].endLine, 1);
});

test('examples/paper-cifar.ts has its six experiments at their lines', () => {
  const src = fs.readFileSync(path.join(examples, 'paper-cifar.ts'), 'utf8');
  const found = findExperiments(src);
  assert.deepEqual(
    found.map((e) => e.name),
    ['plain20', 'plain56', 'resnet20', 'resnet56', 'resnet110', 'preactResnet20'],
  );
  const text = src.split('\n');
  for (const e of found) {
    assert.ok(text[e.line].startsWith(`export const ${e.name} = experiment(`), `line ${e.line}: ${text[e.line]}`);
    assert.equal(e.column, 0);
    assert.match(text[e.endLine], /\}\);\s*$/, `endLine ${e.endLine} of ${e.name}: ${text[e.endLine]}`);
  }
  const resnet110 = found.find((e) => e.name === 'resnet110')!;
  assert.equal(resnet110.endLine - resnet110.line, 5);
  assert.equal(found.filter((e) => e.endLine === e.line).length, 5);
});

test('examples/quickstart.ts and handwritten.ts have one experiment each', () => {
  for (const [file, name] of [
    ['quickstart.ts', 'quickstart'],
    ['handwritten.ts', 'handwritten'],
  ]) {
    const src = fs.readFileSync(path.join(examples, file), 'utf8');
    const found = findExperiments(src);
    assert.equal(found.length, 1, file);
    const text = src.split('\n');
    assert.equal(found[0].name, name);
    assert.ok(text[found[0].line].startsWith(`export const ${name} = experiment({`));
    assert.equal(text[found[0].endLine], '});');
    assert.ok(found[0].endLine > found[0].line + 2);
  }
});

// Known gaps of the tokenizer (see the report): these fail until it handles them.
test('a regex literal holding a quote does not hide the experiments after it', () => {
  const src = lines(
    "const quote = /'/g;", // 0: the tokenizer must not start a string at this quote
    'export const a = experiment({ model: m });', // 1
  );
  assert.deepEqual(findExperiments(src), [{ name: 'a', line: 1, column: 0, endLine: 1 }]);
});

test('a function type in the annotation (with =>) does not stop the scan at its arrow', () => {
  const src =
    'export const a: (() => void) | Experiment = experiment({ model: m });\nexport const b: () => void = experiment({ model: m }) as never;';
  assert.deepEqual(findExperiments(src), [
    { name: 'a', line: 0, column: 0, endLine: 0 },
    { name: 'b', line: 1, column: 0, endLine: 1 },
  ]);
});
