// Bundles every runtime with esbuild: the extension host code, the trainer
// process, the CLI, the webviews and the integration-test suite.
// Usage: node scripts/build.mjs [--production] [--quiet] [--watch]
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';

const production = process.argv.includes('--production');
const quiet = process.argv.includes('--quiet');
const watch = process.argv.includes('--watch');

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: quiet ? 'error' : 'info',
  // tfjs (and its optional native binding) must stay one shared copy from
  // node_modules; esbuild is a native binary the trainer runs at run time.
  external: ['vscode', '@tensorflow/*', 'esbuild', 'mocha', 'playwright-core'],
};

const builds = [
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js' },
  { ...node, entryPoints: ['src/trainer/main.ts'], outfile: 'dist/trainer.js' },
  // Data-parallel training workers (worker threads of the trainer), loaded from beside dist/trainer.js.
  { ...node, entryPoints: ['src/trainer/worker.ts'], outfile: 'dist/trainer-worker.js' },
  // The batch prefetcher's thread (src/core/data/prefetch.ts): no tfjs, only typed arrays.
  { ...node, entryPoints: ['src/trainer/batchWorker.ts'], outfile: 'dist/batch-worker.js' },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  {
    bundle: true, platform: 'browser', format: 'iife', target: 'es2022', minify: production,
    sourcemap: production ? false : 'inline', logLevel: quiet ? 'error' : 'info',
    entryPoints: { panel: 'webview/panel/main.ts', sidebar: 'webview/sidebar/main.ts' }, outdir: 'dist/webview',
  },
];
if (!production && fs.existsSync('test/integration/index.ts')) {
  builds.push({ ...node, entryPoints: ['test/integration/index.ts'], outfile: 'dist/test/integration/index.js' });
}

// Declarations of `resnet-lab` for users' IntelliSense: slow-ish (tsc), so only
// when packaging, asked for, or missing.
if (production || process.argv.includes('--types') || !fs.existsSync('dist/types/index.d.ts')) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.types.json'], { stdio: 'inherit' });
}

const existing = builds.filter((b) => [].concat(Object.values(b.entryPoints)).every((e) => fs.existsSync(e)));
if (watch) {
  for (const b of existing) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(existing.map((b) => esbuild.build(b)));
}
