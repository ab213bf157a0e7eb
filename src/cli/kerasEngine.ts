// The Keras engine of the CLI: `export-keras` (the model built in this
// process, see src/core/export) and `train --engine keras --workers N`, which
// exports the experiment to a temporary project and runs its train.py as N
// MultiWorkerMirroredStrategy workers on 127.0.0.1 (TF_CONFIG per worker), to
// try the multi-machine path before taking it to a cluster.
import { spawn, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { readRunInfo } from '../core/runs/runFolder';
import { reportError } from './errors';

/** Runs `exportExperiment` in this process; returns false (the error reported in one line) on failure. */
export async function exportInProcess(
  file: string,
  experiment: string,
  outDir: string,
  fromRun?: string,
): Promise<{ outDir: string; files: string[]; weights: number; weightsFrom: string } | false> {
  // Loaded only here: the other commands leave tfjs to the trainer process.
  const tf = await import('@tensorflow/tfjs');
  tf.env().set('PROD', true); // no "install tfjs-node" banner: the cpu backend only builds the graph here
  await tf.setBackend('cpu');
  const [lib, { exportExperiment }, { Untranslatable }, { ExportError }, { UserCodeError }, { RunFolderError }] =
    await Promise.all([
      import('../core/lib'),
      import('../core/export/exportExperiment'),
      import('../core/export/kerasModel'),
      import('../core/export/kerasProject'),
      import('../core/compile/compileUserFile'),
      import('../core/runs/runErrors'),
    ]);
  try {
    return await exportExperiment(tf, lib, { file: path.resolve(file), experiment, outDir, fromRun });
  } catch (e) {
    const err = e as Error;
    if (e instanceof Untranslatable) reportError(`cannot export ${experiment} to Keras: ${err.message}`);
    else
      reportError(
        err.message,
        e instanceof ExportError || e instanceof UserCodeError || e instanceof RunFolderError ? undefined : err.stack,
      );
    return false;
  }
}

/** Free TCP ports on 127.0.0.1 for the workers (asked of the OS, then released for TensorFlow to bind). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const s = net.createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
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
  ];
  return pairs.filter(([, v]) => v !== undefined).flatMap(([k, v]) => [k, String(v)]);
}

export async function trainKeras(file: string, experiment: string, o: KerasTrainOptions): Promise<void> {
  if (o.data)
    return reportError(
      '--data cannot change the data set of an exported Keras project: set it in the experiment (data: cifar10(), ...)',
    );
  await exportAndRun(file, experiment, o.workers ?? 1, trainArgs(o), !!o.json);
}

/**
 * `resume` of a Keras run: the experiment is exported again (the run's file
 * and experiment, as run.json names them) and its train.py continues the run
 * folder from the latest checkpoint with as many workers as it had.
 */
export async function resumeKeras(runDir: string, o: { json?: boolean; dataDir?: string }): Promise<void> {
  const { readRunInfo } = await import('../core/runs/runFolder');
  const info = readRunInfo(runDir) as ReturnType<typeof readRunInfo> & { workers?: number };
  if (info.status === 'running')
    return reportError(`run ${info.id} is still training (pid ${info.pid}): stop it first, or wait for it to end`);
  const args = ['--resume', path.resolve(runDir), ...(o.dataDir ? ['--data-dir', path.resolve(o.dataDir)] : [])];
  await exportAndRun(info.file, info.experiment, info.workers ?? 1, args, !!o.json);
}

/** True when run.json says the Keras engine wrote the run (train.py), so `resume` goes through Python. */
export function isKerasRun(runDir: string): boolean {
  try {
    return readRunInfo(runDir).backend === 'keras';
  } catch {
    return false;
  }
}

/** Exports the experiment to a temporary project and runs its train.py as `workers` processes on 127.0.0.1. */
async function exportAndRun(
  file: string,
  experiment: string,
  workers: number,
  args: string[],
  json: boolean,
): Promise<void> {
  const { kerasUnavailable, tfPython } = await import('../core/export/tfPython');
  const why = kerasUnavailable();
  if (why) return reportError(`--engine keras: ${why}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-keras-'));
  const children: ChildProcess[] = [];
  const stop = () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  };
  process.once('SIGINT', stop);
  try {
    const project = path.join(tmp, 'project');
    if (!(await exportInProcess(file, experiment, project))) return;
    const ports = await freePorts(workers);
    const cluster = { worker: ports.map((p) => `127.0.0.1:${p}`) };
    const logs = ports.map((_, i) => path.join(tmp, `worker-${i}.log`));
    let runDir: string | undefined;
    const codes = await Promise.all(
      ports.map(
        (_, i) =>
          new Promise<number | null>((resolve) => {
            // One worker needs no cluster: MultiWorkerMirroredStrategy then runs on its own.
            const env = {
              ...process.env,
              TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? '2',
              ...(workers > 1 ? { TF_CONFIG: JSON.stringify({ cluster, task: { type: 'worker', index: i } }) } : {}),
            };
            const child = spawn(tfPython(), [path.join(project, 'train.py'), ...args], {
              env,
              stdio: ['ignore', 'pipe', 'pipe'],
            });
            children.push(child);
            const log = fs.createWriteStream(logs[i]);
            child.stderr!.pipe(log);
            let pending = '';
            child.stdout!.on('data', (d: Buffer) => {
              if (i !== 0) return; // the chief reports; the others' progress is the same
              pending += d.toString();
              const lines = pending.split('\n');
              pending = lines.pop()!;
              for (const line of lines) {
                if (line.startsWith('{"runDir"')) {
                  runDir = (JSON.parse(line) as { runDir: string }).runDir;
                  if (!json)
                    console.error(
                      `run folder: ${runDir} (keras, ${workers} worker${workers > 1 ? 's' : ''} on 127.0.0.1)`,
                    );
                } else if (!json && line.trim()) console.error(line);
              }
            });
            child.on('exit', (code) => {
              log.end();
              // A worker that fails leaves the others waiting for it in a collective: stop them.
              if (code !== 0) stop();
              resolve(code);
            });
            child.on('error', () => resolve(-1));
          }),
      ),
    );
    const failed = codes.findIndex((c) => c !== 0);
    if (failed >= 0) {
      const lines = fs
        .readFileSync(logs[failed], 'utf8')
        .trim()
        .split('\n')
        .filter((l) => !/oneDNN|absl::InitializeLog/.test(l));
      return reportError(
        `keras worker ${failed} failed (exit ${codes[failed]}): ${lines.pop() ?? 'no output'}`,
        lines.slice(-40).join('\n'),
      );
    }
    const { readRunInfo } = await import('../core/runs/runFolder');
    const info = readRunInfo(runDir!);
    const f = info.final;
    if (json)
      console.log(
        JSON.stringify({
          runDir,
          status: info.status,
          engine: 'keras',
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
  } finally {
    process.removeListener('SIGINT', stop);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
