// "$(pulse) resnet20 · epoch 3/10 · 12.4% err": the running experiment at a
// glance; clicking reveals the training panel.
import * as vscode from 'vscode';
import { RunManager } from './runManager';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('resnetLab.status', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[];

  constructor(runs: RunManager) {
    this.item.name = 'ResNet Lab';
    this.item.command = 'resnetLab.showPanel';
    const update = () => {
      const run = runs.active;
      if (!run) return this.item.hide();
      // The records are the run folder's, as the side view and the panel read them.
      const latest = run.runDir ? runs.folders.latest(run.runDir) : {};
      const last = latest.last ?? latest.lastEpoch;
      const lastTest = latest.lastEpoch?.testError;
      const epoch = last ? `epoch ${last.epoch}/${run.view.epochs ?? '?'}` : run.view.status;
      const err =
        lastTest !== undefined
          ? ` · test ${(100 * lastTest).toFixed(1)}%`
          : last?.trainError !== undefined
            ? ` · train ${(100 * last.trainError).toFixed(1)}%`
            : '';
      this.item.text = `$(${run.view.status === 'paused' ? 'debug-pause' : 'pulse'}) ${run.view.experiment} · ${epoch}${err}`;
      this.item.tooltip = `ResNet Lab: ${run.view.experiment} is ${run.view.status}. Click to show the training panel.`;
      this.item.show();
    };
    this.subscriptions = [runs.onDidUpdate(update), runs.folders.onDidChange(update)];
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
