// The training panel: live curves, counters, Stop/Pause/Resume, and the layer
// diagram; or several runs overlaid for comparison; or a diagram alone.
// One panel per window; it remembers which run folders it shows, so VS Code
// restores it after a reload (WebviewPanelSerializer).
import * as vscode from 'vscode';
import * as path from 'node:path';
import { listRuns } from '../core/runs/runFolder';
import type { DiagramData, GradientRecordView, HostMessage, MetricRecordView, RunAnalyses, RunView, WebviewMessage } from '../protocol/webview';
import { KnownRuns } from './knownRuns';
import type { LesionResult, ResponsesResult } from '../protocol/trainer';
import { parseWebviewMessage } from '../protocol/webview';
import { Log } from './log';
import { LiveRun, RunManager } from './runManager';
import { exportRun } from './exporter';
import { comparisonFlags, loadRunFolder, readAnalyses } from './runViews';
import { settings } from './settings';
import { localResourceRoots, webviewHtml } from './webviewHtml';

export const PANEL_VIEW_TYPE = 'resnetLab.training';

interface Shown { title: string; runIds: string[]; runDirs: string[]; diagram?: DiagramData }

export class TrainingPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private shown: Shown | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Runs webviews may ask to open (by id): those the host showed them or the user picked. */
  readonly known = new KnownRuns();

  constructor(private readonly extensionUri: vscode.Uri, private readonly runs: RunManager, private readonly log: Log, private readonly maxPoints: () => number) {
    this.disposables.push(runs.onDidUpdate(({ run, newRecords, newGradients }) => {
      if (!this.shown?.runIds.includes(run.view.id)) return;
      if (run.view.runDir && !this.shown.runDirs.includes(run.view.runDir)) {
        this.shown.runDirs.push(run.view.runDir);
        this.saveState();
        if (run.diagram && !this.shown.diagram) { this.shown.diagram = run.diagram; this.post({ method: 'diagram/show', params: run.diagram }); }
      }
      this.post({ method: 'run/update', params: { run: run.view } });
      if (newRecords.length) this.post({ method: 'run/metrics', params: { id: run.view.id, records: newRecords } });
      if (newGradients.length) this.post({ method: 'run/gradients', params: { id: run.view.id, records: newGradients } });
    }));
  }

  get visible(): boolean { return !!this.panel?.visible; }

  showLive(run: LiveRun): void {
    this.show({ title: `Training: ${run.view.experiment}`, runIds: [run.view.id], runDirs: run.view.runDir ? [run.view.runDir] : [], diagram: run.diagram });
  }

  /** A webview's `run/open` / `runs/compare`: only runs the host offered, by id; anything else is refused and logged. */
  openRequested(msg: Extract<WebviewMessage, { method: 'run/open' | 'runs/compare' }>): void {
    const ids = msg.method === 'run/open' ? [msg.params.id] : msg.params.ids;
    const dirs = this.known.resolveAll(ids);
    if (dirs.length < ids.length) this.log.error(`ignored a request to open runs the host never listed: ${JSON.stringify(ids.filter((id) => !this.known.resolve(id))).slice(0, 300)}`);
    if (dirs.length) this.showRunFolders(dirs);
  }

  showRunFolders(runDirs: string[], title?: string): void {
    for (const d of runDirs) this.known.allow(d, d);
    const live = runDirs.map((d) => this.runs.all.find((r) => r.view.runDir === d));
    const ids = runDirs.map((d, i) => live[i]?.view.id ?? d);
    const first = runDirs.length === 1 ? safeLoad(runDirs[0]) : undefined;
    this.show({ title: title ?? (runDirs.length > 1 ? `Compare ${runDirs.length} runs` : `Run: ${first?.run.experiment ?? runDirs[0]}`), runIds: ids, runDirs, diagram: first?.diagram });
  }

  showDiagram(title: string, diagram: DiagramData): void {
    this.show({ title, runIds: [], runDirs: [], diagram });
  }

  /** Called by the serializer after a window reload. */
  restore(panel: vscode.WebviewPanel, state: { runDirs?: string[] } | undefined): void {
    this.adopt(panel);
    // The saved state comes back from the webview: reopen only folders that are runs of this workspace.
    const ours = new Set(listRuns(settings.runsDir()).map((r) => path.resolve(r.dir)));
    const dirs = (state?.runDirs ?? []).filter((d) => typeof d === 'string' && ours.has(path.resolve(d)));
    if (dirs.length) this.showRunFolders(dirs);
  }

  /** Shows the panel again with what it last showed; false when it never showed anything. */
  reveal(): boolean {
    if (this.panel) {
      this.panel.reveal(undefined, true);
      return true;
    }
    if (!this.shown) return false;
    this.show(this.shown);
    return true;
  }

  private show(shown: Shown): void {
    this.shown = shown;
    if (!this.panel) {
      this.adopt(vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, shown.title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
        enableScripts: true, retainContextWhenHidden: true, localResourceRoots: localResourceRoots(this.extensionUri),
      }));
    } else {
      this.panel.reveal(undefined, true);
    }
    this.panel!.title = shown.title;
    this.saveState();
    if (this.ready) this.sendAll();
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.svg');
    panel.webview.options = { enableScripts: true, localResourceRoots: localResourceRoots(this.extensionUri) };
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'panel.js', 'ResNet Lab');
    panel.webview.onDidReceiveMessage((raw) => this.onMessage(raw), undefined, this.disposables);
    panel.onDidDispose(() => { this.panel = undefined; this.ready = false; }, undefined, this.disposables);
  }

  private onMessage(raw: unknown): void {
    const msg = parseWebviewMessage(raw);
    if (!msg) {
      this.log.error(`ignored an invalid message from the training panel: ${JSON.stringify(raw).slice(0, 200)}`);
      return;
    }
    switch (msg.method) {
      case 'webview/ready':
        this.ready = true;
        this.saveState();
        this.sendAll();
        break;
      case 'run/control':
        this.runs.control(msg.params.id, msg.params.action);
        break;
      case 'run/open':
      case 'runs/compare':
        this.openRequested(msg);
        break;
      case 'analysis/run':
        void this.analyze(msg.params.id, msg.params.analysis, msg.params.lesioned);
        break;
      case 'export':
        void this.export(msg.params.format, msg.params.chart, msg.params.dataUrl);
        break;
    }
  }

  private async export(format: Parameters<typeof exportRun>[0], chart: Parameters<typeof exportRun>[2], dataUrl?: string): Promise<void> {
    const dirs = this.shown?.runDirs ?? [];
    if (dirs.length === 0) return void vscode.window.showWarningMessage('Nothing to export yet: the run has no folder.');
    try {
      const written = await exportRun(format, dirs, chart, dataUrl);
      if (written) void vscode.window.showInformationMessage(`Exported ${written}`);
    } catch (e) {
      void vscode.window.showErrorMessage(`Export failed: ${(e as Error).message}`);
    }
  }

  private async analyze(id: string, analysis: 'lesion' | 'responses', lesioned?: string[]): Promise<void> {
    const runDir = this.runs.get(id)?.view.runDir ?? (this.shown?.runDirs.includes(id) ? id : undefined);
    if (!runDir) return this.post({ method: 'analysis/error', params: { id, message: 'this run has no folder yet' } });
    if (!vscode.workspace.isTrusted) return this.post({ method: 'analysis/error', params: { id, message: 'analyses run the model, which is disabled in Restricted Mode' } });
    try {
      const result = await this.runs.analyze(runDir, analysis, settings.backend(), lesioned);
      this.post({ method: 'analysis/result', params: analysis === 'lesion' ? { id, lesion: result as LesionResult } : { id, responses: result as ResponsesResult } });
    } catch (e) {
      this.log.error(`${analysis} of ${runDir}: ${(e as Error).message}`);
      this.post({ method: 'analysis/error', params: { id, message: (e as Error).message.split('\n')[0] } });
    }
  }

  private sendAll(): void {
    if (!this.shown) return;
    const runs: RunView[] = [];
    const metrics: Record<string, MetricRecordView[]> = {};
    const gradients: Record<string, GradientRecordView[]> = {};
    const analyses: Record<string, RunAnalyses> = {};
    this.shown.runIds.forEach((id, i) => {
      const live = this.runs.get(id);
      if (live) {
        runs.push(live.view);
        metrics[id] = live.metrics;
        gradients[id] = live.gradients;
        if (live.view.runDir) analyses[id] = readAnalyses(live.view.runDir);
        return;
      }
      const loaded = safeLoad(this.shown!.runDirs[i] ?? id);
      if (loaded) {
        runs.push(loaded.run);
        metrics[loaded.run.id] = loaded.metrics;
        gradients[loaded.run.id] = loaded.gradients;
        analyses[loaded.run.id] = readAnalyses(loaded.run.runDir!);
      }
    });
    const flags = runs.length > 1 ? comparisonFlags(runs) : [];
    this.post({ method: 'panel/show', params: { title: this.shown.title, runs, metrics, gradients, analyses, diagram: this.shown.diagram, maxPoints: this.maxPoints(), flags } });
  }

  private saveState(): void {
    // The webview keeps this via vscode.setState; the serializer hands it back after reload.
    this.post({ method: 'state/save', params: { runDirs: this.shown?.runDirs ?? [] } });
  }

  private post(message: HostMessage): void {
    if (this.panel && this.ready) void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    this.panel?.dispose();
    this.disposables.forEach((d) => d.dispose());
  }
}

function safeLoad(dir: string) {
  try {
    return loadRunFolder(dir);
  } catch {
    return undefined;
  }
}
