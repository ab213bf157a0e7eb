// Workspace model files are TypeScript: esbuild bundles them (so their local
// imports work) into CommonJS with a source map. tfjs and resnet-lab stay
// external and are injected, so the user's code shares the trainer's single
// tf instance and its registered backend.
import * as esbuild from 'esbuild';
import * as path from 'node:path';
import type { SourceDiagnostic } from '../../protocol/trainer';

export interface CompiledFile {
  file: string;
  code: string;
  map: string;
}

/** Errors that point into the user's file, for the Problems panel. */
export class UserCodeError extends Error {
  constructor(message: string, readonly kind: 'compile' | 'build', readonly diagnostics: SourceDiagnostic[]) {
    super(message);
    this.name = 'UserCodeError';
  }
}

export const INJECTED_MODULES = ['resnet-lab', '@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-node'];

export async function compileUserFile(file: string): Promise<CompiledFile> {
  const abs = path.resolve(file);
  const cwd = path.dirname(abs);
  try {
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
      external: [...INJECTED_MODULES, '@tensorflow/*'],
      logLevel: 'silent',
    });
    const js = result.outputFiles.find((f) => f.path.endsWith('.js'))!;
    const map = result.outputFiles.find((f) => f.path.endsWith('.js.map'))!;
    return { file: abs, code: js.text, map: map.text };
  } catch (e) {
    const failure = e as esbuild.BuildFailure;
    if (!Array.isArray(failure.errors)) throw e;
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
