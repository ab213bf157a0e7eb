// The runs table: every run folder of the workspace in one sortable,
// filterable table (the webview in webview/runsTable). Its rows come from a
// cached summary per folder (src/core/runsTable), so hundreds of runs open at
// once; overlaying curves goes to the training panel's Compare, the config
// diff and delete/archive are answered here. The webview names runs by the
// ids this host made (runIds.ts) and never sees a path.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { removeRun } from '../core/runs/removeRun';
import { readRunInfo } from '../core/runs/runFolder';
import { columnViews, runRow } from '../core/runsTable/columns';
import { configDiff, runConfig } from '../core/runsTable/configDiff';
import { RunSummaryCache, runFoldersUnder } from '../core/runsTable/summaryCache';
import type { RunsTableHostMessage, RunsTableMessage } from '../protocol/runsTable';
import { RunsTableMessageSchema } from '../protocol/runsTable';
import { Log } from './log';
import { RunManager } from './runManager';
import { runIds } from './runIds';
import { settings } from './settings';
import { TrainingPanel } from './trainingPanel';
import { WebviewHost } from './webviewHost';
import { localResourceRoots } from './webviewHtml';

export const RUNS_TABLE_VIEW_TYPE = 'resnetLab.runsTable';
const CACHE_FILE = 'run-summaries.json';
/** Run folders of the Keras engine's exported projects (train.py's default `runs/` beside it), and ours. */
const RUN_JSON_GLOB = '**/runs/*/run.json';
/** While runs train, the table follows them at most this often (a re-drawn table of hundreds of rows is not free). */
const REFRESH_MS = 2000;
const DISCOVERY_EXCLUDE = '{**/node_modules/**,**/.git/**,**/archive/**}';

export interface RunsTableDeps {
  extensionUri: vscode.Uri;
  /** Where the summary cache is kept between windows; none: kept for this window only. */
  storageUri: vscode.Uri | undefined;
  runs: RunManager;
  panel: TrainingPanel;
  log: Log;
}

export class RunsTablePanel extends WebviewHost<RunsTableMessage, RunsTableHostMessage> {
  private panel: vscode.WebviewPanel | undefined;
  /** Loaded on first use, not at activation (it may hold hundreds of summaries). */
  private loadedCache: RunSummaryCache | undefined;
  /** Runs folders found in the workspace beyond the configured one (exported Keras projects). */
  private discovered: string[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  private wasVisible = true;
  /** The rows last sent, as JSON: a refresh that finds them unchanged is not sent again. */
  private lastSent = '';

  constructor(private readonly deps: RunsTableDeps) {
    super(deps.extensionUri, deps.log, {
      script: 'runsTable.js',
      title: 'ResNet Lab runs',
      name: 'the runs table',
      schema: RunsTableMessageSchema,
    });
    // A run that starts, ends or grows shows within a few seconds; reading is cheap (only changed folders are read).
    const soon = () => {
      if (!this.panel?.visible) return;
      this.refreshTimer ??= setTimeout(() => {
        this.refreshTimer = undefined;
        this.sendRows(false);
      }, REFRESH_MS);
    };
    this._register(deps.runs.onDidUpdate(soon));
    this._register(deps.runs.folders.onDidChange(soon));
    this._register(() => {
      clearTimeout(this.refreshTimer);
      this.panel?.dispose();
    });
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      this.sendRows();
      return void this.discover();
    }
    this.open();
    // Read while the webview loads (the rows wait for its `ready`, webviewHost.ts), once its page has gone out:
    // reading synchronously here would hold the page back by as long as the read takes. The search for Keras
    // projects' runs folders (a ripgrep over the workspace) waits for `ready`: on two cores it slowed the
    // webview's start.
    setTimeout(() => this.sendRows(), 0);
  }

  private open(): void {
    const panel = vscode.window.createWebviewPanel(RUNS_TABLE_VIEW_TYPE, 'ResNet Lab: Runs', vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: localResourceRoots(this.extensionUri),
    });
    this.panel = panel;
    this.wasVisible = true;
    this.attach(panel.webview);
    this.whileAttached(
      // Hidden, it was not refreshed (see `soon`): shown again, it is brought up to date.
      panel.onDidChangeViewState(() => {
        if (panel.visible && !this.wasVisible) this.sendRows();
        this.wasVisible = panel.visible;
      }),
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.detach();
      }),
    );
  }

  protected onMessage(msg: RunsTableMessage, needsEverything: boolean): void {
    switch (msg.method) {
      case 'webview/ready':
        // What was posted while it loaded has gone out; a reloaded webview has nothing.
        if (needsEverything) this.sendRows();
        return void this.discover();
      case 'runsTable/refresh':
        this.sendRows();
        return void this.discover();
      case 'runs/compare':
        return this.deps.panel.openRequested(msg);
      case 'runsTable/diff':
        return this.diff(msg.params.ids);
      case 'runsTable/remove':
        return void this.remove(msg.params.ids, msg.params.action);
    }
  }

  private roots(): string[] {
    return vscode.workspace.workspaceFolders ? [settings.runsDir(), ...this.discovered] : [];
  }

  /** Reads the folders and sends the rows; a refresh that changed nothing sends nothing (`always`: a new webview). */
  private sendRows(always = true): void {
    if (!this.panel) return;
    const started = performance.now();
    const read = this.cache.read(runFoldersUnder(this.roots()));
    for (const u of read.unreadable) this.log.trace(`runs table: left out ${u.dir}: ${u.message}`);
    const rows = read.summaries
      .sort((a, b) => b.summary.createdAt.localeCompare(a.summary.createdAt))
      .map(({ dir, summary }) => runRow(runIds.idOf(dir), summary, summary.status === 'running'));
    const sent = JSON.stringify(rows) + read.unreadable.length;
    if (!always && sent === this.lastSent) return;
    this.lastSent = sent;
    this.post({
      method: 'runsTable/rows',
      params: { columns: columnViews(), rows, unreadable: read.unreadable.length, readMs: performance.now() - started },
    });
    if (read.cached < read.summaries.length) this.saveCache();
  }

  /** Finds the runs folders of exported Keras projects in the workspace; shows their runs when there are new ones. */
  private async discover(): Promise<void> {
    const found = await vscode.workspace.findFiles(RUN_JSON_GLOB, DISCOVERY_EXCLUDE, 10_000);
    const ours = path.resolve(settings.runsDir());
    const roots = [...new Set(found.map((u) => path.dirname(path.dirname(u.fsPath))))]
      .filter((r) => path.resolve(r) !== ours)
      .sort();
    if (roots.join('\n') === this.discovered.join('\n')) return;
    this.discovered = roots;
    this.sendRows();
  }

  private diff(ids: [string, string]): void {
    const dirs = ids.map((id) => runIds.dirOf(id));
    if (dirs.some((d) => d === undefined))
      return this.log.error(`ignored a config diff of runs the host never listed: ${JSON.stringify(ids)}`);
    try {
      const [a, b] = dirs.map((d) => runConfig(readRunInfo(d!)));
      this.post({
        method: 'runsTable/diff',
        params: { ids, folders: [path.basename(dirs[0]!), path.basename(dirs[1]!)], changes: configDiff(a, b) },
      });
    } catch (e) {
      this.post({ method: 'runsTable/notice', params: { text: (e as Error).message } });
    }
  }

  private async remove(ids: string[], action: 'delete' | 'archive'): Promise<void> {
    const dirs = runIds.dirsOf(ids);
    if (dirs.length < ids.length)
      this.log.error(`ignored a request to ${action} runs the host never listed: ${JSON.stringify(ids).slice(0, 300)}`);
    if (!dirs.length) return;
    const runsDir = settings.runsDir();
    const archiveDir = path.join(path.dirname(runsDir), 'archive');
    const what = dirs.length === 1 ? `run ${path.basename(dirs[0])}` : `${dirs.length} runs`;
    const button = action === 'delete' ? 'Delete' : 'Archive';
    const detail =
      action === 'delete'
        ? 'Its folder (records, checkpoints, exports) is deleted for good.'
        : `Moved into ${vscode.workspace.asRelativePath(archiveDir)}; move it back to see it here again.`;
    const choice = await vscode.window.showWarningMessage(`${button} ${what}?`, { modal: true, detail }, button);
    if (choice !== button) return;
    const failed: string[] = [];
    for (const dir of dirs) {
      try {
        removeRun(dir, this.roots(), action, archiveDir);
      } catch (e) {
        failed.push((e as Error).message);
      }
    }
    for (const f of failed) this.log.error(f);
    if (failed.length)
      void vscode.window.showErrorMessage(
        failed.length === 1
          ? failed[0]
          : `${failed.length} runs were not removed: ${failed[0]} (and more, see the log)`,
      );
    this.sendRows();
  }

  private get cache(): RunSummaryCache {
    return (this.loadedCache ??= RunSummaryCache.load(this.readSavedCache()));
  }

  private cacheFile(): string | undefined {
    return this.deps.storageUri && path.join(this.deps.storageUri.fsPath, CACHE_FILE);
  }

  private readSavedCache(): unknown {
    const file = this.cacheFile();
    try {
      return file ? (JSON.parse(fs.readFileSync(file, 'utf8')) as unknown) : undefined;
    } catch {
      return undefined; // none yet, or damaged: start empty
    }
  }

  private saveCache(): void {
    const file = this.cacheFile();
    if (!file) return;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(this.cache.save()));
    } catch (e) {
      this.log.trace(`runs table: could not keep the summary cache in ${file}: ${(e as Error).message}`);
    }
  }
}

/** The runs table and its command ("ResNet Lab: Show Runs Table", also on the side view's title bar). */
export function registerRunsTable(deps: RunsTableDeps): vscode.Disposable[] {
  const table = new RunsTablePanel(deps);
  return [table, vscode.commands.registerCommand('resnetLab.showRunsTable', () => table.show())];
}
