// "Run Degradation Experiment": the sweep shipped in
// media/experiments/degradation.ts, run as any sweep is (its queue, the side
// view's progress, the results view), with one budget for every net and the
// depths asked for; when it ends, the curves side by side and the verdict.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { BUDGETS, degradationRuns, finalTrainError, verdict } from '../core/experiments/degradation';
import { readMetrics } from '../core/runs/metricRecords';
import { settings } from './settings';
import { SweepManager } from './sweeps';
import { TrainingPanel } from './trainingPanel';

export async function runDegradationExperiment(
  sweeps: SweepManager,
  panel: TrainingPanel,
  extensionUri: vscode.Uri,
): Promise<void> {
  const budget = await vscode.window.showQuickPick(
    Object.values(BUDGETS).map((b) => ({ label: b.name, description: b.description, budget: b })),
    { placeHolder: 'Budget per net (the same for all of them)' },
  );
  if (!budget) return;
  const depthText = await vscode.window.showInputBox({
    prompt: 'Depths to compare (plain and ResNet of each): 20, 32, 44, 56, 110',
    value: '20, 56',
    validateInput: (v) => {
      try {
        degradationRuns(v.split(',').map((d) => Number(d.trim())));
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    },
  });
  if (!depthText) return;
  const depths = depthText.split(',').map((d) => Number(d.trim()));
  const file = vscode.Uri.joinPath(extensionUri, 'media', 'experiments', 'degradation.ts').fsPath;
  let id: string;
  try {
    id = await sweeps.start(file, 'degradation', {
      only: { depth: depths.map(String) },
      overrides: { ...budget.budget.overrides, dataDir: settings.dataDir() },
    });
  } catch (e) {
    return void vscode.window.showErrorMessage(`Degradation experiment: ${(e as Error).message.split('\n')[0]}`);
  }
  const ended = await new Promise<string>((resolve) => {
    const sub = sweeps.onDidEnd((e) => e === id && (sub.dispose(), resolve(e)));
  });
  const queue = sweeps.queue(ended);
  if (!queue) return;
  const failed = queue.runs.find((r) => r.status !== 'finished' || !r.runDir);
  if (failed)
    return void vscode.window.showErrorMessage(
      `Degradation experiment stopped: ${String(failed.params.net)}${String(failed.params.depth)} ${failed.status}${failed.message ? `: ${failed.message}` : ''}`,
    );
  const dirs = queue.runs.map((r) => r.runDir!);
  panel.showRunFolders(dirs, `Degradation: plain vs ResNet, depths ${depths.join(', ')}`);
  const v = verdict(
    queue.runs.map((r) => ({
      experiment: `${String(r.params.net)}${String(r.params.depth)}`,
      trainError: finalTrainError(readMetrics(r.runDir!)),
      testError: r.testError ?? null,
    })),
    depths,
  );
  void vscode.window.showInformationMessage(`Degradation experiment (${path.basename(queue.id)}): ${v.text}`);
}
