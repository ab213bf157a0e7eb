// "Run Degradation Experiment": plain and residual nets, one after another,
// with one budget, data and seed; then the comparison opens in the panel.
import * as vscode from 'vscode';
import { BUDGETS, degradationRuns, finalTrainError, verdict } from '../core/experiments/degradation';
import { readMetrics } from '../core/runs/metricRecords';
import { LiveRun, RunManager } from './runManager';
import { settings } from './settings';
import { TrainingPanel } from './trainingPanel';
import { isLive } from '../protocol/webview';

function finished(runs: RunManager, run: LiveRun): Promise<LiveRun> {
  return new Promise((resolve) => {
    const check = () => {
      if (isLive(run.view.status)) return false;
      sub.dispose();
      resolve(run);
      return true;
    };
    const sub = runs.onDidUpdate(({ run: r }) => {
      if (r === run) check();
    });
    check();
  });
}

export async function runDegradationExperiment(
  runs: RunManager,
  panel: TrainingPanel,
  extensionUri: vscode.Uri,
): Promise<void> {
  const budget = await vscode.window.showQuickPick(
    Object.values(BUDGETS).map((b) => ({ label: b.name, description: b.description, budget: b })),
    {
      placeHolder: 'Budget per net (the same for all of them)',
    },
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
  const done: LiveRun[] = [];
  for (const experiment of degradationRuns(depths)) {
    const run = runs.train({
      file,
      experiment,
      runsDir: settings.runsDir(),
      backend: settings.backend(),
      overrides: {
        ...budget.budget.overrides,
        dataDir: settings.dataDir(),
        gradientNormEvery: settings.gradientNormInterval(),
        distributionEvery: settings.distributionInterval(),
        workers: settings.workers(),
        graph: settings.graph(),
      },
    });
    if (!run) return void vscode.window.showErrorMessage(`${experiment} is already training; try again when it ends.`);
    panel.showLive(run);
    const result = await finished(runs, run);
    if (result.view.status !== 'finished') {
      return void vscode.window.showErrorMessage(
        `Degradation experiment stopped: ${experiment} ${result.view.status}${result.view.message ? `: ${result.view.message}` : ''}`,
      );
    }
    done.push(result);
  }
  const dirs = done.map((r) => r.runDir!);
  panel.showRunFolders(dirs, `Degradation: plain vs ResNet, depths ${depths.join(', ')}`);
  const v = verdict(
    done.map((r) => ({
      experiment: r.view.experiment,
      trainError: finalTrainError(readMetrics(r.runDir!)),
      testError: r.view.finalTestError ?? null,
    })),
    depths,
  );
  void vscode.window.showInformationMessage(`Degradation experiment: ${v.text}`);
}
