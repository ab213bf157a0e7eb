// The sweep commands: ▶ Sweep (its CodeLens, or the palette), the results
// view, cancel; and, at activation, this window's unfinished sweeps resumed.
import * as vscode from 'vscode';
import { findSweeps } from '../core/experiments/findSweeps';
import { listQueues } from '../core/sweeps/queue';
import { Log } from './log';
import { RunManager } from './runManager';
import { SWEEP_COMMAND, SWEEP_RESULTS_COMMAND, SweepRef } from './sweepLens';
import { SWEEP_VIEW_TYPE, SweepResultsPanel } from './sweepResultsPanel';
import { SweepManager } from './sweeps';
import { TrainingPanel } from './trainingPanel';
import { requireTrust } from './trust';
import { pickEngine } from './kerasTraining';
import type { KerasBackend } from '../core/export/tfPython';

export const CANCEL_SWEEP_COMMAND = 'resnetLab.cancelSweep';

async function pickSweep(): Promise<SweepRef | undefined> {
  const doc = vscode.window.activeTextEditor?.document;
  const found = doc ? findSweeps(doc.getText()) : [];
  if (!doc || !found.length) {
    void vscode.window.showInformationMessage(
      'ResNet Lab: open a model file with `export const name = sweep({ depth: [20, 56] }, (p) => experiment({...}))`.',
    );
    return undefined;
  }
  if (found.length === 1) return { file: doc.uri.fsPath, sweep: found[0].name };
  const pick = await vscode.window.showQuickPick(
    found.map((s) => ({ label: s.name, description: s.runs ? `${s.runs} runs` : '' })),
    { placeHolder: 'Which sweep?' },
  );
  return pick && { file: doc.uri.fsPath, sweep: pick.label };
}

export function registerSweeps(
  extensionUri: vscode.Uri,
  runs: RunManager,
  panel: TrainingPanel,
  log: Log,
  workspaceState: vscode.Memento,
): { sweeps: SweepManager; disposables: vscode.Disposable[] } {
  const sweeps = new SweepManager(runs, log, (run) => panel.showLive(run), {
    trainerScript: vscode.Uri.joinPath(extensionUri, 'dist', 'trainer.js').fsPath,
    log,
    follow: (runDir) => panel.showRunFolders([runDir]),
  });
  const results = new SweepResultsPanel(extensionUri, sweeps, log, workspaceState);
  /** Starts a sweep; on Keras, `backend` from a test or a script, else asked. Resolves with the sweep's id. */
  const start = async (ref?: SweepRef, engine?: 'keras', backend?: KerasBackend): Promise<string | undefined> => {
    if (!requireTrust('train')) return undefined;
    ref ??= await pickSweep();
    if (!ref) return undefined;
    const keras =
      engine !== 'keras'
        ? undefined
        : backend
          ? ({ engine: 'keras', backend } as const)
          : await pickEngine(ref.sweep, true);
    if (engine === 'keras' && keras?.engine !== 'keras') return undefined;
    const doc = vscode.workspace.textDocuments.find((t) => t.uri.fsPath === ref.file);
    if (doc?.isDirty) await doc.save();
    try {
      const id = await sweeps.start(ref.file, ref.sweep, {
        keras: keras?.engine === 'keras' ? keras.backend : undefined,
      });
      log.info(`sweep ${id}: started`);
      return id;
    } catch (e) {
      void vscode.window.showErrorMessage(`ResNet Lab: sweep ${ref.sweep}: ${(e as Error).message.split('\n')[0]}`);
      return undefined;
    }
  };
  /** The results of a sweep id, or of a sweep's latest queue (its CodeLens), or of the latest sweep. */
  const show = (arg?: SweepRef | string) => {
    const dir = sweeps.sweepsDir();
    const all = dir ? listQueues(dir) : [];
    const id =
      typeof arg === 'string'
        ? arg
        : all.find((q) => !arg || (q.queue.file === arg.file && q.queue.sweep === arg.sweep))?.queue.id;
    if (!id) return void vscode.window.showInformationMessage('ResNet Lab: this sweep has not run yet.');
    results.show(id);
  };
  const disposables = [
    sweeps,
    results,
    sweeps.onDidEnd((id) => {
      SweepResultsPanel.writeOutputs(sweeps, id);
      results.show(id);
    }),
    vscode.commands.registerCommand(SWEEP_COMMAND, (ref?: SweepRef) => start(ref)),
    vscode.commands.registerCommand('resnetLab.sweepKeras', (ref?: SweepRef, backend?: KerasBackend) =>
      start(ref, 'keras', backend),
    ),
    vscode.commands.registerCommand(SWEEP_RESULTS_COMMAND, show),
    vscode.window.registerWebviewPanelSerializer(SWEEP_VIEW_TYPE, {
      // Which sweep the view showed is kept by the host (workspaceState), not taken from the webview.
      deserializeWebviewPanel: async (webviewPanel) => results.restore(webviewPanel),
    }),
    vscode.commands.registerCommand(CANCEL_SWEEP_COMMAND, (id?: string) => {
      const running = sweeps.views().filter((v) => v.running);
      const target = id ?? running[0]?.id;
      if (target) sweeps.cancel(target);
    }),
  ];
  if (vscode.workspace.isTrusted) sweeps.resumeOwned();
  else disposables.push(vscode.workspace.onDidGrantWorkspaceTrust(() => sweeps.resumeOwned()));
  return { sweeps, disposables };
}
