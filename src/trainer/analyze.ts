// The `analyze` command: the lesion study (Veit et al. 2016), the layer
// responses (He et al. 2015, Fig. 7) or the gradient by path length (Veit et
// al. 2016, Fig. 6) of a finished run, computed in the
// trainer process from one of its checkpoints. The result is emitted as a
// `lesion` / `responses` / `paths` event and written to the run folder
// (lesion.json / responses.json / paths.json) for the UI to show later; a lesion request
// for one set of blocks (`lesioned`) is only emitted, it does not replace the
// stored study.
import * as tfjs from '@tensorflow/tfjs';
import * as path from 'node:path';
import * as lib from '../core/lib';
import { AnalysisError, lesionStudy, testData } from '../core/analysis/lesion';
import { pathGradients } from '../core/analysis/paths';
import { responseStudy } from '../core/analysis/responses';
import { loadCheckpoint } from '../core/runs/checkpoint';
import { runUserCodeTimed } from './userCode';
import { writeLesion, writePaths, writeResponses } from '../core/runs/analyses';
import { modelCodeRefusal } from '../core/runs/modelCode';
import { RunFolderError } from '../core/runs/runErrors';
import { hasRunJson } from '../core/runs/runFiles';
import { readRunInfo } from '../core/runs/runFolder';
import { loadExperiment } from '../core/train/userModel';
import type { TrainerCommand } from '../protocol/trainer';
import { failureEvent } from './session';
import { Emit, loadData, startBackend } from './setup';

const tf = tfjs;

export type AnalyzeCommand = Extract<TrainerCommand, { type: 'analyze' }>;

/** Test images the responses are measured on, unless the command says otherwise. */
export const DEFAULT_RESPONSE_EXAMPLES = 500;
/** Test images each path's gradient is averaged over: every configuration sees the same ones. */
export const DEFAULT_PATH_EXAMPLES = 32;

async function loadModel(
  runDir: string,
  kind: 'latest' | 'best',
  file: string,
  experiment: string,
  codeRoots: string[] | undefined,
  emit: Emit,
) {
  try {
    return await loadCheckpoint(tf, runDir, kind);
  } catch (e) {
    // A model with custom layers loads only once its file has registered them.
    if (/no .* checkpoint/.test((e as Error).message)) throw e;
    const why = (e as Error).message.split('\n')[0];
    const refusal = modelCodeRefusal(file, codeRoots);
    if (refusal)
      throw new RunFolderError(`${runDir}: its checkpoint cannot be read without model code (${why}); ${refusal}`);
    emit({ type: 'log', level: 'info', message: `loading ${path.basename(file)} for its custom layers (${why})` });
    await runUserCodeTimed(emit, file, experiment, () => loadExperiment(tf, lib, file, experiment));
    return loadCheckpoint(tf, runDir, kind);
  }
}

export async function analyze(command: AnalyzeCommand, emit: Emit, shouldStop?: () => boolean): Promise<void> {
  const { runDir } = command;
  let info;
  try {
    info = readRunInfo(runDir);
    await startBackend(command.backend, emit);
    const kind = command.checkpoint ?? 'latest';
    const { model, state } = await loadModel(runDir, kind, info.file, info.experiment, command.codeRoots, emit);
    const dataset = await loadData(info.recipe.data, command.cacheDir, emit);
    const stamp = { checkpoint: kind, iteration: state.iteration, computedAt: new Date().toISOString() };
    try {
      if (command.analysis === 'lesion') {
        const data = testData(dataset, command.examples);
        let lastLog = 0;
        const result = await lesionStudy(tf, model, data, {
          draws: command.draws,
          seed: info.recipe.seed,
          lesioned: command.lesioned,
          shouldStop,
          onProgress: (done, total) => {
            if (done < total && Date.now() - lastLog < 2000) return;
            lastLog = Date.now();
            emit({ type: 'log', level: 'info', message: `lesion study: ${done}/${total} evaluations` });
          },
        });
        if (!command.lesioned) writeLesion(runDir, result, stamp);
        emit({ type: 'lesion', runDir, result });
      } else if (command.analysis === 'paths') {
        const data = testData(dataset, command.examples ?? DEFAULT_PATH_EXAMPLES);
        let lastLog = 0;
        const result = await pathGradients(tf, model, data, {
          samples: command.samples,
          seed: info.recipe.seed,
          graph: command.graph,
          onMode: (_, why) => emit({ type: 'log', level: 'info', message: `gradient by path length: ${why}` }),
          shouldStop,
          onProgress: (done, total) => {
            if (done < total && Date.now() - lastLog < 2000) return;
            lastLog = Date.now();
            emit({ type: 'log', level: 'info', message: `gradient by path length: ${done}/${total} paths measured` });
          },
        });
        writePaths(runDir, result, stamp);
        emit({ type: 'paths', runDir, result });
      } else {
        const data = testData(dataset, command.examples ?? DEFAULT_RESPONSE_EXAMPLES);
        const result = await responseStudy(tf, model, data);
        writeResponses(runDir, result, stamp);
        emit({ type: 'responses', runDir, result });
      }
    } finally {
      model.dispose();
    }
  } catch (e) {
    const hasRun = hasRunJson(runDir) ? runDir : undefined;
    if (e instanceof AnalysisError)
      emit({ type: 'failed', kind: 'crash', message: e.message, diagnostics: [], runDir: hasRun });
    else emit(failureEvent(e, info?.file, info?.experiment, hasRun));
  }
}
