// What the trainer process does for one command: train, resume or describe.
// Runs in the trainer process only (it loads tfjs); reports through `emit`.
import * as tfjs from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as lib from '../core/lib';
import { UserCodeError } from '../core/compile/compileUserFile';
import { DataError, dataInfo } from '../core/data';
import { findExperiments } from '../core/experiments/findExperiments';
import { extractGraph, summarize } from '../core/graph/extract';
import { DataSpec } from '../core/lib/data';
import { ExperimentConfig, resolveRecipe, ResolvedRecipe } from '../core/lib/experiment';
import { withMemoryGuard } from '../core/compile/memoryGuard';
import { loadResumePoint } from '../core/runs/checkpoint';
import { isNoSpace, noSpaceMessage, RunFolderError } from '../core/runs/runErrors';
import { assertSelfContained } from '../core/runs/containment';
import { lockRun } from '../core/runs/runLock';
import { hasRunJson } from '../core/runs/runFiles';
import {
  createRunFolder,
  readRunInfo,
  RunInfo,
  truncateRecordsAfter,
  updateRunInfo,
  writeRunInfo,
} from '../core/runs/runFolder';
import { Control } from '../core/train/control';
import { DivergedError, plan, runTraining } from '../core/train/loop';
import { buildModelAwaited, LoadedExperiment, loadExperiment } from '../core/train/userModel';
import type { BackendChoice, Overrides, StepMode, TrainerEvent, TrainJob } from '../protocol/trainer';
import { lostParent } from './lifeline';
import { reportArchitectureChange, reportResumePoint } from './resumeChecks';
import { Emit, loadData, startBackend } from './setup';
import { runUserCodeTimed } from './userCode';

const tf = tfjs;
export type { Emit };

/** The user's model function (maybe async), with every weight sized before it is allocated (memoryGuard.ts). */
const build = (loaded: LoadedExperiment, info: Parameters<typeof buildModelAwaited>[2]): Promise<tfjs.LayersModel> =>
  buildModelAwaited(tf, loaded, info, (b) => withMemoryGuard(tf, b));

export function applyOverrides(config: ExperimentConfig, o: Overrides): ResolvedRecipe {
  const data: DataSpec = { ...resolveRecipe(config).data };
  if (o.data && o.data !== data.name) {
    data.name = o.data;
    delete data.dir;
  }
  if (o.dataDir) data.dir = o.dataDir;
  if (o.limitTrain) data.limitTrain = o.limitTrain;
  if (o.limitTest) data.limitTest = o.limitTest;
  // Resolved again with the data actually used: some defaults (flips) depend on it.
  const recipe = resolveRecipe({ ...config, data });
  return {
    ...recipe,
    data,
    epochs: o.epochs ?? recipe.epochs,
    iterations: o.epochs ? undefined : (o.iterations ?? recipe.iterations),
    batchSize: o.batchSize ?? recipe.batchSize,
    optimizer: { ...recipe.optimizer, lr: o.lr ?? recipe.optimizer.lr },
    schedule: o.warmup ? { ...recipe.schedule, warmup: o.warmup } : recipe.schedule,
    seed: o.seed ?? recipe.seed,
    gradientNormEvery: o.gradientNormEvery ?? recipe.gradientNormEvery,
    distributionEvery: o.distributionEvery ?? recipe.distributionEvery,
  };
}

/**
 * A batch larger than the training set trains with the whole set as its batch:
 * say so, and record the batch that is used (run.json's recipe), not the one
 * asked for (kept in its overrides).
 */
export function fitBatchToData(recipe: ResolvedRecipe, trainCount: number, emit: Emit): ResolvedRecipe {
  if (recipe.batchSize <= trainCount) return recipe;
  emit({
    type: 'log',
    level: 'warn',
    message: `batch size ${recipe.batchSize} is larger than the training set (${trainCount} examples): training with batches of ${trainCount}`,
  });
  return { ...recipe, batchSize: trainCount };
}

/** Maps any failure to a `failed` event a user can act on. */
export function failureEvent(e: unknown, file?: string, experiment?: string, runDir?: string): TrainerEvent {
  if (e instanceof UserCodeError) {
    let diagnostics = e.diagnostics;
    if (diagnostics.length === 0 && file && experiment) {
      // No frame in the user's code (e.g. a wrong input shape): point at the experiment.
      const line = (findExperiments(fs.readFileSync(file, 'utf8')).find((x) => x.name === experiment)?.line ?? 0) + 1;
      diagnostics = [{ file, line, column: 1, message: e.message }];
    }
    return { type: 'failed', kind: e.kind, message: e.message, diagnostics, runDir };
  }
  if (e instanceof DivergedError)
    return { type: 'failed', kind: 'diverged', message: e.message, diagnostics: [], runDir, iteration: e.iteration };
  if (e instanceof DataError) return { type: 'failed', kind: 'data', message: e.message, diagnostics: [], runDir };
  if (e instanceof RunFolderError) return { type: 'failed', kind: 'run', message: e.message, diagnostics: [], runDir };
  if (isNoSpace(e)) return { type: 'failed', kind: 'run', message: noSpaceMessage(e, runDir), diagnostics: [], runDir };
  const err = e instanceof Error ? e : new Error(String(e));
  return { type: 'failed', kind: 'crash', message: err.stack ?? err.message, diagnostics: [], runDir };
}

export async function describe(
  file: string,
  experiment: string,
  dataName: DataSpec['name'] | undefined,
  emit: Emit,
): Promise<void> {
  try {
    const backend = await startBackend('cpu', emit); // building a graph needs no fast backend
    const loaded = await runUserCodeTimed(emit, file, experiment, () => loadExperiment(tf, lib, file, experiment));
    const recipe = resolveRecipe(loaded.experiment.config);
    const name = dataName ?? recipe.data.name;
    // The shape of the data is all a diagram needs: don't load (or download) it.
    const info = dataInfo(name);
    const model = await runUserCodeTimed(emit, file, experiment, () => build(loaded, info));
    const graph = extractGraph(model);
    emit({ type: 'described', backend, summary: summarize(model, graph), graph });
    model.dispose();
  } catch (e) {
    emit(failureEvent(e, file, experiment));
  }
}

export async function train(job: TrainJob, control: Control, emit: Emit): Promise<void> {
  let runDir: string | undefined;
  let release: (() => void) | undefined;
  try {
    const backend = await startBackend(job.backend, emit);
    const loaded = await runUserCodeTimed(emit, job.file, job.experiment, () =>
      loadExperiment(tf, lib, job.file, job.experiment),
    );
    let recipe = applyOverrides(loaded.experiment.config, job.overrides);
    const dataset = await loadData(recipe.data, job.cacheDir, emit);
    recipe = fitBatchToData(recipe, dataset.train.count, emit);
    lib.setInitSeed(recipe.seed);
    const model = await runUserCodeTimed(emit, job.file, job.experiment, () => build(loaded, dataset.info));
    const graph = extractGraph(model);
    const summary = summarize(model, graph);
    // Only now, when nothing about the model can fail any more: no empty run folders.
    runDir = createRunFolder(job.runsDir, job.experiment);
    release = lockRun(runDir);
    const p = plan(recipe, dataset.train.count);
    const info: RunInfo = {
      id: path.basename(runDir),
      experiment: job.experiment,
      file: path.resolve(job.file),
      createdAt: new Date().toISOString(),
      status: 'running',
      pid: process.pid,
      host: os.hostname(),
      backend,
      recipe,
      overrides: job.overrides,
      ...(loaded.sweep ? { sweep: loaded.sweep } : {}),
      dataset: {
        name: recipe.data.name,
        source: dataset.source,
        train: dataset.train.count,
        test: dataset.test.count,
        validation: dataset.validation?.count,
        inputShape: dataset.info.inputShape,
        classNames: dataset.classNames,
      },
      summary,
      graph,
      ...p,
    };
    writeRunInfo(runDir, info);
    const dir = runDir;
    // 'started' waits for the stepper, so the run says how it trains (graph mode, eager, workers).
    const onMode = (mode: StepMode) => {
      updateRunInfo(dir, { mode });
      emit({
        type: 'started',
        runDir: dir,
        experiment: job.experiment,
        backend,
        mode,
        summary: info.summary,
        graph,
        epochs: p.epochs,
        iterationsPerEpoch: p.iterationsPerEpoch,
        totalIterations: p.totalIterations,
        startIteration: 0,
      });
    };
    const source = { file: job.file, experiment: job.experiment };
    await finish(
      runDir,
      await runTraining({
        tf,
        model,
        dataset,
        recipe,
        runDir,
        emit,
        control,
        workers: job.overrides.workers,
        graph: job.overrides.graph,
        onMode,
        source,
      }),
      emit,
    );
    model.dispose();
  } catch (e) {
    fail(e, job.file, job.experiment, runDir, emit);
  } finally {
    release?.();
  }
}

export async function resume(
  runDir: string,
  backendChoice: BackendChoice,
  cacheDir: string | undefined,
  control: Control,
  emit: Emit,
  graphChoice?: 'auto' | 'off',
): Promise<void> {
  let release: (() => void) | undefined;
  try {
    const info = readRunInfo(runDir);
    // readRunInfo says "running" only while its pid is alive; the lock also covers two resumes started at once.
    if (info.status === 'running' && info.pid !== process.pid)
      throw new RunFolderError(
        `run ${info.id} is still training (pid ${info.pid}): stop it first, or wait for it to end`,
      );
    assertSelfContained(runDir);
    release = lockRun(runDir);
    const backend = await startBackend(backendChoice, emit);
    // Evaluate the model file again so its custom layers are registered, then
    // take the architecture and weights from the checkpoint.
    const loaded = await runUserCodeTimed(emit, info.file, info.experiment, () =>
      loadExperiment(tf, lib, info.file, info.experiment),
    );
    const point = await loadResumePoint(tf, runDir);
    reportResumePoint(runDir, point, emit);
    const { model, state, optimizer } = point;
    const dataset = await loadData(info.recipe.data, cacheDir, emit);
    lib.setInitSeed(info.recipe.seed);
    await reportArchitectureChange(
      info.file,
      model,
      () => runUserCodeTimed(emit, info.file, info.experiment, () => build(loaded, dataset.info)),
      emit,
    );
    truncateRecordsAfter(runDir, state.iteration);
    updateRunInfo(runDir, { status: 'running', pid: process.pid, host: os.hostname(), backend, error: undefined });
    const onMode = (mode: StepMode) => {
      updateRunInfo(runDir, { mode });
      emit({
        type: 'started',
        runDir,
        experiment: info.experiment,
        backend,
        mode,
        summary: info.summary,
        graph: info.graph,
        epochs: info.epochs,
        iterationsPerEpoch: info.iterationsPerEpoch,
        totalIterations: info.totalIterations,
        startIteration: state.iteration,
      });
    };
    const source = { file: info.file, experiment: info.experiment };
    const run = {
      tf,
      model,
      dataset,
      recipe: info.recipe,
      runDir,
      emit,
      control,
      resumeFrom: { state, optimizer },
      workers: info.overrides?.workers,
      graph: graphChoice ?? info.overrides?.graph,
      onMode,
      source,
    };
    await finish(runDir, await runTraining(run), emit);
    model.dispose();
  } catch (e) {
    fail(e, undefined, undefined, hasRunJson(runDir) ? runDir : undefined, emit);
  } finally {
    release?.();
  }
}

async function finish(runDir: string, result: Awaited<ReturnType<typeof runTraining>>, emit: Emit): Promise<void> {
  // Stopped because the parent went away (CLI killed, window closed): nobody asked for it.
  const status = result.status === 'stopped' && lostParent() ? 'interrupted' : result.status;
  updateRunInfo(runDir, {
    status,
    pid: undefined,
    final: { iteration: result.iteration, trainError: result.trainError, testError: result.testError },
  });
  emit({
    type: 'finished',
    status: result.status,
    runDir,
    iteration: result.iteration,
    trainError: result.trainError,
    testError: result.testError,
  });
}

function fail(
  e: unknown,
  file: string | undefined,
  experiment: string | undefined,
  runDir: string | undefined,
  emit: Emit,
): void {
  // A folder this trainer made but could not even write run.json into (a full disk) is removed, not left empty.
  if (runDir && !(e instanceof RunFolderError) && !hasRunJson(runDir)) {
    fs.rmSync(runDir, { recursive: true, force: true });
    runDir = undefined;
  }
  const event = failureEvent(e, file, experiment, runDir);
  // A busy or damaged run folder is not this trainer's to mark.
  if (runDir && event.type === 'failed' && !(e instanceof RunFolderError)) {
    // Out of space the checkpoint is intact and the run resumable: interrupted, not failed.
    const status = event.kind === 'diverged' ? 'diverged' : isNoSpace(e) ? 'interrupted' : 'failed';
    try {
      updateRunInfo(runDir, { status, pid: undefined, error: event.message });
    } catch {
      // A full disk again: run.json keeps its last whole version ("running" with our pid, read as interrupted once we exit).
    }
  }
  emit(event);
}
