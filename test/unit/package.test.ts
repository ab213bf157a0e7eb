// The .vsix: packed for real (npm run package's own code, into a temp file),
// then its contents checked against the budget, its declaration files used to
// type-check model files as IntelliSense would, and its trainer run from the
// unpacked package, with no node_modules anywhere near it. About a minute:
// most of it is the production build.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { TrainerClient } from '../../src/launch/trainerClient';
import type { TrainerEvent } from '../../src/protocol/trainer';
import { shippedDeclarations } from '../../src/tsPlugin/shipped';
import { packageVsix } from '../../scripts/package.mjs';
import { BUDGET, checkVsix, readZip } from '../../scripts/vsixContents.mjs';
import { tempDir } from '../support/tempDir';

const root = path.resolve(__dirname, '..', '..');
const tmp = tempDir('package');
const vsixFile = path.join(tmp, 'resnet-lab.vsix');
let output = '';
/** The package unpacked: its extension/ folder. */
const ext = path.join(tmp, 'unpacked');

before(() => {
  ({ output } = packageVsix({ outFile: vsixFile, quiet: true }));
  for (const e of readZip(vsixFile)) {
    if (!e.name.startsWith('extension/') || e.name.endsWith('/')) continue;
    const to = path.join(ext, e.name.slice('extension/'.length));
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.writeFileSync(to, e.data());
  }
});

test('the .vsix is within budget: no platform binary, no file twice, no node_modules but the TypeScript plugin, no bundling warning', () => {
  const r = checkVsix(vsixFile);
  console.log(`package: ${r.files} files, ${(r.bytes / 1048576).toFixed(2)} MB`);
  assert.deepEqual(r.problems, []);
  assert.ok(r.files < BUDGET.maxFiles && r.bytes < BUDGET.maxBytes);
  assert.doesNotMatch(output, /should bundle|consists of \d+ files/i, 'vsce bundling warning');
  const names = r.entries.map((e) => e.name.replace(/^extension\//, ''));
  for (const f of [
    'dist/extension.js',
    'dist/trainer.js',
    'dist/trainer-worker.js',
    'dist/batch-worker.js',
    'dist/describe-server.js',
    'dist/esbuild.wasm',
    'dist/tfjs-backend-wasm.wasm',
    'dist/tfjs-backend-wasm-simd.wasm',
    'dist/webview/panel.js',
    'dist/webview/sidebar.js',
    'dist/webview/identity.js',
    'dist/webview/runsTable.js',
    'dist/webview/sweep.js',
    'dist/types/resnet-lab.d.ts',
    'dist/types/tfjs.d.ts',
    'node_modules/resnet-lab-ts-plugin/package.json',
    'node_modules/resnet-lab-ts-plugin/index.js',
    'media/webview.css',
    'media/experiments/degradation.ts',
    'media/experiments/identity.ts',
    'package.json',
    'media/walkthrough/experiment.md',
    'media/walkthrough/train.md',
    'media/walkthrough/degradation.md',
    'media/snippets/typescript.json',
  ]) {
    assert.ok(names.includes(f), `${f} is in the package`);
  }
  assert.deepEqual(
    names.filter((n) => n.endsWith('.map') || n.startsWith('src/') || n.startsWith('test/')),
    [],
  );
  // node_modules holds exactly the TypeScript server plugin, which tsserver loads by name from there.
  assert.deepEqual(names.filter((n) => n.includes('node_modules')).sort(), [
    'node_modules/resnet-lab-ts-plugin/index.js',
    'node_modules/resnet-lab-ts-plugin/package.json',
  ]);
});

/** A zip of stored entries, to show the check catches what it should. */
function zip(file: string, files: Record<string, Buffer>): void {
  const locals: Buffer[] = [],
    centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(files)) {
    const n = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(n.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, n, data);
    centrals.push(central, n);
    offset += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  fs.writeFileSync(file, Buffer.concat([...locals, cd, end]));
}

test('the check fails on a platform binary, a second copy of a file, node_modules, and too many files', () => {
  const bad = path.join(tmp, 'bad.vsix');
  zip(bad, {
    'extension/bin/tool': Buffer.concat([Buffer.from([0x7f]), Buffer.from('ELF'), Buffer.alloc(60)]),
    'extension/addon.node': Buffer.from('not even a binary'),
    'extension/dist/a.js': Buffer.from('same'),
    'extension/dist/copy-of-a.js': Buffer.from('same'),
    'extension/node_modules/x/index.js': Buffer.from('x'),
    'extension/node_modules/resnet-lab-ts-plugin/index.js': Buffer.from('the plugin'),
  });
  const r = checkVsix(bad, { maxFiles: 5, maxBytes: 1 << 20 });
  assert.deepEqual(r.problems, [
    '6 files (budget: fewer than 5)',
    'extension/bin/tool: ELF (Linux) binary',
    'extension/addon.node: platform-specific by its name',
    'extension/dist/copy-of-a.js: the same bytes as extension/dist/a.js',
    'extension/node_modules/x/index.js: node_modules is not shipped (bundle it)',
  ]);
});

test('IntelliSense: model files type-check against the shipped declarations, and type errors are still found', () => {
  const ws = path.join(tmp, 'ws');
  fs.mkdirSync(ws);
  for (const f of ['quickstart.ts', 'paper-cifar.ts', 'handwritten.ts']) {
    if (fs.existsSync(path.join(root, 'examples', f)))
      fs.copyFileSync(path.join(root, 'examples', f), path.join(ws, f));
  }
  fs.writeFileSync(
    path.join(ws, 'wrong.ts'),
    [
      "import * as tf from '@tensorflow/tfjs';",
      "import { resnetCifar } from 'resnet-lab';",
      'export const a: string = tf.input({ shape: [32, 32, 3] });',
      "export const b = resnetCifar({ depth: 'twenty' });",
      '',
    ].join('\n'),
  );
  // The files the TypeScript server plugin resolves the two modules to (src/tsPlugin;
  // test/unit/tsPlugin.test.ts runs the plugin itself in tsserver), as `paths` for tsc.
  const paths = Object.fromEntries(Object.entries(shippedDeclarations(ext)).map(([name, file]) => [name, [file]]));
  assert.ok(Object.values(paths).every(([f]) => fs.existsSync(f)));
  const compilerOptions = {
    target: 'ES2022',
    module: 'commonjs',
    moduleResolution: 'node',
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    baseUrl: '.',
    paths,
    types: [],
  };
  fs.writeFileSync(path.join(ws, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['*.ts'] }));
  const tsc = require.resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', '.', '--pretty', 'false'], { cwd: ws, encoding: 'utf8' });
  const errors = r.stdout
    .trim()
    .split('\n')
    .filter((l) => /error TS/.test(l));
  assert.equal(errors.length, 2, r.stdout);
  assert.match(errors[0], /^wrong\.ts\(3,14\): error TS2322: Type 'SymbolicTensor' is not assignable to type 'string'/);
  assert.match(errors[1], /^wrong\.ts\(4,/);
});

test('the unpacked trainer compiles and builds the quickstart model with no node_modules around it', async () => {
  assert.ok(!fs.existsSync(path.join(tmp, 'node_modules')) && !fs.existsSync(path.join(os.tmpdir(), 'node_modules')));
  const ws = path.join(tmp, 'ws-describe');
  fs.mkdirSync(ws);
  fs.copyFileSync(path.join(root, 'examples', 'quickstart.ts'), path.join(ws, 'quickstart.ts'));
  const events: TrainerEvent[] = [];
  // "describe" runs on the cpu backend: this checks the compiler (esbuild.wasm) and the
  // bundled tfjs; test/e2e/vsix.e2e.ts trains from the installed package on wasm and native.
  const client = new TrainerClient(path.join(ext, 'dist', 'trainer.js'), { onEvent: (e) => events.push(e) });
  client.send({ type: 'describe', file: path.join(ws, 'quickstart.ts'), experiment: 'quickstart' });
  const exit = await client.exited;
  const described = events.find((e) => e.type === 'described');
  assert.ok(
    described && described.type === 'described',
    `no "described" event; exit ${exit.code}; ${JSON.stringify(events).slice(0, 500)} ${exit.stderr}`,
  );
  assert.equal(described.summary.depth, 8);
  assert.equal(described.summary.shortcuts, 3);
  assert.equal(described.graph.nodes.filter((n) => n.className === 'Add').length, 3);
  assert.equal(described.backend, 'cpu');
});
