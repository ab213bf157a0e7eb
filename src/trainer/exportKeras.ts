// The trainer's `export-keras` command: the extension's "Export Experiment to
// Keras" builds the model here, in a trainer process, as the CLI does in its
// own (src/cli/kerasEngine.ts): the model file is workspace code and tfjs
// never loads in the extension host.
import * as tfjs from '@tensorflow/tfjs';
import * as lib from '../core/lib';
import { selectBackend } from '../core/backend/select';
import { exportExperiment } from '../core/export/exportExperiment';
import { Untranslatable } from '../core/export/kerasModel';
import { ExportError } from '../core/export/kerasProject';
import { fileErrorMessage } from '../core/runs/fileErrors';
import type { TrainerCommand, TrainerEvent } from '../protocol/trainer';
import { failureEvent } from './session';
import { runUserCodeTimed } from './userCode';

type ExportCommand = Extract<TrainerCommand, { type: 'export-keras' }>;

export async function exportKeras(c: ExportCommand, emit: (e: TrainerEvent) => void): Promise<void> {
  try {
    await selectBackend(tfjs, 'cpu'); // building the graph needs no fast backend
    const r = await runUserCodeTimed(emit, c.file, c.experiment, () =>
      exportExperiment(tfjs, lib, {
        file: c.file,
        experiment: c.experiment,
        outDir: c.outDir,
        fromRun: c.fromRun,
        seed: c.seed,
      }),
    );
    emit({ type: 'exported', outDir: r.outDir, files: r.files, weightsFrom: r.weightsFrom });
  } catch (e) {
    // One line naming the layer (Untranslatable) or what does not fit (ExportError); nothing was written.
    if (e instanceof Untranslatable)
      emit({
        type: 'failed',
        kind: 'export',
        message: `cannot export ${c.experiment} to Keras: ${e.message}`,
        diagnostics: [],
      });
    else if (e instanceof ExportError) emit({ type: 'failed', kind: 'export', message: e.message, diagnostics: [] });
    else if (fileErrorMessage(e, c.outDir))
      emit({ type: 'failed', kind: 'export', message: fileErrorMessage(e, c.outDir)!, diagnostics: [] });
    else emit(failureEvent(e, c.file, c.experiment));
  }
}
