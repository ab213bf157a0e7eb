// From a model file to its identity experiment: compile, run with the
// trainer's tf and resnet-lab injected, pick the export. Failures point into
// the user's file, as for `experiment(...)` (src/core/train/userModel.ts).
import type * as tfjs from '@tensorflow/tfjs';
import { compileUserFile, CompiledFile, UserCodeError } from '../compile/compileUserFile';
import { evaluateModule } from '../compile/evaluate';
import { IdentityExperiment, isIdentityExperiment } from '../lib/identity';

export interface LoadedIdentityExperiment {
  compiled: CompiledFile;
  name: string;
  experiment: IdentityExperiment;
}

/** `name`: the export to run; none: the file's only identity experiment. */
export async function loadIdentityExperiment(
  tf: typeof tfjs,
  lib: unknown,
  file: string,
  name?: string,
): Promise<LoadedIdentityExperiment> {
  const compiled = await compileUserFile(file);
  const exports = evaluateModule(compiled, { 'resnet-lab': lib, '@tensorflow/tfjs': tf });
  const found = Object.keys(exports).filter((k) => isIdentityExperiment(exports[k]));
  const fail = (message: string) =>
    new UserCodeError(`${file}: ${message}`, 'build', [{ file, line: 1, column: 1, message }]);
  if (name === undefined) {
    if (found.length === 1) name = found[0];
    else if (found.length === 0)
      throw fail('exports no identity experiment: export const identity = identityExperiment({ ... })');
    else throw fail(`exports ${found.length} identity experiments (${found.join(', ')}): name one with --experiment`);
  }
  const value = exports[name];
  if (!isIdentityExperiment(value))
    throw fail(
      value === undefined
        ? `no export named "${name}" (identity experiments here: ${found.join(', ') || 'none'})`
        : `"${name}" is not an identity experiment: export it as identityExperiment({ ... })`,
    );
  return { compiled, name, experiment: value };
}
