// The "Training" view in the ResNet Lab activity-bar container: mini curves of
// the active run and the recent runs of the workspace with their final errors.
// A run another process is writing into the runs folder (a CLI run in a
// terminal, a train.py) is followed from its folder and shown as active when
// no run of this window is.
import * as vscode from 'vscode';
import { isWrittenNow } from '../core/runs/follow';
import { SidebarHostMessage, SidebarMessage, SidebarMessageSchema } from '../protocol/sidebar';
import { Log } from './log';
import { RunManager } from './runManager';
import { ListedRun, recentRuns } from './runViews';
import type { RunView } from '../protocol/webview';
import { TrainingPanel } from './trainingPanel';
import { WebviewHost } from './webviewHost';
import type { SweepManager } from './sweeps';

export const SIDEBAR_VIEW_ID = 'resnetLab.trainingView';

export class SidebarView extends WebviewHost<SidebarMessage, SidebarHostMessage> implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private onDisk: ListedRun[] = [];
  private diskReadAt = 0;
  private statuses = '';
  /** Run folders of the list someone else is writing, followed while listed: their releases. */
  private readonly following = new Map<string, () => void>();
  private refreshTimer: NodeJS.Timeout | undefined;
  private sweeps: SweepManager | undefined;

  constructor(
    extensionUri: vscode.Uri,
    private readonly runs: RunManager,
    private readonly panel: TrainingPanel,
    private readonly runsDir: () => string | undefined,
    log: Log,
  ) {
    super(extensionUri, log, {
      script: 'sidebar.js',
      title: 'ResNet Lab runs',
      name: 'the side view',
      schema: SidebarMessageSchema,
    });
    this._register(runs.onDidUpdate(() => this.refresh()));
    // Coalesced: a folder reports up to ten times a second while its run trains.
    this._register(
      runs.folders.onDidChange(() => {
        this.refreshTimer ??= setTimeout(() => {
          this.refreshTimer = undefined;
          this.refresh();
        }, 250);
      }),
    );
    this._register(() => {
      clearTimeout(this.refreshTimer);
      this.following.forEach((release) => release());
      this.following.clear();
    });
  }

  /** Lists the sweeps (k of n, ETA) with Cancel and Results. */
  showSweeps(sweeps: SweepManager): void {
    this.sweeps = sweeps;
    this._register(sweeps.onDidChange(() => this.refresh()));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.attach(view.webview);
    this.whileAttached(
      view.onDidChangeVisibility(() => view.visible && this.refresh()),
      view.onDidDispose(() => {
        this.view = undefined;
        this.detach();
      }),
    );
  }

  protected onMessage(msg: SidebarMessage): void {
    if (msg.method === 'webview/ready') this.refresh();
    else if (msg.method === 'run/open' || msg.method === 'runs/compare') this.panel.openRequested(msg);
    else if (msg.method === 'run/control') this.runs.control(msg.params.id, msg.params.action);
    else if (msg.method === 'sweep/cancel') this.sweeps?.cancel(msg.params.id);
    else if (msg.method === 'sweep/open')
      void vscode.commands.executeCommand('resnetLab.showSweepResults', msg.params.id);
  }

  refresh(): void {
    if (!this.view || !this.isReady || !this.view.visible) return;
    // Run folders are re-read only when a run changes state or every 10 s, not
    // on every batch of iterations: the extension host must stay responsive.
    const folders = this.runs.folders;
    const statuses = [
      ...this.runs.all.map((r) => `${r.view.id}:${r.view.status}:${r.runDir ?? ''}`),
      ...folders.writing.map((w) => `${w.view.id}:${w.view.status}`),
    ].join('|');
    if (statuses !== this.statuses || Date.now() - this.diskReadAt > 10_000) {
      const dir = this.runsDir();
      this.onDisk = dir ? recentRuns(dir) : [];
      this.diskReadAt = Date.now();
      this.statuses = statuses;
      this.followWritten();
    }
    // Runs of this window replace their on-disk entry (run.json lags behind the trainer), and followed ones theirs.
    const live = this.runs.all.filter((r) => r.runDir);
    const onDisk = this.onDisk.filter((d) => !this.runs.byFolder(d.dir)).map((d) => folders.view(d.dir) ?? d.view);
    const recent: RunView[] = [...live.reverse().map((r) => r.view), ...onDisk].slice(0, 20);
    const active = this.runs.active;
    const followed = active ? undefined : folders.writing[0];
    const activeDir = active?.runDir ?? followed?.dir;
    this.post({
      method: 'sidebar/update',
      params: {
        active: active?.view ?? followed?.view,
        activeMetrics: activeDir ? folders.recent(activeDir) : [],
        recent,
        sweeps: this.sweeps?.views(3),
      },
    });
  }

  /** Follows the listed runs that someone else is writing (run.json "running", not a run of this window); lets go of the others. */
  private followWritten(): void {
    const folders = this.runs.folders;
    // "interrupted" on disk may be a run written on another machine (its pid means nothing here): isWrittenNow asks run.json and the files' times.
    const candidates = new Set(
      this.onDisk
        .filter((d) => !this.runs.byFolder(d.dir) && (d.view.status === 'running' || d.view.status === 'interrupted'))
        .map((d) => d.dir),
    );
    for (const [dir, release] of this.following) {
      if (!candidates.has(dir) || !folders.writing.some((w) => w.dir === dir)) {
        release();
        this.following.delete(dir);
      }
    }
    for (const dir of candidates) {
      if (this.following.has(dir) || !isWrittenNow(dir)) continue;
      const release = folders.acquire(dir);
      if (release) this.following.set(dir, release);
    }
  }
}
