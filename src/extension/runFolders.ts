// The host's one reader of run folders. Every run reaches the views through
// its folder, whoever writes it: a trainer of this window, a CLI run in a
// terminal, a train.py from export-keras on a synced folder. While run.json
// says a run is being written, one RunFollower (src/core/runs/follow.ts) per
// folder watches it; RunFolders says when a folder changed and keeps what the
// side view and the status bar need (the run as its folder says, its latest
// records). The panel reads the records it shows through its own tail
// (panelData.ts), so nothing is held twice and nothing arrives twice.
import * as vscode from 'vscode';
import { FollowUpdate, isBeingWritten, RunFollower } from '../core/runs/follow';
import { metricViews } from '../core/runs/metricRecords';
import type { MetricRecordView, RunLatest, RunView } from '../protocol/webview';
import { Disposable } from './lifecycle';
import { latestOf } from './panelData';
import { runViewFromInfo } from './runViews';

export interface FolderChange {
  dir: string;
  /** The run as its folder says now. */
  view: RunView;
  /** metrics.jsonl or gradients.jsonl was replaced or truncated (a resume): read the run again. */
  reset: boolean;
}

/** The side view's mini chart holds the latest records only. */
const RECENT = 2000;
/** A burst of appends is read once: records reach the panel within this, plus the panel's post. */
const SETTLE_MS = 100;

interface Followed {
  follower: RunFollower;
  users: number;
  view?: RunView;
  recent: MetricRecordView[];
  latest: RunLatest;
  updatedAt: number;
  /** Written by a trainer of this window (the run manager holds it): not listed as someone else's. */
  own: boolean;
}

export class RunFolders extends Disposable {
  private readonly followed = new Map<string, Followed>();
  private readonly emitter = this._register(new vscode.EventEmitter<FolderChange>());
  readonly onDidChange = this.emitter.event;

  constructor() {
    super();
    this._register(() => {
      for (const f of this.followed.values()) f.follower.stop();
      this.followed.clear();
    });
  }

  /**
   * Follows `dir` until the returned release is called, when run.json says the
   * run is being written; undefined when it is not (a finished run is read
   * once by whoever shows it). `own`: a trainer of this window writes it.
   */
  acquire(dir: string, own = false): (() => void) | undefined {
    let f = this.followed.get(dir);
    if (!f) {
      if (!isBeingWritten(dir)) return undefined;
      const entry: Followed = {
        follower: new RunFollower(dir, (u) => this.onUpdate(dir, entry, u), { settleMs: SETTLE_MS }),
        users: 0,
        recent: [],
        latest: {},
        updatedAt: 0,
        own,
      };
      this.followed.set(dir, entry);
      entry.follower.start();
      f = entry;
    }
    f.own ||= own;
    const held = f;
    held.users++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--held.users > 0) return;
      held.follower.stop();
      if (this.followed.get(dir) === held) this.followed.delete(dir);
    };
  }

  /** Reads a followed folder now (its trainer exited: whatever it wrote last is there). */
  poll(dir: string): void {
    try {
      this.followed.get(dir)?.follower.poll();
    } catch {
      // A folder removed under us: nothing more to read.
    }
  }

  /** The run as its folder says now; undefined when it is not followed. */
  view(dir: string): RunView | undefined {
    return this.followed.get(dir)?.view;
  }

  /** The latest records of a followed run (the side view's mini chart). */
  recent(dir: string): MetricRecordView[] {
    return this.followed.get(dir)?.recent ?? [];
  }

  /** The last iteration and the last tested epoch of a followed run (the status bar). */
  latest(dir: string): RunLatest {
    return this.followed.get(dir)?.latest ?? {};
  }

  /** Runs someone else writes now (run.json running), the most recently updated first. */
  get writing(): { dir: string; view: RunView }[] {
    return [...this.followed.entries()]
      .filter(([, f]) => !f.own && f.view?.status === 'running')
      .sort(([, a], [, b]) => b.updatedAt - a.updatedAt)
      .map(([dir, f]) => ({ dir, view: f.view! }));
  }

  private onUpdate(dir: string, f: Followed, u: FollowUpdate): void {
    const view: RunView = {
      ...runViewFromInfo(dir, u.info),
      status: u.status,
      message: u.writing ? u.message : undefined,
      followed: !f.own,
    };
    if (!u.writing)
      Object.assign(view, {
        finalTrainError: u.info.final?.trainError ?? null,
        finalTestError: u.info.final?.testError ?? null,
      });
    const records = metricViews(u.metrics);
    f.view = view;
    f.updatedAt = Date.now();
    f.recent = (u.reset ? records : [...f.recent, ...records]).slice(-RECENT);
    f.latest = latestOf(records, u.reset ? {} : f.latest);
    this.emitter.fire({ dir, view, reset: u.reset });
  }
}
