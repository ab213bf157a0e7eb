// The TypeScript server plugin (src/tsPlugin) in a real tsserver, started as
// VS Code starts it (--globalPlugins, the extension folder as probe location):
// a model file in a folder with no tsconfig.json and no node_modules gets no
// diagnostics, and its imports go to the shipped declarations. A tsconfig's
// own `paths` still win. Needs the build (npm run test:unit builds first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PLUGIN_NAME, shippedDeclarations } from '../../src/tsPlugin/shipped';
import { tempDir } from '../support/tempDir';

const root = path.resolve(__dirname, '..', '..');
const tmp = tempDir('tsplugin');

const MODEL = [
  "import * as tf from '@tensorflow/tfjs';",
  "import { experiment, resnetCifar, synthetic, DataInfo } from 'resnet-lab';",
  'export const r20 = experiment({ model: resnetCifar({ depth: 20 }), data: synthetic(), epochs: 1 });',
  'export const t = tf.layers.add();',
  // tfjs types crossing into resnet-lab's: both must see the same tfjs declarations.
  'function mine({ inputShape }: DataInfo): tf.LayersModel {',
  '  const input = tf.input({ shape: inputShape });',
  '  return tf.model({ inputs: input, outputs: tf.layers.flatten().apply(input) as tf.SymbolicTensor });',
  '}',
  'export const own = experiment({ model: mine });',
  '',
].join('\n');

type Response = { request_seq: number; success: boolean; body?: unknown; message?: string };

/** A tsserver with the plugin, spoken to over its JSON protocol. */
function tsserver(extraArgs: string[] = []) {
  const bin = require.resolve('typescript/lib/tsserver.js');
  const p = spawn(
    process.execPath,
    [
      bin,
      ...(process.env.TSS_DEBUG ? ['--logVerbosity', 'verbose', '--logFile', process.env.TSS_DEBUG] : []),
      '--globalPlugins',
      PLUGIN_NAME,
      '--pluginProbeLocations',
      root,
      '--disableAutomaticTypingAcquisition',
      ...extraArgs,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let seq = 0,
    buf = '';
  const waiting = new Map<number, (r: Response) => void>();
  p.stdout.setEncoding('utf8');
  p.stdout.on('data', (d: string) => {
    buf += d;
    for (;;) {
      const m = /Content-Length: (\d+)\r\n\r\n/.exec(buf);
      if (!m) break;
      const start = m.index + m[0].length;
      const len = Number(m[1]);
      // Content-Length counts bytes; the messages here are ASCII paths and code.
      if (Buffer.byteLength(buf.slice(start)) < len) break;
      const msg = JSON.parse(buf.slice(start, start + len)) as Response & { type: string };
      buf = buf.slice(start + len);
      if (msg.type === 'response') waiting.get(msg.request_seq)?.(msg);
    }
  });
  const request = (command: string, args: unknown) =>
    new Promise<Response>((resolve) => {
      const s = ++seq;
      waiting.set(s, resolve);
      p.stdin.write(JSON.stringify({ seq: s, type: 'request', command, arguments: args }) + '\n');
    });
  return { request, close: () => p.kill() };
}

async function check(dir: string, options?: Record<string, unknown>) {
  const file = path.join(dir, 'model.ts');
  // On disk too: a tsconfig's file list comes from the folder.
  fs.writeFileSync(file, MODEL);
  const s = tsserver();
  try {
    if (options) await s.request('compilerOptionsForInferredProjects', { options });
    await s.request('open', { file, fileContent: MODEL, scriptKindName: 'TS' });
    const diags = await s.request('semanticDiagnosticsSync', { file });
    const line = 3,
      offset = MODEL.split('\n')[2].indexOf('resnetCifar') + 2;
    const defs = await s.request('definition', { file, line, offset });
    const tfDefs = await s.request('definition', { file, line: 4, offset: MODEL.split('\n')[3].indexOf('add') + 2 });
    return {
      errors: (diags.body as { text: string }[]).map((d) => d.text),
      definition: (defs.body as { file: string }[])[0]?.file,
      tfDefinition: (tfDefs.body as { file: string }[])[0]?.file,
    };
  } finally {
    s.close();
  }
}

const shipped = shippedDeclarations(root);

test('no tsconfig: resnet-lab and tfjs resolve to the shipped declarations (tsserver defaults)', async () => {
  const dir = path.join(tmp, 'plain');
  fs.mkdirSync(dir);
  const r = await check(dir);
  assert.deepEqual(r.errors, []);
  assert.equal(path.normalize(r.definition), shipped['resnet-lab']);
  assert.equal(path.normalize(r.tfDefinition), shipped['@tensorflow/tfjs']);
});

test('no tsconfig, the options VS Code gives inferred projects (module preserve, bundler resolution)', async () => {
  const dir = path.join(tmp, 'vscode');
  fs.mkdirSync(dir);
  const r = await check(dir, {
    module: 'Preserve',
    moduleResolution: 'Bundler',
    target: 'ES2022',
    allowJs: true,
    strictNullChecks: true,
  });
  assert.deepEqual(r.errors, []);
  assert.equal(path.normalize(r.definition), shipped['resnet-lab']);
});

test("an existing tsconfig keeps its own settings: its paths win over the plugin's fallback", async () => {
  const dir = path.join(tmp, 'own');
  fs.mkdirSync(path.join(dir, 'lib'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'lib', 'mine.d.ts'),
    'export declare function experiment(x: unknown): unknown;\nexport declare function resnetCifar(x: unknown): unknown;\nexport declare function synthetic(): unknown;\nexport type DataInfo = { inputShape: number[] };\n',
  );
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, baseUrl: '.', paths: { 'resnet-lab': ['lib/mine.d.ts'] } } }),
  );
  const r = await check(dir);
  assert.deepEqual(r.errors, []);
  assert.equal(path.normalize(r.definition), path.join(dir, 'lib', 'mine.d.ts'));
  assert.equal(
    path.normalize(r.tfDefinition),
    shipped['@tensorflow/tfjs'],
    'what the tsconfig leaves unresolved still falls back',
  );
});

test('a workspace with its own @tensorflow/tfjs: resnet-lab.d.ts uses that tfjs too, so their types agree', async () => {
  const dir = path.join(tmp, 'installed');
  fs.mkdirSync(path.join(dir, 'node_modules', '@tensorflow'), { recursive: true });
  // The real package (its own dependencies resolve from where it really is).
  fs.symlinkSync(
    path.join(root, 'node_modules', '@tensorflow', 'tfjs'),
    path.join(dir, 'node_modules', '@tensorflow', 'tfjs'),
    'dir',
  );
  const r = await check(dir);
  assert.deepEqual(r.errors, []);
  assert.equal(path.normalize(r.definition), shipped['resnet-lab']);
  assert.match(r.tfDefinition, /node_modules\/@tensorflow\/tfjs-layers\//, 'tf.layers.add from the installed tfjs');
});

test('without the plugin the same file has "Cannot find module" (the test sees the plugin, not luck)', async () => {
  const dir = path.join(tmp, 'none');
  fs.mkdirSync(dir);
  const file = path.join(dir, 'model.ts');
  const bin = require.resolve('typescript/lib/tsserver.js');
  const p = spawn(process.execPath, [bin, '--disableAutomaticTypingAcquisition'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  p.stdout.setEncoding('utf8');
  p.stdout.on('data', (d: string) => {
    out += d;
  });
  p.stdin.write(
    JSON.stringify({
      seq: 1,
      type: 'request',
      command: 'open',
      arguments: { file, fileContent: MODEL, scriptKindName: 'TS' },
    }) + '\n',
  );
  p.stdin.write(
    JSON.stringify({ seq: 2, type: 'request', command: 'semanticDiagnosticsSync', arguments: { file } }) + '\n',
  );
  const deadline = Date.now() + 30_000;
  while (!/"request_seq":2/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  p.kill();
  assert.match(out, /Cannot find module 'resnet-lab'/);
});
