// The training panel: live curves, counters, Stop/Pause/Resume, and the layer
// diagram; or several runs overlaid for comparison; or a diagram alone.
// One panel per window; it remembers which run folders it shows, so VS Code
// restores it after a reload (WebviewPanelSerializer).
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { DiagramData, OpenRunsMessage, RunAnalyses, RunLatest, RunView } from '../protocol/webview';
import {
  PanelHostMessage,
  PanelMessage,
  PanelMessageSchema,
  PanelShowParams,
  PanelStateSchema,
} from '../protocol/panel';
import { readRunInfo } from '../core/runs/runFolder';
import { DisposableGroup } from './lifecycle';
import { Log } from './log';
import { LiveRun, RunManager } from './runManager';
import { analyzeRun, exportRuns } from './panelRequests';
import { ConfusionRequests } from './confusionRequests';
import { FolderChange, RunFolders } from './runFolders';
import { runIds } from './runIds';
import { attachFolder, gradientsOf, openRun, PanelRun, readNew } from './panelData';
import { distributionsOf } from './panelDistributions';
import { comparisonFlags, runHeading, runsAmong, runViewFromInfo } from './runViews';
import { settings } from './settings';
import { requireTrust } from './trust';
import { resumeAction } from '../protocol/runStatus';
import { WebviewHost } from './webviewHost';
import { PanelCurves } from './panelCurves';
import { localResourceRoots } from './webviewHtml';

export const PANEL_VIEW_TYPE = 'resnetLab.training';
/** workspaceState key of what the panel shows (PanelStateSchema), for the serializer after a reload. */
const SHOWN_KEY = 'resnetLab.panel.shown';

/** A model shown by its diagram alone (no run): the experiment it was built from. */
export interface ShownModel {
  file: string;
  experiment: string;
}

interface Shown {
  title: string;
  runIds: string[];
  diagram?: DiagramData;
  model?: ShownModel;
}

export class TrainingPanel extends WebviewHost<PanelMessage, PanelHostMessage> {
  private panel: vscode.WebviewPanel | undefined;
  private shown: Shown | undefined;
  /** The shown runs (by id), each read from its folder through its own tail. */
  private data = new Map<string, PanelRun>();
  private readonly curves: PanelCurves;
  private readonly confusion = new ConfusionRequests();
  /** The followers of the folders shown now that someone else writes. */
  private readonly following = this._register(new DisposableGroup());

  constructor(
    extensionUri: vscode.Uri,
    private readonly runs: RunManager,
    log: Log,
    maxPoints: () => number,
    private readonly workspaceState: vscode.Memento,
  ) {
    super(extensionUri, log, {
      script: 'panel.js',
      title: 'ResNet Lab',
      name: 'the training panel',
      schema: PanelMessageSchema,
    });
    this.curves = new PanelCurves(maxPoints, workspaceState);
    this._register(runs.onDidUpdate(({ run }) => this.onRunChanged(run)));
    this._register(this.folders.onDidChange((c) => this.onFolderChanged(c)));
  }

  /** The window's reader of run folders (shared with the side view and the run manager). */
  get folders(): RunFolders {
    return this.runs.folders;
  }

  /** A run of this window changed state, or made its folder. */
  private onRunChanged(run: LiveRun): void {
    const entry = this.data.get(run.view.id);
    if (!entry || !this.shown) return;
    entry.view = run.view;
    if (run.runDir && !entry.dir) {
      attachFolder(entry, run.runDir);
      this.saveState();
      if (run.diagram && !this.shown.diagram) this.shown.diagram = entry.diagram = run.diagram;
      return this.sendAll(); // the run's first records, its diagram and its analyses: everything, once
    }
    this.post({ method: 'run/update', params: { run: run.view } });
    this.pushNew(entry);
  }

  /** A shown folder grew (or its run.json changed). */
  private onFolderChanged(c: FolderChange): void {
    for (const entry of this.data.values()) {
      if (entry.dir !== c.dir) continue;
      if (!this.runs.byFolder(c.dir)) {
        entry.view = c.view; // someone else's run: its folder is all there is to say how it goes
        this.post({ method: 'run/update', params: { run: c.view } });
      }
      this.pushNew(entry);
    }
  }

  /** What the folder gained since the panel last read it, to the webview. */
  private pushNew(entry: PanelRun): void {
    const fresh = readNew(entry);
    if (fresh.reset) return this.sendAll();
    const id = entry.view.id;
    if (fresh.records.length) this.post({ method: 'run/metrics', params: { id, records: fresh.records } });
    if (fresh.gradients.length) this.post({ method: 'run/gradients', params: { id, records: fresh.gradients } });
  }

  get visible(): boolean {
    return !!this.panel?.visible;
  }

  /** What the panel holds of each shown run, by id (what its webview was sent): its points and its latest iteration. */
  get shownCurves(): Record<string, { points: number; last: number }> {
    return Object.fromEntries(
      [...this.data].map(([id, d]) => [id, { points: d.curves.length, last: d.curves.lastIteration }]),
    );
  }

  showLive(run: LiveRun): void {
    this.show({ title: `Training: ${run.view.experiment}`, runIds: [run.view.id], diagram: run.diagram });
  }

  /** A webview's `run/open` / `runs/compare`: only runs the host named, by id; anything else is refused and logged. */
  openRequested(msg: OpenRunsMessage): void {
    const ids = msg.method === 'run/open' ? [msg.params.id] : msg.params.ids;
    const dirs = runIds.dirsOf(ids);
    if (dirs.length < ids.length)
      this.log.error(
        `ignored a request to open runs the host never listed: ${JSON.stringify(ids.filter((id) => !runIds.dirOf(id))).slice(0, 300)}`,
      );
    if (dirs.length) this.showRunFolders(dirs);
  }

  showRunFolders(runDirs: string[], title?: string): void {
    const ids = runDirs.map((d) => this.runs.byFolder(d)?.view.id ?? runIds.idOf(d));
    const first = runDirs.length === 1 ? runHeading(runDirs[0]) : undefined;
    this.show({
      title:
        title ?? (runDirs.length > 1 ? `Compare ${runDirs.length} runs` : `Run: ${first?.experiment ?? runDirs[0]}`),
      runIds: ids,
      diagram: first?.diagram,
    });
  }

  showDiagram(model: ShownModel, diagram: DiagramData): void {
    this.show({ title: diagramTitle(model), runIds: [], diagram, model });
  }

  /** The model while the panel is open on its diagram alone (not a run): the live preview may redraw it. */
  get shownModel(): ShownModel | undefined {
    return this.panel && this.shown?.model;
  }

  /** The diagram the panel shows, if any (a run's or a model's alone). */
  get diagram(): DiagramData | undefined {
    return this.panel && this.shown?.diagram;
  }

  /** The live preview (livePreview.ts): the edited model's diagram, or the error that keeps it from building. */
  showPreview(model: ShownModel, preview: { diagram?: DiagramData; error?: string }): void {
    if (!this.shownModel || !this.shown) return;
    if (preview.diagram) this.shown.diagram = preview.diagram;
    this.shown.model = model;
    this.shown.title = this.panel!.title = diagramTitle(model);
    this.saveState();
    this.post({ method: 'diagram/preview', params: { ...preview, title: this.shown.title } });
  }

  /**
   * Called by the serializer after a window reload, with what the panel showed
   * (kept in workspaceState). Checked as anything read back: only folders that
   * are runs of this workspace, only a model file of a workspace folder.
   */
  restore(panel: vscode.WebviewPanel, state: unknown = this.workspaceState.get(SHOWN_KEY)): void {
    this.adopt(panel);
    const saved = PanelStateSchema.safeParse(state).data;
    const dirs = runsAmong(settings.runsDir(), saved?.runDirs ?? []);
    if (dirs.length) return this.showRunFolders(dirs);
    const model = saved?.model && vscode.workspace.isTrusted ? workspaceModel(saved.model) : undefined;
    if (!model) {
      panel.dispose(); // nothing to show again: closed rather than blank
      return;
    }
    this.shown = { title: diagramTitle(model), runIds: [], model };
    panel.title = this.shown.title;
    void vscode.commands.executeCommand('resnetLab.showDiagram', model);
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
    this.following.clear();
    this.shown = shown;
    if (!this.panel) {
      this.adopt(
        vscode.window.createWebviewPanel(
          PANEL_VIEW_TYPE,
          shown.title,
          { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
          {
            enableScripts: true,
            retainContextWhenHidden: true,
            localResourceRoots: localResourceRoots(this.extensionUri),
          },
        ),
      );
    } else {
      this.panel.reveal(undefined, true);
    }
    this.panel!.title = shown.title;
    this.data = this.openShown(shown);
    this.saveState();
    this.sendAll();
  }

  /** Each shown run from its folder; a folder someone else is writing is followed while shown. */
  private openShown(shown: Shown): Map<string, PanelRun> {
    const data = new Map<string, PanelRun>();
    for (const id of shown.runIds) {
      const live = this.runs.get(id);
      if (live) {
        data.set(id, openRun(live.view, live.runDir, live.diagram));
        continue;
      }
      const dir = runIds.dirOf(id);
      if (!dir) continue;
      try {
        const release = this.folders.acquire(dir);
        if (release) this.following.add(release);
        const info = readRunInfo(dir);
        const view = this.folders.view(dir) ?? runViewFromInfo(dir, info);
        data.set(id, openRun(view, dir, { graph: info.graph, summary: info.summary }));
      } catch (e) {
        this.log.error(`${dir}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    return data;
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.svg');
    this.attach(panel.webview);
    this.whileAttached(
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.detach();
        this.following.clear();
      }),
    );
  }

  protected onMessage(msg: PanelMessage, needsEverything: boolean): void {
    switch (msg.method) {
      case 'webview/ready':
        if (msg.params) this.curves.setWidth(msg.params.columns);
        if (needsEverything) this.sendAll();
        break;
      case 'run/control':
        if (msg.params.action === 'resume' && this.resumeFromCheckpoint(msg.params.id)) break;
        this.runs.control(msg.params.id, msg.params.action);
        break;
      case 'run/open':
      case 'runs/compare':
        this.openRequested(msg);
        break;
      case 'analysis/run':
        void analyzeRun(this.runs, this.log, msg.params, this.runDirOf(msg.params.id)).then((reply) =>
          this.post(reply),
        );
        break;
      case 'curves/request': {
        const { requestId, from, to, columns, smoothing } = msg.params;
        this.curves.setWidth(columns);
        const weight = smoothing ?? this.curves.smoothing(this.data.values()).weight;
        this.post({
          method: 'curves/view',
          params: { requestId, curves: this.curves.views(this.data, { from, to, smoothing: weight }) },
        });
        break;
      }
      case 'distributions/request': {
        const run = this.data.get(msg.params.id);
        const view = run && distributionsOf(run);
        if (run && (view?.records ?? 0) !== msg.params.records)
          this.post({ method: 'run/distributions', params: { id: msg.params.id, view } });
        break;
      }
      case 'settings/smoothing':
        this.curves.rememberSmoothing(msg.params.weight);
        break;
      case 'export':
        void exportRuns(msg.params, this.shownDirs());
        break;
      case 'confusion/request':
        return this.post(this.confusion.data(msg.params.id, this.runDirOf(msg.params.id)));
      case 'confusion/images':
        return this.post(this.confusion.images(msg.params, this.runDirOf(msg.params.id)));
    }
  }

  /**
   * Resume on a shown run that stopped (or was interrupted) with its folder: a
   * trainer resumes it from its last checkpoint, and the panel follows it with
   * the whole curve so far. False when Resume means something else (a paused run).
   */
  private resumeFromCheckpoint(id: string): boolean {
    const entry = this.data.get(id);
    if (!entry?.dir || resumeAction(entry.view.status, entry.view.followed) !== 'from-checkpoint') return false;
    if (!requireTrust('train')) return true;
    try {
      const info = readRunInfo(entry.dir);
      const run = this.runs.resumeRun(entry.dir, info.file, info.experiment, settings.backend());
      if (run) this.showLive(run);
    } catch (e) {
      void vscode.window.showErrorMessage(
        `ResNet Lab: cannot resume ${entry.dir}: ${(e as Error).message.split('\n')[0]}`,
      );
    }
    return true;
  }

  /** The folder of a shown run (a live run's, once it has one). */
  private runDirOf(id: string): string | undefined {
    return this.data.get(id)?.dir;
  }

  private shownDirs(): string[] {
    return [...this.data.values()].map((d) => d.dir).filter((d): d is string => !!d);
  }

  private showParams(): PanelShowParams | undefined {
    if (!this.shown) return undefined;
    const entries = [...this.data.values()];
    const runs: RunView[] = entries.map((d) => d.view);
    const smoothing = this.curves.smoothing(entries);
    const curves = this.curves.views(this.data, { smoothing: smoothing.weight });
    const latest: Record<string, RunLatest> = {};
    const analyses: Record<string, RunAnalyses> = {};
    for (const d of entries) {
      latest[d.view.id] = d.latest;
      analyses[d.view.id] = d.analyses;
    }
    const flags = runs.length > 1 ? comparisonFlags(runs) : [];
    return {
      title: this.shown.title,
      runs,
      curves,
      latest,
      analyses,
      diagram: this.shown.diagram,
      maxPoints: this.curves.pointLimit,
      flags,
      smoothing,
    };
  }

  /**
   * The curves at the chart's width first, in one small message; the gradient
   * matrices once it went, one message per run, for the tab that needs them
   * (reading gradients.jsonl is not on the way to the first chart).
   */
  private sendAll(): void {
    const params = this.showParams();
    if (!params) return;
    const data = this.data;
    void this.delivered({ method: 'panel/show', params }).then(() => {
      if (this.data !== data) return; // something else is shown by now
      for (const d of data.values())
        if (d.dir) this.post({ method: 'run/gradientMatrix', params: { id: d.view.id, matrix: gradientsOf(d) } });
    });
  }

  private saveState(): void {
    void this.workspaceState.update(SHOWN_KEY, { runDirs: this.shownDirs(), model: this.shown?.model });
  }

  override dispose(): void {
    this.panel?.dispose();
    super.dispose();
  }
}

const diagramTitle = (model: ShownModel): string => `Diagram: ${model.experiment}`;

/** A model file the saved state names, if it is a TypeScript file of an open workspace folder that still exists. */
function workspaceModel(model: ShownModel): ShownModel | undefined {
  const uri = vscode.Uri.file(model.file);
  const inWorkspace = vscode.workspace.getWorkspaceFolder(uri) !== undefined;
  return inWorkspace && model.file.endsWith('.ts') && fs.existsSync(model.file) ? model : undefined;
}
