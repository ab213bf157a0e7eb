// The training panel: live curves, counters, Stop/Pause/Resume, and the layer
// diagram; or several runs overlaid for comparison; or a diagram alone.
// One panel per window; it remembers which run folders it shows, so VS Code
// restores it after a reload (WebviewPanelSerializer).
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type {
  DiagramData,
  GradientRecordView,
  MetricRecordView,
  OpenRunsMessage,
  RunAnalyses,
  RunLatest,
  RunView,
} from '../protocol/webview';
import {
  PanelHostMessage,
  PanelMessage,
  PanelMessageSchema,
  PanelShowParams,
  PanelStateSchema,
} from '../protocol/panel';
import { KnownRuns } from './knownRuns';
import { Log } from './log';
import { LiveRun, RunManager } from './runManager';
import { analyzeRun, exportRuns } from './panelRequests';
import { FollowedRuns, FollowedUpdate } from './followRun';
import { addLive, fromFolder, fromLive, gradientsOf, PanelRun } from './panelData';
import { comparisonFlags, runHeading, runsAmong } from './runViews';
import { settings } from './settings';
import { WebviewHost } from './webviewHost';
import { PanelCurves } from './panelCurves';
import { localResourceRoots } from './webviewHtml';

export const PANEL_VIEW_TYPE = 'resnetLab.training';

/** A model shown by its diagram alone (no run): the experiment it was built from. */
export interface ShownModel {
  file: string;
  experiment: string;
}

interface Shown {
  title: string;
  runIds: string[];
  runDirs: string[];
  diagram?: DiagramData;
  model?: ShownModel;
}

export class TrainingPanel extends WebviewHost<PanelMessage, PanelHostMessage> {
  private panel: vscode.WebviewPanel | undefined;
  private shown: Shown | undefined;
  /** The shown runs' data, read once per showing (folders) or followed live. */
  private data = new Map<string, PanelRun>();
  private readonly curves: PanelCurves;
  private prepared: PanelShowParams | undefined;
  /** Runs webviews may ask to open (by id): those the host showed them or the user picked. */
  readonly known = new KnownRuns();
  /** Run folders another process is writing, followed live (shared with the side view). */
  readonly follows = new FollowedRuns();
  /** Releases the followers of what the panel shows now. */
  private unfollow: (() => void)[] = [];

  constructor(
    extensionUri: vscode.Uri,
    private readonly runs: RunManager,
    log: Log,
    maxPoints: () => number,
    workspaceState: vscode.Memento,
  ) {
    super(extensionUri, log, {
      script: 'panel.js',
      title: 'ResNet Lab',
      name: 'the training panel',
      schema: PanelMessageSchema,
    });
    this.curves = new PanelCurves(maxPoints, workspaceState);
    this.disposables.push(
      runs.onDidUpdate(({ run, newRecords, newGradients }) => {
        if (!this.shown?.runIds.includes(run.view.id)) return;
        if (run.view.runDir && !this.shown.runDirs.includes(run.view.runDir)) {
          this.shown.runDirs.push(run.view.runDir);
          this.saveState();
          if (run.diagram && !this.shown.diagram) {
            this.shown.diagram = run.diagram;
            this.post({ method: 'diagram/show', params: run.diagram });
          }
        }
        this.addRecords(run.view.id, run.view, newRecords, newGradients);
      }),
    );
    this.disposables.push(
      this.follows,
      this.follows.onDidUpdate((u) => this.onFollowed(u)),
    );
  }

  private addRecords(id: string, view: RunView, records: MetricRecordView[], gradients: GradientRecordView[]): void {
    const entry = this.data.get(id);
    this.prepared = undefined; // it would miss these records
    const fresh = entry ? addLive(entry, view, records, gradients) : { records, gradients };
    this.post({ method: 'run/update', params: { run: view } });
    if (fresh.records.length) this.post({ method: 'run/metrics', params: { id, records: fresh.records } });
    if (fresh.gradients.length) this.post({ method: 'run/gradients', params: { id, records: fresh.gradients } });
  }

  /** New records of a followed folder; a shown run not read yet gets them when it is (ensureData reads the folder whole). */
  private onFollowed(u: FollowedUpdate): void {
    if (!this.shown?.runIds.includes(u.dir) || !this.data.has(u.dir)) return;
    if (u.reset) {
      // Replaced or truncated (a resume): the curve is read again, whole.
      this.data.delete(u.dir);
      this.prepared = undefined;
      if (this.isReady) this.sendAll();
      return;
    }
    this.addRecords(u.dir, u.view, u.records, u.gradients);
  }

  get visible(): boolean {
    return !!this.panel?.visible;
  }

  showLive(run: LiveRun): void {
    this.show({
      title: `Training: ${run.view.experiment}`,
      runIds: [run.view.id],
      runDirs: run.view.runDir ? [run.view.runDir] : [],
      diagram: run.diagram,
    });
  }

  /** A webview's `run/open` / `runs/compare`: only runs the host offered, by id; anything else is refused and logged. */
  openRequested(msg: OpenRunsMessage): void {
    const ids = msg.method === 'run/open' ? [msg.params.id] : msg.params.ids;
    const dirs = this.known.resolveAll(ids);
    if (dirs.length < ids.length)
      this.log.error(
        `ignored a request to open runs the host never listed: ${JSON.stringify(ids.filter((id) => !this.known.resolve(id))).slice(0, 300)}`,
      );
    if (dirs.length) this.showRunFolders(dirs);
  }

  showRunFolders(runDirs: string[], title?: string): void {
    for (const d of runDirs) this.known.allow(d, d);
    const live = runDirs.map((d) => this.runs.all.find((r) => r.view.runDir === d));
    const ids = runDirs.map((d, i) => live[i]?.view.id ?? d);
    // Only run.json now (title, diagram): the panel opens and its webview
    // starts while the curves are read, once, just after (ensureData).
    const first = runDirs.length === 1 ? runHeading(runDirs[0]) : undefined;
    this.show({
      title:
        title ?? (runDirs.length > 1 ? `Compare ${runDirs.length} runs` : `Run: ${first?.experiment ?? runDirs[0]}`),
      runIds: ids,
      runDirs,
      diagram: first?.diagram,
    });
    const shown = this.shown;
    setTimeout(() => {
      if (this.shown !== shown || this.isReady) return;
      this.ensureData();
      this.prepared = this.prepare();
    }, 0);
  }

  showDiagram(model: ShownModel, diagram: DiagramData): void {
    this.show({ title: diagramTitle(model), runIds: [], runDirs: [], diagram, model });
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
    this.prepared = undefined;
    this.post({ method: 'diagram/preview', params: preview });
  }

  /** Called by the serializer after a window reload, with what the webview kept (state/save). */
  restore(panel: vscode.WebviewPanel, state: unknown): void {
    this.adopt(panel);
    const saved = PanelStateSchema.safeParse(state).data;
    // The saved state comes back from the webview: reopen only folders that are runs of this
    // workspace, and build only a model file of a workspace folder, as Show Model Diagram would.
    const dirs = runsAmong(settings.runsDir(), saved?.runDirs ?? []);
    if (dirs.length) return this.showRunFolders(dirs);
    const model = saved?.model && vscode.workspace.isTrusted ? workspaceModel(saved.model) : undefined;
    if (!model) return panel.dispose(); // nothing to show again: closed rather than blank
    this.shown = { title: diagramTitle(model), runIds: [], runDirs: [], model };
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
    this.unfollow.splice(0).forEach((release) => release());
    this.shown = shown;
    this.data = new Map();
    this.prepared = undefined;
    // A folder someone else is writing (a train.py, a CLI run; its id is its folder) is followed while shown.
    for (const d of shown.runDirs.filter((d, i) => shown.runIds[i] === d)) {
      const release = this.follows.acquire(d);
      if (release) this.unfollow.push(release);
    }
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
    this.saveState();
    if (this.isReady) this.sendAll();
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.svg');
    this.attach(panel.webview);
    this.whileAttached(
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.detach();
        this.unfollow.splice(0).forEach((release) => release());
      }),
    );
  }

  protected onMessage(msg: PanelMessage): void {
    switch (msg.method) {
      case 'webview/ready':
        if (msg.params) this.curves.setWidth(msg.params.columns);
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
      case 'settings/smoothing':
        this.curves.rememberSmoothing(msg.params.weight);
        break;
      case 'export':
        void exportRuns(msg.params, this.shown?.runDirs ?? []);
        break;
    }
  }

  /** The folder of a shown run (a live run's, once it has one). */
  private runDirOf(id: string): string | undefined {
    return this.runs.get(id)?.view.runDir ?? (this.shown?.runDirs.includes(id) ? id : undefined);
  }

  /** Reads what the shown runs need, each run folder once per showing. */
  private ensureData(): void {
    this.shown?.runIds.forEach((id, i) => {
      const live = this.runs.get(id);
      if (live && !this.data.has(id)) this.data.set(id, fromLive(live));
      else if (!this.data.has(id)) {
        const entry = fromFolder(this.shown!.runDirs[i] ?? id);
        const followed = this.follows.view(id);
        if (entry && followed) entry.view = followed;
        if (entry) this.data.set(id, entry);
      }
    });
  }

  /**
   * The panel/show message, made while the webview is still starting (after
   * ensureData) so that its 'ready' is answered at once. The webview asks
   * again if its chart turns out to have another width.
   */
  private prepare(): PanelShowParams | undefined {
    if (!this.shown) return undefined;
    const entries = this.shown.runIds.map((id) => this.data.get(id)).filter((d): d is PanelRun => !!d);
    const runs: RunView[] = entries.map((d) => d.view);
    const smoothing = this.curves.smoothing(entries);
    const curves = this.curves.views(new Map(entries.map((d) => [d.view.id, d])), { smoothing: smoothing.weight });
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
   * matrices after it, one message per run, for the tab that needs them.
   */
  private sendAll(): void {
    if (!this.shown) return;
    this.ensureData();
    const params = this.prepared ?? this.prepare()!;
    this.prepared = undefined;
    const entries = this.shown.runIds
      .map((id) => [id, this.data.get(id)] as const)
      .filter((e): e is readonly [string, PanelRun] => !!e[1]);
    this.post({ method: 'panel/show', params });
    // After the curves went out: reading gradients.jsonl is not on the way to the first chart.
    setTimeout(() => {
      for (const [id, d] of entries)
        if (this.data.get(id) === d)
          this.post({ method: 'run/gradientMatrix', params: { id: d.view.id, matrix: gradientsOf(d) } });
    }, 0);
  }

  private saveState(): void {
    // The webview keeps this via vscode.setState; the serializer hands it back after reload.
    this.post({ method: 'state/save', params: { runDirs: this.shown?.runDirs ?? [], model: this.shown?.model } });
  }

  override dispose(): void {
    this.unfollow.splice(0).forEach((release) => release());
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
