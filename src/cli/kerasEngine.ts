// The Keras engine of the CLI: `export-keras` (the model built in a trainer
// process, see src/core/export and src/trainer/exportKeras.ts) and `train --engine keras --workers N`, which
// exports the experiment to a temporary project and runs its train.py as N
// processes on 127.0.0.1 (./kerasWorkers.ts): JAX processes through
// jax.distributed, or TensorFlow workers through TF_CONFIG, to try the
// multi-machine path before taking it to a cluster.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { KerasBackend } from '../core/export/tfPython';
import { readRunInfo } from '../core/runs/runFolder';
import { reportError } from './errors';
import { portTaken, runWorkers } from '../core/export/kerasWorkers';
import { runTrainer } from './runTrainer';
import type { LifecycleEvent } from '../protocol/trainer';

/**
 * Runs `exportExperiment` in a trainer process, as training builds a model: the
 * model file's code runs under --build-timeout there, and Ctrl-C is not stuck
 * behind it. Returns false (the error reported in one line) on failure.
 */
export async function exportProject(
  file: string,
  experiment: string,
  outDir: string,
  fromRun?: string,
  seed?: number,
): Promise<{ outDir: string; files: string[]; weightsFrom: string } | false> {
  const command = { type: 'export-keras' as const, file: path.resolve(file), experiment, outDir: path.resolve(outDir) };
  // Ctrl-C or SIGTERM while the model builds: the trainer is stopped and the caller cleans up (no worker yet).
  let interrupted: NodeJS.Signals | undefined;
  let stop = () => undefined as void;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted ??= signal;
    stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let result;
  try {
    result = await runTrainer(
      { ...command, ...(fromRun ? { fromRun: path.resolve(fromRun) } : {}), ...(seed !== undefined ? { seed } : {}) },
      () => undefined,
      (client) => (stop = () => client.kill()),
      (e): e is Extract<LifecycleEvent, { type: 'exported' }> => e.type === 'exported',
    );
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  const last = result.last;
  if (last?.type === 'exported') return last;
  if (interrupted) {
    reportError(`stopped by ${interrupted} while exporting ${experiment}: nothing was trained`);
    return false;
  }
  if (last?.type === 'failed') {
    const crashed = last.kind === 'crash';
    reportError(last.message, crashed && result.stderr.trim() ? `${last.message}\n\n${result.stderr}` : undefined);
  } else reportError('the trainer process ended before the export was written', `its last output:\n${result.stderr}`);
  return false;
}

export interface KerasTrainOptions {
  workers?: number;
  runsDir: string;
  json?: boolean;
  data?: string;
  epochs?: number;
  iterations?: number;
  batchSize?: number;
  lr?: number;
  warmupLr?: number;
  dataDir?: string;
  limitTrain?: number;
  limitTest?: number;
  seed?: number;
  gradEvery?: number;
  distEvery?: number;
  kerasBackend?: KerasBackend;
  precision?: 'fp32' | 'bf16';
  checkpointEvery?: number;
}

/** train.py's arguments for the CLI's overrides (the same names). */
function trainArgs(o: KerasTrainOptions): string[] {
  const pairs: [string, unknown][] = [
    ['--runs-dir', path.resolve(o.runsDir)],
    ['--epochs', o.epochs],
    ['--iterations', o.iterations],
    ['--batch-size', o.batchSize],
    ['--lr', o.lr],
    ['--warmup-lr', o.warmupLr],
    ['--data-dir', o.dataDir && path.resolve(o.dataDir)],
    ['--limit-train', o.limitTrain],
    ['--limit-test', o.limitTest],
    ['--seed', o.seed],
    ['--grad-every', o.gradEvery],
    ['--dist-every', o.distEvery],
    ['--precision', o.precision],
    ['--checkpoint-every', o.checkpointEvery],
  ];
  return pairs.filter(([, v]) => v !== undefined).flatMap(([k, v]) => [k, String(v)]);
}

/** Resolves with the run folder train.py wrote, or undefined once the failure is reported (a sweep goes on). */
export async function trainKeras(file: string, experiment: string, o: KerasTrainOptions): Promise<string | undefined> {
  if (o.data)
    return void reportError(
      '--data cannot change the data set of an exported Keras project: set it in the experiment (data: cifar10(), ...)',
    );
  // The seed decides the exported initial weights, as it decides tfjs' (train.py then finds them its own).
  return exportAndRun(
    { file, experiment, seed: o.seed },
    { workers: o.workers ?? 1, backend: o.kerasBackend, args: trainArgs(o), json: !!o.json },
  );
}

/**
 * `resume` of a Keras run: the experiment is exported again (the run's file
 * and experiment, as run.json names them) and its train.py continues the run
 * folder from the latest checkpoint with as many workers, on the backend it had.
 */
export async function resumeKeras(runDir: string, o: { json?: boolean; dataDir?: string }): Promise<void> {
  const info = readRunInfo(runDir) as ReturnType<typeof readRunInfo> & { workers?: number; kerasBackend?: string };
  if (info.status === 'running')
    return reportError(`run ${info.id} is still training (pid ${info.pid}): stop it first, or wait for it to end`);
  const args = ['--resume', path.resolve(runDir), ...(o.dataDir ? ['--data-dir', path.resolve(o.dataDir)] : [])];
  const backend = info.kerasBackend === 'jax' || info.kerasBackend === 'tensorflow' ? info.kerasBackend : 'tensorflow';
  await exportAndRun(
    { file: info.file, experiment: info.experiment, seed: info.recipe.seed },
    { workers: info.workers ?? 1, backend, args, json: !!o.json },
  );
}

/** True when run.json says the Keras engine wrote the run (train.py), so `resume` goes through Python. */
export function isKerasRun(runDir: string): boolean {
  try {
    return readRunInfo(runDir).backend === 'keras';
  } catch {
    return false;
  }
}

interface Launch {
  workers: number;
  backend?: KerasBackend;
  args: string[];
  json: boolean;
}

/** Exports the experiment to a temporary project and runs its train.py as `workers` processes on 127.0.0.1. */
async function exportAndRun(
  what: { file: string; experiment: string; seed?: number },
  launch: Launch,
): Promise<string | undefined> {
  const { probeKeras } = await import('../core/export/tfPython');
  const found = probeKeras();
  if ('error' in found) return void reportError(`--engine keras: ${found.error}`);
  const backend = launch.backend ?? found.backends[0];
  if (!found.backends.includes(backend))
    return void reportError(
      `--engine keras: ${found.python} cannot import ${backend} (it has ${found.backends.join(', ')}): pip install ${backend === 'jax' ? 'jax' : 'tensorflow-cpu'}`,
    );
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-keras-'));
  try {
    const project = path.join(tmp, 'project');
    if (!(await exportProject(what.file, what.experiment, project, undefined, what.seed))) return undefined;
    let runDir: string | undefined;
    const workers = launch.workers;
    const chief = (line: string) => {
      if (line.startsWith('{"runDir"')) {
        runDir = (JSON.parse(line) as { runDir: string }).runDir;
        if (!launch.json)
          console.error(
            `run folder: ${runDir} (keras on ${backend}, ${workers} process${workers > 1 ? 'es' : ''} on 127.0.0.1)`,
          );
      } else if (!launch.json && line.trim()) console.error(line);
    };
    const script = path.join(project, 'train.py');
    const plan = { python: found.python, script, args: launch.args, backend, workers, logDir: tmp };
    // The ports are chosen free, then bound by the workers: another program can take one in between. Then
    // (before any run folder exists) the workers start again on new ports, twice at most.
    const pinned = Number(process.env.RESNET_LAB_COORDINATOR_PORT) || undefined;
    let result = await runWorkers(plan, chief, pinned);
    for (let retry = 1; retry <= 2 && result.failed && !runDir && (await portTaken(result)); retry++) {
      console.error(
        `a port chosen for the workers was taken meanwhile: starting them again on new ports (${retry} of 2)`,
      );
      result = await runWorkers(plan, chief);
    }
    if (result.spawnError) return void reportError(result.spawnError);
    if (result.failed) {
      const f = result.failed;
      const how = f.signal ? `killed by ${f.signal}` : `exit ${f.code}`;
      const last = (await portTaken(result))
        ? 'the port chosen for its coordinator was taken by another program, three times'
        : (f.lastLines[f.lastLines.length - 1] ?? 'no output');
      return void reportError(
        `keras ${workers > 1 ? `process ${f.index} of ${workers}` : 'train.py'} failed (${how}): ${last}`,
        f.lastLines.join('\n'),
      );
    }
    if (!runDir)
      return void reportError(
        result.stoppedBy
          ? `stopped by ${result.stoppedBy} before the run folder was made`
          : `${found.python} ran train.py and exited without starting a run (no run folder was reported)`,
      );
    const info = readRunInfo(runDir);
    const f = info.final;
    if (launch.json)
      console.log(
        JSON.stringify({
          runDir,
          status: info.status,
          engine: 'keras',
          kerasBackend: backend,
          workers,
          iteration: f?.iteration,
          trainError: f?.trainError,
          testError: f?.testError,
        }),
      );
    else
      console.log(
        `${runDir}: ${info.status} at iteration ${f?.iteration}, test error ${f?.testError == null ? '-' : (100 * f.testError).toFixed(2) + '%'}`,
      );
    return runDir;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
