// The compiler for users' model files: esbuild's WebAssembly build, run in
// this process. Why not the `esbuild` package: it runs a native executable
// (`@esbuild/linux-x64/bin/esbuild` here), so an extension shipping it works
// only on the platform it was packaged on. Why not esbuild-wasm's Node API:
// it spawns `node` from PATH (many VS Code users have none) and refuses to be
// bundled. Its browser API runs the same compiler in-process from one .wasm
// file: no child process, no platform binary, ~0.3 s to start, and a model
// file compiles in milliseconds. It has no file system, so the caller's
// plugin reads files (see compileUserFile.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as esbuildApi from 'esbuild-wasm';

export type Esbuild = typeof esbuildApi;

const WASM = 'esbuild.wasm';
let started: Promise<Esbuild> | undefined;

/** dist/esbuild.wasm beside the bundle (packaged), else the npm package's copy (tests under tsx). */
export function esbuildWasmPath(): string {
  const beside = path.join(__dirname, WASM);
  if (fs.existsSync(beside)) return beside;
  return require.resolve(`esbuild-wasm/${WASM}`);
}

/** The in-process esbuild, started once per process (or worker thread). */
export function esbuildWasm(): Promise<Esbuild> {
  started ??= start().catch((e) => {
    started = undefined;
    throw e;
  });
  return started;
}

async function start(): Promise<Esbuild> {
  // The browser API builds its Go sandbox from the properties of `self`, which
  // Node lacks; globalThis is what it means. Only trainer processes compile.
  const g = globalThis as { self?: unknown };
  g.self ??= globalThis;
  const api = require('esbuild-wasm/lib/browser.js') as Esbuild;
  const wasmModule = new WebAssembly.Module(fs.readFileSync(esbuildWasmPath()));
  await api.initialize({ wasmModule, worker: false });
  return api;
}
