// The "Training" view in the ResNet Lab activity-bar container: mini curves of
// the active run and the recent runs of the workspace with their final errors.
import * as vscode from 'vscode';
import { parseWebviewMessage } from '../protocol/webview';
import { Log } from './log';
import { RunManager } from './runManager';
import { recentRuns } from './runViews';
import type { RunView } from '../protocol/webview';
import { TrainingPanel } from './trainingPanel';
import { localResourceRoots, webviewHtml } from './webviewHtml';

export const SIDEBAR_VIEW_ID = 'resnetLab.trainingView';

export class SidebarView implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private onDisk: RunView[] = [];
  private diskReadAt = 0;
  private statuses = '';
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly runs: RunManager,
    private readonly panel: TrainingPanel,
    private readonly runsDir: () => string | undefined,
    private readonly log: Log,
  ) {
    this.disposables.push(runs.onDidUpdate(() => this.refresh()));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    view.webview.options = { enableScripts: true, localResourceRoots: localResourceRoots(this.extensionUri) };
    view.webview.html = webviewHtml(view.webview, this.extensionUri, 'sidebar.js', 'ResNet Lab runs');
    view.webview.onDidReceiveMessage((raw) => {
      const msg = parseWebviewMessage(raw);
      if (!msg) return this.log.error(`ignored an invalid message from the side view: ${JSON.stringify(raw).slice(0, 200)}`);
      if (msg.method === 'webview/ready') { this.ready = true; this.refresh(); }
      else if (msg.method === 'run/open' || msg.method === 'runs/compare') this.panel.openRequested(msg);
      else if (msg.method === 'run/control') this.runs.control(msg.params.id, msg.params.action);
    }, undefined, this.disposables);
    view.onDidChangeVisibility(() => view.visible && this.refresh(), undefined, this.disposables);
  }

  refresh(): void {
    if (!this.view || !this.ready || !this.view.visible) return;
    // Run folders are re-read only when a run changes state or every 10 s, not
    // on every batch of iterations: the extension host must stay responsive.
    const statuses = this.runs.all.map((r) => `${r.view.id}:${r.view.status}:${r.view.runDir ?? ''}`).join('|');
    if (statuses !== this.statuses || Date.now() - this.diskReadAt > 10_000) {
      const dir = this.runsDir();
      this.onDisk = dir ? recentRuns(dir) : [];
      this.diskReadAt = Date.now();
      this.statuses = statuses;
    }
    const onDisk = this.onDisk;
    // Live runs replace their on-disk entry (run.json lags behind the events).
    const live = this.runs.all.filter((r) => r.view.runDir).map((r) => r.view);
    const recent = [...live.reverse(), ...onDisk.filter((d) => !live.some((l) => l.runDir === d.runDir))].slice(0, 20);
    const active = this.runs.active;
    // What the view lists is what it may ask to open.
    this.panel.known.allowViews(recent);
    void this.view.webview.postMessage({
      method: 'sidebar/update',
      params: { active: active?.view, activeMetrics: active ? active.metrics.slice(-2000) : [], recent },
    });
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}
