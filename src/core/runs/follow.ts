// Following a run folder that another process writes: a train.py of an
// export-keras project (on a cluster with a shared or synced folder), or a CLI
// `resnet-lab train` in a terminal. No trainer of ours is attached, so the
// folder is all there is: metrics.jsonl and gradients.jsonl are tailed as they
// grow (a partial last line waits for its end; a file replaced or truncated,
// as a resume's truncateAfter does, is read again from the start), and
// run.json says whether the run is still going. fs.watch makes it prompt;
// polling makes it work where no events come (network and synced folders).
// No vscode import: the extension's runFolders.ts and panelData.ts, the CLI's
// progress and the tests use it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JsonlTail } from './jsonLines';
import { GradientLineSchema, GradientRecord, MetricLineSchema, MetricRecord } from './metricRecords';
import { GRADIENTS, METRICS, RUN_JSON } from './runFiles';
import { readRunInfo, RunInfo, RunStatus } from './runFolder';
import { isAlive } from './runLock';

export { JsonlTail } from './jsonLines';

/**
 * The records of one run folder not read yet: metrics.jsonl and gradients.jsonl,
 * each tailed. Every reader of a run (a panel showing it, the follower behind
 * the side view, the CLI's progress) has its own tail, so each sees every
 * record exactly once, whoever writes the folder.
 */
export class RunTail {
  readonly metrics: JsonlTail<MetricRecord>;
  readonly gradients: JsonlTail<GradientRecord>;

  constructor(readonly dir: string) {
    this.metrics = new JsonlTail(path.join(dir, METRICS), MetricLineSchema);
    this.gradients = new JsonlTail(path.join(dir, GRADIENTS), GradientLineSchema);
  }
}

/** What run.json says about its writer, as written (readRunInfo turns a "running" whose pid is not alive here into "interrupted"). */
export interface WriterRecord {
  status: RunStatus;
  pid?: number;
  host?: string;
}

export interface WriterState {
  /** What to show: run.json's status, or "interrupted" when its writer is gone or silent. */
  status: RunStatus;
  /** Someone may still append: run.json says "running". */
  writing: boolean;
  /** Running: who writes it ("process 123, not this window"); interrupted: why it is thought to be. */
  message?: string;
}

export interface LivenessOptions {
  now?: () => number;
  hostname?: string;
  isAlive?: (pid: number) => boolean;
  staleMs?: number;
}

/**
 * Whether a run is still being written. A run of this machine (run.json
 * names this host, or no host, as our trainer writes it) is live while its pid
 * is; a pid of another machine means nothing here, so a run written elsewhere
 * is live while its files keep growing.
 */
export function writerState(w: WriterRecord, lastActivity: number, o: LivenessOptions = {}): WriterState {
  if (w.status !== 'running') return { status: w.status, writing: false };
  const host = o.hostname ?? os.hostname();
  if (w.host === undefined || w.host === host) {
    if (w.pid && (o.isAlive ?? isAlive)(w.pid))
      return { status: 'running', writing: true, message: `process ${w.pid}, not this window` };
    return {
      status: 'interrupted',
      writing: true,
      message: `its writer (process ${w.pid ?? '?'}) is gone; the folder keeps its last checkpoint`,
    };
  }
  const idle = (o.now ?? Date.now)() - lastActivity;
  const staleMs = o.staleMs ?? 300_000;
  if (idle <= staleMs) return { status: 'running', writing: true, message: `${w.host}, another machine` };
  return {
    status: 'interrupted',
    writing: true,
    message: `no new records from ${w.host} for ${Math.round(idle / 60_000)} min`,
  };
}

export interface FollowUpdate extends WriterState {
  /** run.json as last read whole (its status as written). */
  info: RunInfo;
  infoChanged: boolean;
  /** New records; after a reset, all of them. */
  metrics: MetricRecord[];
  gradients: GradientRecord[];
  /** metrics.jsonl or gradients.jsonl was replaced or truncated: what was shown before is void. */
  reset: boolean;
  /** run.json says the run ended: nothing more will come. */
  done: boolean;
}

export interface FollowOptions extends LivenessOptions {
  /** Polling interval, also when fs.watch works (network folders report nothing). */
  pollMs?: number;
  /** How long after a change event the folder is read (a burst of appends is one read). */
  settleMs?: number;
  /** Off in tests that drive poll() themselves. */
  watch?: boolean;
}

export class RunFollower {
  private readonly tail: RunTail;
  private info: RunInfo | undefined;
  private writer: WriterRecord | undefined;
  private infoStamp = '';
  private lastActivity = 0;
  private lastState = '';
  private timer: NodeJS.Timeout | undefined;
  private watcher: fs.FSWatcher | undefined;
  private soon: NodeJS.Timeout | undefined;
  private finished = false;

  constructor(
    readonly dir: string,
    private readonly onUpdate: (u: FollowUpdate) => void,
    private readonly o: FollowOptions = {},
  ) {
    this.tail = new RunTail(dir);
  }

  get done(): boolean {
    return this.finished;
  }

  /** Watches and polls until run.json says the run ended or stop() is called; the first update (everything so far) comes at once. */
  start(): this {
    this.safePoll();
    if (this.finished) return this;
    if (this.o.watch !== false) {
      try {
        // The folder, not the files: a write-then-rename replaces run.json's inode, which a file watch would lose.
        this.watcher = fs.watch(this.dir, () => {
          this.soon ??= setTimeout(() => {
            this.soon = undefined;
            this.safePoll();
          }, this.o.settleMs ?? 50);
        });
        this.watcher.on('error', () => {
          this.watcher?.close();
          this.watcher = undefined;
        });
      } catch {
        // No events here (some network file systems): polling alone.
      }
    }
    this.timer = setInterval(() => this.safePoll(), this.o.pollMs ?? 1000);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.soon);
    this.watcher?.close();
    this.timer = this.soon = this.watcher = undefined;
  }

  private safePoll(): void {
    try {
      this.poll();
    } catch {
      // A folder that disappeared or a file being replaced: the next poll tries again.
    }
  }

  /** Reads what is new; calls onUpdate when anything changed (records, run.json, or liveness) and returns that update. */
  poll(): FollowUpdate | undefined {
    if (this.finished) return undefined;
    const infoChanged = this.readInfo();
    if (!this.info || !this.writer) return undefined;
    const m = this.tail.metrics.read();
    const g = this.tail.gradients.read();
    const now = (this.o.now ?? Date.now)();
    if (m.grew || g.grew || infoChanged) this.lastActivity = now;
    const state = writerState(this.writer, this.lastActivity, this.o);
    const done = !state.writing;
    const stateKey = `${state.status}|${state.message}`;
    const changed =
      infoChanged ||
      m.records.length > 0 ||
      g.records.length > 0 ||
      m.reset ||
      g.reset ||
      stateKey !== this.lastState ||
      done;
    this.lastState = stateKey;
    if (done) {
      this.finished = true;
      this.stop();
    }
    if (!changed) return undefined;
    const update: FollowUpdate = {
      ...state,
      info: this.info,
      infoChanged,
      metrics: m.records,
      gradients: g.records,
      reset: m.reset || g.reset,
      done,
    };
    this.onUpdate(update);
    return update;
  }

  /** Re-reads run.json when its file changed; a missing or half-synced one keeps the last whole version. */
  private readInfo(): boolean {
    const file = path.join(this.dir, RUN_JSON);
    let stamp: string;
    try {
      const st = fs.statSync(file);
      stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
      if (this.lastActivity === 0) this.lastActivity = Math.max(st.mtimeMs, mtime(path.join(this.dir, METRICS)));
    } catch {
      return false;
    }
    if (stamp === this.infoStamp) return false;
    try {
      const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as WriterRecord;
      const info = readRunInfo(this.dir);
      this.writer = { status: raw.status, pid: raw.pid, host: raw.host };
      this.info = { ...info, status: raw.status };
      this.infoStamp = stamp;
      return true;
    } catch {
      return false;
    }
  }
}

function mtime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** Whether run.json says someone is writing the run (its status "running", whoever wrote it): worth following. */
export function isBeingWritten(dir: string): boolean {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, RUN_JSON), 'utf8')) as WriterRecord).status === 'running';
  } catch {
    return false;
  }
}

/** Whether someone writes the run now, judged from run.json and the files' times (a list's check, before following it). */
export function isWrittenNow(dir: string, o: LivenessOptions = {}): boolean {
  try {
    const raw = JSON.parse(fs.readFileSync(path.join(dir, RUN_JSON), 'utf8')) as WriterRecord;
    const last = Math.max(...[RUN_JSON, METRICS, GRADIENTS].map((f) => mtime(path.join(dir, f))));
    return writerState(raw, last, o).status === 'running';
  } catch {
    return false;
  }
}
