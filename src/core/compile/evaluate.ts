// Runs a compiled model file with the trainer's modules injected, and maps any
// exception back to a line in the user's TypeScript through the source map.
import { createRequire, SourceMap, type SourceMapPayload } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type { SourceDiagnostic } from '../../protocol/trainer';
import { CompiledFile, INJECTED_MODULES, UserCodeError } from './compileUserFile';

const BUNDLE_NAME = 'resnet-lab-user-bundle';

/** Every model file this process has run: an error thrown later, outside any call (a timer), is mapped through them. */
const evaluated: CompiledFile[] = [];

export function evaluateModule(compiled: CompiledFile, injected: Record<string, unknown>): Record<string, unknown> {
  if (!evaluated.some((c) => c.file === compiled.file)) evaluated.push(compiled);
  const filename = `${BUNDLE_NAME}:${compiled.file}`;
  const wrapper = vm.runInThisContext(
    `(function (exports, require, module, __filename, __dirname) {\n${compiled.code}\n})`,
    {
      filename,
      lineOffset: -1,
    },
  ) as (...args: unknown[]) => void;
  const realRequire = createRequire(compiled.file);
  const requireFn = (id: string) => {
    if (INJECTED_MODULES.includes(id)) {
      return id === 'resnet-lab' ? injected['resnet-lab'] : injected['@tensorflow/tfjs'];
    }
    return realRequire(id) as unknown;
  };
  const module = { exports: {} as Record<string, unknown> };
  runUserCode(compiled, () => wrapper(module.exports, requireFn, module, compiled.file, path.dirname(compiled.file)));
  return module.exports;
}

/** Calls into user code; an exception becomes a UserCodeError at the user's line. */
export function runUserCode<T>(compiled: CompiledFile, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw toUserCodeError(compiled, e);
  }
}

export function toUserCodeError(compiled: CompiledFile, e: unknown): UserCodeError {
  if (e instanceof UserCodeError) return e;
  const err = e instanceof Error ? e : new Error(String(e));
  const where = userLocation(compiled, err.stack ?? '');
  const diagnostics: SourceDiagnostic[] = where ? [{ ...where, message: err.message }] : [];
  const prefix = where ? `${where.file}:${where.line}:${where.column} ` : `${compiled.file}: `;
  return new UserCodeError(prefix + err.message, 'build', diagnostics);
}

/**
 * An error nobody caught (a model file's timer that throws, a promise it
 * rejects and never awaits) as a UserCodeError at the user's line, when its
 * stack passes through a model file this process ran; undefined otherwise.
 */
export function userErrorOfUncaught(e: unknown): UserCodeError | undefined {
  const stack = e instanceof Error ? (e.stack ?? '') : '';
  for (const compiled of evaluated) if (userLocation(compiled, stack)) return toUserCodeError(compiled, e);
  return undefined;
}

/** The first stack frame inside the user's bundle, mapped to the original file. */
function userLocation(
  compiled: CompiledFile,
  stack: string,
): { file: string; line: number; column: number } | undefined {
  const marker = `${BUNDLE_NAME}:${compiled.file}:`;
  let map: SourceMap | undefined;
  for (const line of stack.split('\n')) {
    const at = line.indexOf(marker);
    if (at < 0) continue;
    const m = /^(\d+):(\d+)/.exec(line.slice(at + marker.length));
    if (!m) continue;
    map ??= new SourceMap(JSON.parse(compiled.map) as SourceMapPayload);
    const entry = map.findEntry(Number(m[1]) - 1, Number(m[2]) - 1) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (!entry || entry.originalSource === undefined || entry.originalLine === undefined) continue;
    const source = entry.originalSource.startsWith('file://')
      ? new URL(entry.originalSource).pathname
      : path.resolve(path.dirname(compiled.file), entry.originalSource);
    return { file: source, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
  }
  return undefined;
}
