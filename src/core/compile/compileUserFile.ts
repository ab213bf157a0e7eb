// Workspace model files are TypeScript: esbuild bundles them (so their local
// imports work) into CommonJS with a source map. tfjs and resnet-lab stay
// external and are injected, so the user's code shares the trainer's single
// tf instance and its registered backend. Other packages and Node built-ins
// stay external too and are required from the model file's folder at run time.
// esbuild runs as WebAssembly in this process (see esbuildWasm.ts): the same
// compiler on every platform VS Code runs on.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMainThread, Worker } from 'node:worker_threads';
import type * as esbuild from 'esbuild-wasm';
import type { SourceDiagnostic } from '../../protocol/trainer';
import { workerEntry } from '../workerEntry';
import { compilerOutOfMemory } from './compilerMemory';
import { esbuildWasm } from './esbuildWasm';

export interface CompiledFile {
  file: string;
  code: string;
  map: string;
}

/** Errors that point into the user's file, for the Problems panel. */
export class UserCodeError extends Error {
  constructor(
    message: string,
    readonly kind: 'compile' | 'build',
    readonly diagnostics: SourceDiagnostic[],
  ) {
    super(message);
    this.name = 'UserCodeError';
  }
}

export const INJECTED_MODULES = [
  'resnet-lab',
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-layers',
  '@tensorflow/tfjs-node',
];

/**
 * Compiles on a short-lived worker thread: esbuild's WebAssembly heap (~140 MB
 * once it has compiled something) then goes away with the thread instead of
 * staying in the trainer for the whole run. Worker threads compile in place.
 */
export async function compileUserFile(file: string): Promise<CompiledFile> {
  if (!isMainThread) return compileHere(file);
  let entry;
  try {
    entry = workerEntry('compileWorker.ts', 'compile-worker.js');
  } catch {
    return compileHere(file); // no compiler thread script beside this bundle: compile here, at the cost of its memory
  }
  const worker = new Worker(entry.script, { eval: entry.eval, workerData: { file } });
  try {
    const reply = await new Promise<CompileReply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) =>
        reject(new Error(`the model compiler's thread exited (code ${code}) before answering`)),
      );
    });
    if (reply.ok) return reply.compiled;
    if (reply.userError)
      throw new UserCodeError(reply.userError.message, reply.userError.kind, reply.userError.diagnostics);
    throw Object.assign(new Error(reply.message), { stack: reply.stack });
  } finally {
    void worker.terminate();
  }
}

export type CompileReply =
  | { ok: true; compiled: CompiledFile }
  | {
      ok: false;
      message: string;
      stack?: string;
      userError?: { message: string; kind: 'compile' | 'build'; diagnostics: SourceDiagnostic[] };
    };

/** The compiler thread's side (src/trainer/compileWorker.ts): one file, one reply. */
export async function compileForParent(file: string): Promise<CompileReply> {
  try {
    return { ok: true, compiled: await compileHere(file) };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    const userError =
      e instanceof UserCodeError ? { message: e.message, kind: e.kind, diagnostics: e.diagnostics } : undefined;
    return { ok: false, message: err.message, stack: err.stack, userError };
  }
}

/**
 * Compiles in this thread, with `source` in place of the file's text on disk
 * (the editor's unsaved buffer): the warm describe process keeps its compiler
 * loaded between requests instead of starting a thread each time.
 */
export function compileSource(file: string, source: string): Promise<CompiledFile> {
  return compileHere(file, source);
}

async function compileHere(file: string, source?: string): Promise<CompiledFile> {
  const abs = path.resolve(file);
  const cwd = path.dirname(abs);
  try {
    const esbuild = await esbuildWasm().catch((e) => {
      const outOfMemory = compilerOutOfMemory(abs, e);
      throw outOfMemory ? new UserCodeError(outOfMemory, 'compile', []) : e;
    });
    const result = await esbuild.build({
      entryPoints: [abs],
      absWorkingDir: cwd,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      outfile: path.join(cwd, '__resnet_lab_bundle.js'),
      sourcemap: 'external',
      sourcesContent: false,
      plugins: [localFiles(source === undefined ? undefined : { file: abs, text: source })],
      logLevel: 'silent',
    });
    const js = result.outputFiles.find((f) => f.path.endsWith('.js'))!;
    const map = result.outputFiles.find((f) => f.path.endsWith('.js.map'))!;
    return { file: abs, code: js.text, map: map.text };
  } catch (e) {
    if (e instanceof UserCodeError) throw e;
    const failure = e as esbuild.BuildFailure;
    if (!Array.isArray(failure?.errors)) throw e;
    const diagnostics = failure.errors.map((m) => ({
      file: m.location ? path.resolve(cwd, m.location.file) : abs,
      line: m.location?.line ?? 1,
      column: (m.location?.column ?? 0) + 1,
      message: m.text,
    }));
    const first = diagnostics[0];
    throw new UserCodeError(`${first.file}:${first.line}:${first.column} ${first.message}`, 'compile', diagnostics);
  }
}

// The wasm compiler has no file system: this plugin resolves and reads the
// model file's own relative imports the way esbuild does on disk, and leaves
// every package import (tfjs, resnet-lab, node:fs, anything in the
// workspace's node_modules) external.
const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.json'];
const LOADERS: Record<string, esbuild.Loader> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
  '.json': 'json',
};

const isFile = (f: string) => fs.statSync(f, { throwIfNoEntry: false })?.isFile() ?? false;

/** `./x` -> ./x, ./x.ts, ..., ./x/index.ts, ...; `./x.js` also -> ./x.ts (TypeScript's own convention). */
export function resolveLocal(from: string, request: string): string | undefined {
  const base = path.resolve(from, request);
  const candidates = [base, ...EXTENSIONS.map((e) => base + e)];
  const js = /\.(m|c)?js$/.exec(base);
  if (js) candidates.push(...['.ts', '.tsx'].map((e) => base.slice(0, -js[0].length) + (js[1] ? `.${js[1]}ts` : e)));
  candidates.push(...EXTENSIONS.map((e) => path.join(base, `index${e}`)));
  return candidates.find(isFile);
}

const localFiles = (override?: { file: string; text: string }): esbuild.Plugin => ({
  name: 'resnet-lab-local-files',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      const local = args.kind === 'entry-point' || args.path.startsWith('.') || path.isAbsolute(args.path);
      if (!local) return { path: args.path, external: true };
      const file = resolveLocal(args.resolveDir, args.path);
      // esbuild places a plugin's error at the import statement.
      return file ? { path: file } : { errors: [{ text: `Could not resolve "${args.path}"` }] };
    });
    build.onLoad({ filter: /.*/ }, (args) => ({
      contents: override && args.path === override.file ? override.text : fs.readFileSync(args.path, 'utf8'),
      loader: LOADERS[path.extname(args.path)] ?? 'ts',
      resolveDir: path.dirname(args.path),
    }));
  },
});
