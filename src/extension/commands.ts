// The command palette face of ResNet Lab. Commands that run workspace code
// (train, diagram) refuse in untrusted workspaces and say why.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { requireTrust } from './trust';
import { setupNative } from '../core/native/setupNative';
import { listRuns } from '../core/runs/runFolder';
import type { ExperimentRef } from './codeLens';
import { findWorkspaceExperiments } from './experimentIndex';
import { Log } from './log';
import { runDegradationExperiment } from './degradation';
import { runIdentityExperiment } from './identity';
import type { SweepManager } from './sweeps';
import { IdentityPanel } from './identityPanel';
import { exportExperimentToKeras } from './exportKeras';
import { kerasPython, pickEngine, trainOnKeras } from './kerasTraining';
import type { KerasBackend } from '../core/export/tfPython';
import { newExperimentSource } from './newExperiment';
import { markStepDone, WalkthroughStep } from './walkthroughProgress';
import { RunManager } from './runManager';
import { settings } from './settings';
import { TrainingPanel } from './trainingPanel';
import { isLive } from '../protocol/webview';

export interface CommandDeps {
  runs: RunManager;
  panel: TrainingPanel;
  log: Log;
  extensionUri: vscode.Uri;
  /** The window's sweeps: the degradation experiment is one. */
  sweeps: SweepManager;
}

/** False in Restricted Mode; the explanation is shown without waiting for the user. */
async function pickExperiment(placeHolder: string): Promise<ExperimentRef | undefined> {
  const all = await findWorkspaceExperiments();
  if (all.length === 0) {
    const choice = await vscode.window.showInformationMessage(
      'No experiments found in this workspace (export const name = experiment({ ... })).',
      'New ResNet Experiment',
    );
    if (choice) await vscode.commands.executeCommand('resnetLab.newExperiment');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    all.map((e) => ({
      label: e.experiment,
      description: `${vscode.workspace.asRelativePath(e.file)}:${e.line + 1}`,
      ref: { file: e.file, experiment: e.experiment },
    })),
    { placeHolder, matchOnDescription: true },
  );
  return picked?.ref;
}

async function pickRuns(
  runsDir: string,
  opts: { many: boolean; experiment?: string; placeHolder: string },
): Promise<string[]> {
  const runs = listRuns(runsDir).filter((r) => !opts.experiment || r.info.experiment === opts.experiment);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(
      `No runs${opts.experiment ? ` of ${opts.experiment}` : ''} in ${runsDir} yet.`,
    );
    return [];
  }
  const items = runs.map(({ dir, info }) => ({
    label: `${info.experiment}`,
    description: `${info.summary?.name ?? ''} · ${info.status} · test error ${info.final?.testError != null ? (100 * info.final.testError).toFixed(2) + '%' : '–'}`,
    detail: path.basename(dir),
    dir,
  }));
  if (!opts.many) {
    const one = await vscode.window.showQuickPick(items, { placeHolder: opts.placeHolder });
    return one ? [one.dir] : [];
  }
  const many = await vscode.window.showQuickPick(items, { placeHolder: opts.placeHolder, canPickMany: true });
  return many?.map((m) => m.dir) ?? [];
}

/** Ticks `step` when the action gave a result (a run id), and passes the result on. */
function markedDone<T>(step: WalkthroughStep, result: T | undefined): T | undefined {
  if (result !== undefined) markStepDone(step);
  return result;
}

export function registerCommands(d: CommandDeps): vscode.Disposable[] {
  const { runs, panel, log } = d;
  const kerasDeps = {
    trainerScript: vscode.Uri.joinPath(d.extensionUri, 'dist', 'trainer.js').fsPath,
    log,
    follow: (runDir: string) => panel.showRunFolders([runDir]),
  };
  const train = async (ref?: ExperimentRef): Promise<string | undefined> => {
    if (!requireTrust('train')) return undefined;
    // From the palette, the engine is asked too when a Keras Python is set up (probed while the user picks).
    const fromPalette = !ref;
    if (fromPalette) void kerasPython();
    ref ??= await pickExperiment('Train which experiment?');
    if (!ref) return undefined;
    const doc = vscode.workspace.textDocuments.find((t) => t.uri.fsPath === ref.file);
    if (doc?.isDirty) await doc.save();
    if (fromPalette) {
      const choice = await pickEngine(ref.experiment);
      if (!choice) return undefined;
      if (choice.engine === 'keras') return markedDone('train', await trainOnKeras(kerasDeps, ref, choice.backend));
    }
    const run = runs.train({
      file: ref.file,
      experiment: ref.experiment,
      runsDir: settings.runsDir(ref.file),
      backend: settings.backend(),
      overrides: {
        gradientNormEvery: settings.gradientNormInterval(),
        distributionEvery: settings.distributionInterval(),
        dataDir: settings.dataDir(ref.file),
        workers: settings.workers(),
        graph: settings.graph(),
      },
    });
    if (run) {
      markStepDone('train');
      panel.showLive(run);
    } else
      void vscode.window.showInformationMessage(
        `${ref.experiment} is already training; this run will start when it ends.`,
      );
    return run?.view.id;
  };
  /** Train ResNet on Keras: the exported train.py; `backend` from a test or a script, else asked. */
  const trainKeras = async (ref?: ExperimentRef, backend?: KerasBackend): Promise<string | undefined> => {
    if (!requireTrust('train')) return undefined;
    void kerasPython();
    ref ??= await pickExperiment('Train which experiment on Keras?');
    if (!ref) return undefined;
    const doc = vscode.workspace.textDocuments.find((t) => t.uri.fsPath === ref.file);
    if (doc?.isDirty) await doc.save();
    const choice = backend ? { engine: 'keras' as const, backend } : await pickEngine(ref.experiment, true);
    return choice?.engine === 'keras'
      ? markedDone('train', await trainOnKeras(kerasDeps, ref, choice.backend))
      : undefined;
  };
  const showDiagram = async (ref?: ExperimentRef) => {
    if (!requireTrust('build a model')) return;
    ref ??= await pickExperiment('Show the diagram of which experiment?');
    if (!ref) return;
    const r = ref;
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Building ${r.experiment}…` },
      async () => {
        try {
          panel.showDiagram(r, await runs.describe(r.file, r.experiment));
        } catch (e) {
          const choice = await vscode.window.showErrorMessage(
            `ResNet Lab: ${r.experiment}: ${(e as Error).message.split('\n')[0]}`,
            'Show Log',
          );
          if (choice) log.show();
        }
      },
    );
  };
  const stop = async () => {
    const live = runs.all.filter((r) => isLive(r.view.status));
    if (live.length === 0) return void vscode.window.showInformationMessage('No run is training.');
    const target =
      live.length === 1
        ? live[0]
        : (
            await vscode.window.showQuickPick(
              live.map((r) => ({ label: r.view.experiment, run: r })),
              { placeHolder: 'Stop which run?' },
            )
          )?.run;
    if (target) runs.control(target.view.id, 'stop');
  };
  const openRun = async () => {
    const dirs = await pickRuns(settings.runsDir(), { many: false, placeHolder: 'Open which run?' });
    if (dirs.length) panel.showRunFolders(dirs);
  };
  const compareRuns = async (ref?: ExperimentRef) => {
    const dirs = await pickRuns(settings.runsDir(ref?.file), {
      many: true,
      experiment: ref?.experiment,
      placeHolder: 'Compare which runs? (pick several)',
    });
    if (dirs.length) panel.showRunFolders(dirs);
  };
  const resumeRun = async () => {
    if (!requireTrust('train')) return;
    const dirs = await pickRuns(settings.runsDir(), { many: false, placeHolder: 'Resume which run?' });
    if (!dirs.length) return;
    const info = listRuns(settings.runsDir()).find((r) => r.dir === dirs[0])!.info;
    const run = runs.resumeRun(dirs[0], info.file, info.experiment, settings.backend());
    if (run) panel.showLive(run);
  };
  const newExperiment = async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder)
      return void vscode.window.showErrorMessage(
        'Open a folder first: the experiment file is written into the workspace.',
      );
    let file = path.join(folder.uri.fsPath, 'resnet-experiment.ts');
    for (let i = 2; fs.existsSync(file); i++) file = path.join(folder.uri.fsPath, `resnet-experiment-${i}.ts`);
    // No tsconfig.json: the extension's TypeScript server plugin (src/tsPlugin)
    // resolves the file's resnet-lab and tfjs imports in any workspace.
    fs.writeFileSync(file, newExperimentSource());
    markStepDone('experiment');
    await vscode.window.showTextDocument(vscode.Uri.file(file));
  };
  const setUpNative = async () => {
    const python = await vscode.window.showInputBox({
      prompt:
        'Python with TensorFlow (pip install tensorflow-cpu); leave empty to search python, python3, /usr/bin/python3',
      placeHolder: '/path/to/venv/bin/python',
    });
    if (python === undefined) return;
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'ResNet Lab: native backend', cancellable: false },
      async (progress) => {
        try {
          const r = await setupNative({
            python: python || undefined,
            log: (line) => {
              log.info(line);
              progress.report({ message: line.slice(0, 120) });
            },
          });
          const graph = r.graphAddon.ok
            ? ' Each training step runs as one TensorFlow graph.'
            : ` Graph mode is unavailable (${r.graphAddon.error}); training is eager.`;
          void vscode.window.showInformationMessage(
            `Native TensorFlow backend ready (TensorFlow ${r.tfVersion}).${graph} New runs use it when the backend setting is "auto" or "tensorflow".`,
          );
        } catch (e) {
          const choice = await vscode.window.showErrorMessage(
            `Native backend setup failed: ${(e as Error).message.split('\n')[0]}`,
            'Show Log',
          );
          log.error((e as Error).message);
          if (choice) log.show();
        }
      },
    );
  };
  const identityPanel = new IdentityPanel(d.extensionUri, log);
  return [
    identityPanel,
    vscode.commands.registerCommand('resnetLab.setupNative', setUpNative),
    vscode.commands.registerCommand(
      'resnetLab.identity',
      () => requireTrust('train') && runIdentityExperiment({ extensionUri: d.extensionUri, log, panel: identityPanel }),
    ),
    vscode.commands.registerCommand(
      'resnetLab.degradation',
      () =>
        requireTrust('train') &&
        (markStepDone('degradation'), runDegradationExperiment(d.sweeps, panel, d.extensionUri)),
    ),
    vscode.commands.registerCommand('resnetLab.train', train),
    vscode.commands.registerCommand('resnetLab.trainKeras', trainKeras),
    vscode.commands.registerCommand('resnetLab.stop', stop),
    vscode.commands.registerCommand('resnetLab.showDiagram', showDiagram),
    vscode.commands.registerCommand('resnetLab.openRun', openRun),
    vscode.commands.registerCommand('resnetLab.compareRuns', compareRuns),
    vscode.commands.registerCommand('resnetLab.resumeRun', resumeRun),
    vscode.commands.registerCommand('resnetLab.newExperiment', newExperiment),
    vscode.commands.registerCommand('resnetLab.exportKeras', (arg?: ExperimentRef | vscode.Uri) =>
      requireTrust("export a model to Keras (it builds the model file's model)")
        ? exportExperimentToKeras(
            { trainerScript: vscode.Uri.joinPath(d.extensionUri, 'dist', 'trainer.js').fsPath, log, pickExperiment },
            arg,
          )
        : undefined,
    ),
    vscode.commands.registerCommand('resnetLab.showPanel', async () => {
      if (runs.active) return panel.showLive(runs.active);
      if (!panel.reveal()) await openRun();
    }),
    vscode.commands.registerCommand('resnetLab.showLog', () => log.show()),
  ];
}
