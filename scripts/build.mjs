// Bundles every runtime with esbuild: the extension host code, the trainer
// process and its worker threads, the CLI, the webviews and the
// integration-test suite. tfjs and the model-file compiler are bundled in;
// the .wasm files they load are copied into dist/ once, beside the bundles.
// Usage: node scripts/build.mjs [--production] [--quiet] [--watch] [--types] [--outdir DIR (default dist)]
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { buildTypes } from './types.mjs';

const require = createRequire(import.meta.url);
const production = process.argv.includes('--production');
const quiet = process.argv.includes('--quiet');
const watch = process.argv.includes('--watch');
const outArg = process.argv.indexOf('--outdir');
const out = outArg > 0 ? process.argv[outArg + 1] : 'dist';

// tfjs' Node entry re-exports the WebGL backend, which never runs in Node:
// an empty module keeps ~1 MB of shaders out of the bundles.
const noWebgl = {
  name: 'no-webgl',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\/tfjs-backend-webgl$/ }, () => ({ path: 'webgl', namespace: 'empty' }));
    build.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: quiet ? 'error' : 'info',
  plugins: [noWebgl],
  // vscode: given by the host. tfjs-node: never bundled, loaded at run time
  // from where setup-native built it (src/core/native/loadNative.ts).
  external: ['vscode', '@tensorflow/tfjs-node', 'mocha', 'playwright-core'],
};

const builds = [
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: `${out}/extension.js` },
  { ...node, entryPoints: ['src/trainer/main.ts'], outfile: `${out}/trainer.js` },
  // Data-parallel training workers (worker threads of the trainer), loaded from beside dist/trainer.js.
  { ...node, entryPoints: ['src/trainer/worker.ts'], outfile: `${out}/trainer-worker.js` },
  // The batch prefetcher's thread (src/core/data/prefetch.ts): no tfjs, only typed arrays.
  { ...node, entryPoints: ['src/trainer/batchWorker.ts'], outfile: `${out}/batch-worker.js` },
  // The model-file compiler's thread (src/core/compile/compileUserFile.ts): esbuild-wasm's heap leaves with it.
  { ...node, entryPoints: ['src/trainer/compileWorker.ts'], outfile: `${out}/compile-worker.js` },
  // The warm describe process of the live preview (src/extension/describeService.ts): builds models, never trains.
  { ...node, entryPoints: ['src/trainer/describeServer.ts'], outfile: `${out}/describe-server.js` },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: `${out}/cli.js`, banner: { js: '#!/usr/bin/env node' } },
  {
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: production,
    sourcemap: production ? false : 'linked',
    logLevel: quiet ? 'error' : 'info',
    entryPoints: {
      panel: 'webview/panel/main.ts',
      sidebar: 'webview/sidebar/main.ts',
      identity: 'webview/identity/main.ts',
      runsTable: 'webview/runsTable/main.ts',
      sweep: 'webview/sweep/main.ts',
    },
    outdir: `${out}/webview`,
  },
];
// The TypeScript server plugin (IntelliSense for model files with no tsconfig):
// tsserver loads it by package name from <extension>/node_modules/, so it is
// built as a one-file package there, beside the out folder (dist -> the repo's
// node_modules, which a development window uses; package.mjs's staging folder
// -> the .vsix, whose .vscodeignore lets exactly this folder in).
const pluginDir = path.join(path.dirname(path.resolve(out)), 'node_modules', 'resnet-lab-ts-plugin');
fs.mkdirSync(pluginDir, { recursive: true });
fs.writeFileSync(
  path.join(pluginDir, 'package.json'),
  JSON.stringify({ name: 'resnet-lab-ts-plugin', version: '0.1.0', private: true, main: 'index.js' }, null, 2) + '\n',
);
// No source map: a shipped package is one file, and the plugin is small enough to read.
builds.push({
  ...node,
  sourcemap: false,
  entryPoints: ['src/tsPlugin/index.ts'],
  outfile: path.join(pluginDir, 'index.js'),
});
if (!production && fs.existsSync('test/integration/index.ts')) {
  builds.push({ ...node, entryPoints: ['test/integration/index.ts'], outfile: `${out}/test/integration/index.js` });
}

// WebAssembly loaded at run time, found beside the bundles (__dirname == dist/):
// esbuild's compiler (src/core/compile/esbuildWasm.ts) and tfjs' wasm backend
// (src/core/backend/wasmConvGrads.ts). The threaded-SIMD build is left out:
// tfjs never uses threads in Node.
const wasmFiles = [
  'esbuild-wasm/esbuild.wasm',
  '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm',
  '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
];
fs.mkdirSync(out, { recursive: true });
for (const f of wasmFiles) {
  const from = require.resolve(f);
  const to = path.join(out, path.basename(f));
  const stale = !fs.existsSync(to) || fs.statSync(to).size !== fs.statSync(from).size;
  if (stale) fs.copyFileSync(from, to);
}

// The exported Keras project's Python and the Keras probe (src/core/export/pythonSources.ts reads them
// beside the bundles); the integration bundle probes Keras too, from its own folder.
const pythonDirs = [path.join(out, 'python')];
if (builds.some((b) => b.outfile === `${out}/test/integration/index.js`))
  pythonDirs.push(path.join(out, 'test', 'integration', 'python'));
for (const dir of pythonDirs) {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync('src/core/export/python').filter((n) => n.endsWith('.py')))
    fs.copyFileSync(path.join('src/core/export/python', f), path.join(dir, f));
}

// Declarations for users' IntelliSense (dist/types/resnet-lab.d.ts and
// tfjs.d.ts): slow-ish (tsc), so only when packaging, asked for, or missing.
if (production || process.argv.includes('--types') || !fs.existsSync(path.join(out, 'types', 'tfjs.d.ts'))) {
  buildTypes({ out: path.join(out, 'types'), quiet });
}

const existing = builds.filter((b) => [].concat(Object.values(b.entryPoints)).every((e) => fs.existsSync(e)));
if (watch) {
  for (const b of existing) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(existing.map((b) => esbuild.build(b)));
}
