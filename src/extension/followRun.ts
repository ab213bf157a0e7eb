// The host side of following a run folder that another process writes (a
// train.py from export-keras, a CLI run in a terminal, another window's
// trainer): one RunFollower (src/core/runs/follow.ts) per folder, shared by
// the panel and the side view, turned into run views and record views as the
// webviews know them. No trainer of ours is attached, so these runs have no
// Stop/Pause (RunView.followed).
import * as vscode from 'vscode';
import { FollowUpdate, isBeingWritten, RunFollower } from '../core/runs/follow';
import type { GradientRecordView, MetricRecordView, RunView } from '../protocol/webview';
import { metricViews } from '../core/runs/metricRecords';
import { runViewFromInfo } from './runViews';

export interface FollowedUpdate {
  dir: string;
  view: RunView;
  records: MetricRecordView[];
  gradients: GradientRecordView[];
  /** The folder's files were replaced or truncated: read the run again. */
  reset: boolean;
}

/** The side view's mini chart holds the latest records only. */
const RECENT = 2000;

interface Followed {
  follower: RunFollower;
  users: number;
  view?: RunView;
  recent: MetricRecordView[];
  updatedAt: number;
}

export class FollowedRuns implements vscode.Disposable {
  private readonly followed = new Map<string, Followed>();
  private readonly emitter = new vscode.EventEmitter<FollowedUpdate>();
  readonly onDidUpdate = this.emitter.event;

  /**
   * Follows `dir` while the returned release function is not called, when
   * run.json says the run is being written; undefined when it is not (a
   * finished run is read once, as before).
   */
  acquire(dir: string): (() => void) | undefined {
    let f = this.followed.get(dir);
    if (!f) {
      if (!isBeingWritten(dir)) return undefined;
      const entry: Followed = {
        follower: new RunFollower(dir, (u) => this.onUpdate(dir, entry, u)),
        users: 0,
        recent: [],
        updatedAt: 0,
      };
      this.followed.set(dir, entry);
      entry.follower.start();
      f = entry;
    }
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

  /** The run as its folder says now; undefined when it is not followed. */
  view(dir: string): RunView | undefined {
    return this.followed.get(dir)?.view;
  }

  /** The latest records of a followed run (for the side view's mini chart). */
  recent(dir: string): MetricRecordView[] {
    return this.followed.get(dir)?.recent ?? [];
  }

  /** Followed runs being written now (status running), the most recently updated first. */
  get writing(): RunView[] {
    return [...this.followed.values()]
      .filter((f) => f.view?.status === 'running')
      .sort((a, b) => b.updatedAt - a.updatedAt)
      .map((f) => f.view!);
  }

  private onUpdate(dir: string, f: Followed, u: FollowUpdate): void {
    const view: RunView = {
      ...runViewFromInfo(dir, u.info),
      status: u.status,
      message: u.writing ? u.message : undefined,
      followed: true,
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
    this.emitter.fire({ dir, view, records, gradients: u.gradients, reset: u.reset });
  }

  dispose(): void {
    for (const f of this.followed.values()) f.follower.stop();
    this.followed.clear();
    this.emitter.dispose();
  }
}
