// "Train ResNet" on the Keras engine: the exported train.py (src/core/export)
// on Keras 3's JAX or TensorFlow backend, on the devices its Python finds (a
// GPU when VS Code runs there, e.g. over Remote-SSH). The experiment is
// exported by a trainer process (the model file is workspace code), train.py
// runs as a child of the extension host writing a run folder in the
// workspace's runs folder, and the panel follows that folder like any other
// run. Cancelling the notification stops it with a checkpoint (SIGTERM).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startWorkers, WorkersResult } from '../core/export/kerasWorkers';
import { KerasBackend, kerasEngineLabel, KerasPython, probeKerasAsync } from '../core/export/tfPython';
import { readRunInfo } from '../core/runs/runFolder';
import type { ExperimentRef } from './codeLens';
import { runExport } from './exportKeras';
import { Log } from './log';
import { settings } from './settings';

let probe: Promise<KerasPython | { error: string }> | undefined;
/** The Keras engine's Python, probed once per window (jax/tensorflow and the default backend's devices). */
export const kerasPython = (): Promise<KerasPython | { error: string }> => (probe ??= probeKerasAsync());

export type EngineChoice = { engine: 'tfjs' } | { engine: 'keras'; backend: KerasBackend };

/** tfjs, or Keras on one of the backends found; undefined when the pick is dismissed. Only tfjs without a Keras Python. */
export async function pickEngine(experiment: string, kerasOnly = false): Promise<EngineChoice | undefined> {
  const found = await kerasPython();
  if ('error' in found) {
    if (kerasOnly) void vscode.window.showErrorMessage(`ResNet Lab: the Keras engine is not set up: ${found.error}`);
    return kerasOnly ? undefined : { engine: 'tfjs' };
  }
  const items: (vscode.QuickPickItem & { choice: EngineChoice })[] = [
    ...(kerasOnly
      ? []
      : [
          {
            label: 'TensorFlow.js',
            description: "this window's trainer (native backend or WASM)",
            choice: { engine: 'tfjs' } as EngineChoice,
          },
        ]),
    ...found.backends.map((backend) => ({
      label: `Keras 3 · ${kerasEngineLabel(found, backend)}`,
      description: `the exported train.py, Keras ${found.keras}`,
      choice: { engine: 'keras', backend } satisfies EngineChoice,
    })),
  ];
  return (await vscode.window.showQuickPick(items, { placeHolder: `Train ${experiment} on which engine?` }))?.choice;
}

export interface KerasTrainingDeps {
  trainerScript: string;
  log: Log;
  /** Opens the run folder in the panel, which follows it while train.py writes it. */
  follow: (runDir: string) => void;
}

/** Exports the experiment, trains it with train.py, and says how it ended; resolves with the run folder. */
export async function trainOnKeras(
  d: KerasTrainingDeps,
  ref: ExperimentRef,
  backend: KerasBackend,
): Promise<string | undefined> {
  const found = await kerasPython();
  if ('error' in found) {
    void vscode.window.showErrorMessage(`ResNet Lab: the Keras engine is not set up: ${found.error}`);
    return undefined;
  }
  const label = `Keras 3 · ${kerasEngineLabel(found, backend)}`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-keras-'));
  let runDir: string | undefined;
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `${ref.experiment} on ${label}`, cancellable: true },
      async (progress, token): Promise<WorkersResult | undefined> => {
        progress.report({ message: 'exporting the experiment…' });
        const project = path.join(tmp, 'project');
        await runExport({ trainerScript: d.trainerScript, log: d.log }, ref, project);
        if (token.isCancellationRequested) return undefined;
        const dataDir = settings.dataDir(ref.file);
        const args = [
          '--runs-dir',
          settings.runsDir(ref.file),
          '--grad-every',
          String(settings.gradientNormInterval()),
          ...(settings.distributionInterval() ? ['--dist-every', String(settings.distributionInterval())] : []),
          ...(dataDir ? ['--data-dir', dataDir] : []),
        ];
        const plan = {
          python: found.python,
          script: path.join(project, 'train.py'),
          args,
          backend,
          workers: 1,
          logDir: tmp,
        };
        const workers = await startWorkers(plan, (line) => {
          d.log.info(`train.py: ${line}`);
          if (line.startsWith('{"runDir"')) {
            runDir = (JSON.parse(line) as { runDir: string }).runDir;
            d.follow(runDir);
            progress.report({ message: 'training (Cancel stops it with a checkpoint)' });
          } else if (line.startsWith('epoch ')) progress.report({ message: line.replace(/\s+/g, ' ') });
        });
        token.onCancellationRequested(() => workers.stop('SIGTERM'));
        return workers.done;
      },
    );
    if (!result) return undefined;
    if (result.spawnError || result.failed) {
      const f = result.failed;
      const last = f?.lastLines[f.lastLines.length - 1] ?? result.spawnError ?? 'no output';
      if (f) d.log.error(`train.py failed (${f.signal ?? `exit ${f.code}`}):\n${f.lastLines.join('\n')}`);
      const choice = await vscode.window.showErrorMessage(
        `ResNet Lab: ${ref.experiment} on Keras failed: ${last}`,
        'Show Log',
      );
      if (choice) d.log.show();
      return runDir;
    }
    if (runDir) {
      const info = readRunInfo(runDir);
      const err = info.final?.testError;
      void vscode.window.showInformationMessage(
        `${ref.experiment} on ${label}: ${info.status} at iteration ${info.final?.iteration ?? 0}${err == null ? '' : `, test error ${(100 * err).toFixed(2)}%`}.`,
      );
    }
    return runDir;
  } catch (e) {
    const message = (e as Error).message;
    d.log.error(`${ref.experiment} on Keras: ${message}`);
    const choice = await vscode.window.showErrorMessage(`ResNet Lab: ${message.split('\n')[0]}`, 'Show Log');
    if (choice) d.log.show();
    return undefined;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
