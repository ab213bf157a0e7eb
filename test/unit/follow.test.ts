// Following a run folder another process writes (src/core/runs/follow.ts):
// appended lines, a line still being written, a file truncated or replaced
// (a resume rewrites metrics.jsonl), and the end of the run as run.json says.
// The tests drive poll() themselves: no timers, no timing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  FollowUpdate,
  isBeingWritten,
  isWrittenNow,
  JsonlTail,
  RunFollower,
  writerState,
} from '../../src/core/runs/follow';
import { readRunInfo, type RunInfo } from '../../src/core/runs/runFolder';
import { MetricLineSchema, readMetrics } from '../../src/core/runs/metricRecords';
import { tempDir } from '../support/tempDir';

const tmp = tempDir('follow');
let n = 0;
const fresh = () => {
  const d = path.join(tmp, `d${++n}`);
  fs.mkdirSync(d);
  return d;
};
const line = (i: number) =>
  JSON.stringify({ type: 'iteration', iteration: i, epoch: 1, loss: 2.3 - i / 100, trainError: 0.9 - i / 100 }) + '\n';
const its = (records: { iteration: number }[]) => records.map((r) => r.iteration);

test('JsonlTail: appended lines come once each; a line without its newline waits for it', () => {
  const file = path.join(fresh(), 'metrics.jsonl');
  const tail = new JsonlTail<{ iteration: number }>(file);
  assert.deepEqual(tail.read(), { records: [], skipped: 0, reset: false, grew: false }, 'no file yet');
  fs.writeFileSync(file, line(1) + line(2));
  assert.deepEqual(its(tail.read().records), [1, 2]);
  assert.deepEqual(its(tail.read().records), [], 'nothing new');
  const third = line(3);
  fs.appendFileSync(file, third.slice(0, 20));
  const partial = tail.read();
  assert.deepEqual([its(partial.records), partial.grew], [[], true], 'half a line is not a record');
  fs.appendFileSync(file, third.slice(20) + line(4).slice(0, 5));
  assert.deepEqual(its(tail.read().records), [3]);
  fs.appendFileSync(file, line(4).slice(5));
  assert.deepEqual(its(tail.read().records), [4]);
});

test('JsonlTail.readToEnd, as the report reads a finished file: a last line without its newline is a record; a torn one is counted as skipped', () => {
  const file = path.join(fresh(), 'metrics.jsonl');
  fs.writeFileSync(file, line(1) + 'not json\n' + line(2).trimEnd());
  const whole = new JsonlTail<{ iteration: number }>(file).readToEnd();
  assert.deepEqual([its(whole.records), whole.skipped], [[1, 2], 1]);
  fs.writeFileSync(file, line(1) + line(2).slice(0, 20));
  const torn = new JsonlTail<{ iteration: number }>(file).readToEnd();
  assert.deepEqual([its(torn.records), torn.skipped], [[1], 1]);
  // The same reader the follower tails with: what it reads at the end equals what readMetricLines reads.
  const tail = new JsonlTail<{ iteration: number }>(file, MetricLineSchema);
  assert.deepEqual(its(tail.read().records), [1], 'a tail waits for the torn line');
  assert.deepEqual(tail.readToEnd(), { records: [], skipped: 1 }, 'and at the end counts it');
});

test('JsonlTail: a multi-byte character split over two writes is read whole', () => {
  const file = path.join(fresh(), 'm.jsonl');
  const tail = new JsonlTail<{ name: string }>(file);
  const bytes = Buffer.from(JSON.stringify({ name: 'größe→∞' }) + '\n');
  fs.writeFileSync(file, bytes.subarray(0, 12)); // inside the two-byte "ö"
  assert.deepEqual(tail.read().records, []);
  fs.appendFileSync(file, bytes.subarray(12));
  assert.deepEqual(tail.read().records, [{ name: 'größe→∞' }]);
});

test('JsonlTail: a file truncated in place, replaced by a rename, rewritten in place or removed is read again from the start', () => {
  const dir = fresh();
  const file = path.join(dir, 'metrics.jsonl');
  const tail = new JsonlTail<{ iteration: number }>(file);
  fs.writeFileSync(file, [1, 2, 3, 4].map(line).join(''));
  assert.deepEqual(its(tail.read().records), [1, 2, 3, 4]);

  // Truncated in place (a resume keeping records up to its checkpoint), then appended to.
  fs.truncateSync(file, line(1).length + line(2).length);
  fs.appendFileSync(file, line(3).replace('"loss":2.27', '"loss":2.5'));
  let r = tail.read();
  assert.equal(r.reset, true);
  assert.deepEqual(its(r.records), [1, 2, 3]);
  assert.equal((r.records[2] as { loss?: number }).loss, 2.5, 'the new third record, not the old one');

  // Replaced by write-then-rename (truncateAfter, a synced folder): a new inode, longer than before.
  fs.writeFileSync(`${file}.tmp`, [1, 2, 3, 4, 5].map(line).join(''));
  fs.renameSync(`${file}.tmp`, file);
  r = tail.read();
  assert.deepEqual([r.reset, its(r.records)], [true, [1, 2, 3, 4, 5]]);

  // Rewritten in place to the same length with other records (same inode, same size): the bytes before the read position changed.
  const other = [1, 2, 3, 4, 5].map((i) => line(i).replace('"epoch":1', '"epoch":2')).join('');
  assert.equal(other.length, fs.statSync(file).size);
  fs.writeFileSync(file, other + line(6));
  r = tail.read();
  assert.deepEqual([r.reset, its(r.records)], [true, [1, 2, 3, 4, 5, 6]]);
  assert.deepEqual(
    r.records.map((x) => (x as { epoch?: number }).epoch),
    [2, 2, 2, 2, 2, 1],
    'the rewritten records, then the appended one',
  );

  fs.rmSync(file);
  assert.deepEqual(tail.read(), { records: [], skipped: 0, reset: true, grew: false });
  fs.writeFileSync(file, line(1));
  assert.deepEqual(its(tail.read().records), [1]);
});

const graph = {
  name: 'toy',
  nodes: [{ id: 'input', className: 'InputLayer', outputShape: [null, 32, 32, 3], params: 0 }],
  edges: [],
};
function runInfo(status: RunInfo['status'], extra: Record<string, unknown> = {}): object {
  return {
    id: 'r',
    experiment: 'toy',
    file: '/x/toy.ts',
    createdAt: '2026-11-30T16:00:00.000Z',
    status,
    backend: 'keras',
    recipe: {
      data: { name: 'synthetic' },
      epochs: 2,
      batchSize: 32,
      optimizer: { lr: 0.1, momentum: 0.9, weightDecay: 1e-4 },
      schedule: { gamma: 0.1 },
      seed: 1,
      gradientNormEvery: 4,
    },
    overrides: {},
    dataset: { name: 'synthetic', source: 'generated', train: 256, test: 128, inputShape: [32, 32, 3], classNames: [] },
    summary: { name: 'toy', totalParams: 0, trainableParams: 0, depth: 0, shortcuts: 0, layers: [] },
    graph,
    iterationsPerEpoch: 8,
    totalIterations: 16,
    epochs: 2,
    ...extra,
  };
}
const writeInfo = (dir: string, info: object) => {
  fs.writeFileSync(path.join(dir, 'run.json.tmp'), JSON.stringify(info));
  fs.renameSync(path.join(dir, 'run.json.tmp'), path.join(dir, 'run.json'));
};

test('RunFollower: live while run.json says running and its writer is alive, then finished, with every record once', () => {
  const dir = fresh();
  writeInfo(dir, runInfo('running', { pid: process.pid }));
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), line(1) + line(2));
  const updates: FollowUpdate[] = [];
  const follower = new RunFollower(dir, (u) => updates.push(u), { watch: false });
  assert.equal(isBeingWritten(dir), true);

  const first = follower.poll()!;
  assert.deepEqual([first.status, first.writing, first.done, first.infoChanged], ['running', true, false, true]);
  assert.equal(first.message, `process ${process.pid}, not this window`);
  assert.deepEqual(its(first.metrics), [1, 2]);
  assert.equal(follower.poll(), undefined, 'nothing changed: no update');

  fs.appendFileSync(path.join(dir, 'metrics.jsonl'), line(3) + line(4).slice(0, 10));
  fs.appendFileSync(
    path.join(dir, 'gradients.jsonl'),
    JSON.stringify({ iteration: 1, layers: [{ name: 'conv1', norm: 0.5 }] }) + '\n',
  );
  const second = follower.poll()!;
  assert.deepEqual(
    [its(second.metrics), second.gradients.map((g) => g.layers[0].norm), second.infoChanged],
    [[3], [0.5], false],
  );

  // The writer's last records and its final run.json land between two polls: both arrive in the last update.
  fs.appendFileSync(
    path.join(dir, 'metrics.jsonl'),
    line(4).slice(10) + JSON.stringify({ type: 'epoch', iteration: 4, epoch: 1, testError: 0.42 }) + '\n',
  );
  writeInfo(dir, runInfo('finished', { pid: process.pid, final: { iteration: 4, trainError: 0.8, testError: 0.42 } }));
  assert.equal(isBeingWritten(dir), false);
  const last = follower.poll()!;
  assert.deepEqual([last.status, last.writing, last.done, last.infoChanged], ['finished', false, true, true]);
  assert.deepEqual(
    last.metrics.map((m) => [m.type, m.iteration]),
    [
      ['iteration', 4],
      ['epoch', 4],
    ],
  );
  assert.equal(last.info.final?.testError, 0.42);
  assert.equal(follower.done, true);
  fs.appendFileSync(path.join(dir, 'metrics.jsonl'), line(5));
  assert.equal(follower.poll(), undefined, 'a finished run is not read any more');
  assert.deepEqual(
    updates.map((u) => its(u.metrics)),
    [[1, 2], [3], [4, 4]],
  );
});

test('RunFollower: a truncated metrics.jsonl (a resume) is a reset with the records from the start', () => {
  const dir = fresh();
  writeInfo(dir, runInfo('running', { pid: process.pid }));
  const file = path.join(dir, 'metrics.jsonl');
  fs.writeFileSync(file, [1, 2, 3, 4].map(line).join(''));
  const follower = new RunFollower(dir, () => undefined, { watch: false });
  assert.deepEqual(its(follower.poll()!.metrics), [1, 2, 3, 4]);
  fs.writeFileSync(`${file}.tmp`, [1, 2].map(line).join(''));
  fs.renameSync(`${file}.tmp`, file);
  const u = follower.poll()!;
  assert.deepEqual([u.reset, its(u.metrics)], [true, [1, 2]]);
});

test('writerState: a run of this machine is live while its pid is; one of another machine while its files grow', () => {
  const alive = (pid: number) => pid === 42;
  const o = { hostname: 'laptop', isAlive: alive, now: () => 1_000_000, staleMs: 60_000 };
  assert.deepEqual(writerState({ status: 'finished', pid: 42 }, 0, o), { status: 'finished', writing: false });
  assert.equal(writerState({ status: 'running', pid: 42 }, 0, o).status, 'running', 'no host: ours, its pid decides');
  assert.equal(writerState({ status: 'running', pid: 42, host: 'laptop' }, 0, o).status, 'running');
  const gone = writerState({ status: 'running', pid: 7, host: 'laptop' }, 999_999, o);
  assert.deepEqual([gone.status, gone.writing], ['interrupted', true], 'its process is gone, though records just came');
  assert.match(gone.message!, /process 7\) is gone/);
  // pid 7 means nothing on this machine: activity decides.
  const remote = writerState({ status: 'running', pid: 7, host: 'gpu-node-3' }, 1_000_000 - 30_000, o);
  assert.deepEqual([remote.status, remote.writing], ['running', true]);
  assert.equal(remote.message, 'gpu-node-3, another machine');
  const silent = writerState({ status: 'running', pid: 7, host: 'gpu-node-3' }, 1_000_000 - 180_000, o);
  assert.deepEqual(
    [silent.status, silent.writing, silent.message],
    ['interrupted', true, 'no new records from gpu-node-3 for 3 min'],
  );
});

test('RunFollower: a run written on another machine turns interrupted when silent and running again when records come', () => {
  const dir = fresh();
  writeInfo(dir, runInfo('running', { pid: 999_999_999, host: 'gpu-node-3' }));
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), line(1));
  let now = 5_000_000;
  const follower = new RunFollower(dir, () => undefined, {
    watch: false,
    now: () => now,
    staleMs: 60_000,
    hostname: 'laptop',
  });
  const first = follower.poll()!;
  assert.deepEqual([first.status, its(first.metrics)], ['running', [1]]);
  now += 61_000;
  const silent = follower.poll()!;
  assert.deepEqual([silent.status, silent.done, silent.metrics.length], ['interrupted', false, 0]);
  fs.appendFileSync(path.join(dir, 'metrics.jsonl'), line(2));
  now += 1_000;
  const back = follower.poll()!;
  assert.deepEqual([back.status, its(back.metrics)], ['running', [2]]);
});

test('RunFollower.start: fs.watch or the polling fallback delivers appended records without poll() being called', async () => {
  const dir = fresh();
  writeInfo(dir, runInfo('running', { pid: process.pid }));
  const got: number[] = [];
  let resolveDone!: () => void;
  const finished = new Promise<void>((r) => (resolveDone = r));
  const follower = new RunFollower(
    dir,
    (u) => {
      got.push(...its(u.metrics));
      if (u.done) resolveDone();
    },
    { pollMs: 100 },
  ).start();
  fs.appendFileSync(path.join(dir, 'metrics.jsonl'), line(1));
  await new Promise((r) => setTimeout(r, 300));
  fs.appendFileSync(path.join(dir, 'metrics.jsonl'), line(2));
  writeInfo(dir, runInfo('stopped', { pid: process.pid }));
  await finished;
  follower.stop();
  assert.deepEqual(got, [1, 2]);
});

test('isWrittenNow: running with a live writer here, or recently touched by another machine; not a finished run or a dead local writer', () => {
  const dir = fresh();
  writeInfo(dir, runInfo('running', { pid: process.pid }));
  assert.equal(isWrittenNow(dir), true);
  writeInfo(dir, runInfo('running', { pid: 999_999_999 }));
  assert.deepEqual(
    [isWrittenNow(dir), isBeingWritten(dir)],
    [false, true],
    'run.json says running, but its process is gone',
  );
  writeInfo(dir, runInfo('running', { pid: 999_999_999, host: 'gpu-node-3' }));
  const touched = fs.statSync(path.join(dir, 'run.json')).mtimeMs;
  assert.equal(isWrittenNow(dir, { hostname: 'laptop', now: () => touched + 1_000, staleMs: 60_000 }), true);
  assert.equal(isWrittenNow(dir, { hostname: 'laptop', now: () => touched + 61_000, staleMs: 60_000 }), false);
  writeInfo(dir, runInfo('finished', { pid: process.pid }));
  assert.equal(isWrittenNow(dir), false);
  assert.equal(isWrittenNow(path.join(dir, 'nope')), false);
});

test('readRunInfo: a dead pid makes a local "running" run interrupted; a pid of another host is left to the follower', () => {
  const deadPid = 2 ** 22 + 12345; // above Linux's pid_max default: never alive
  const local = fresh();
  writeInfo(local, runInfo('running', { pid: deadPid, host: os.hostname() }));
  assert.equal(readRunInfo(local).status, 'interrupted');
  const unnamed = fresh();
  writeInfo(unnamed, runInfo('running', { pid: deadPid }));
  assert.equal(readRunInfo(unnamed).status, 'interrupted', 'no host: written by this machine');
  const elsewhere = fresh();
  writeInfo(elsewhere, runInfo('running', { pid: deadPid, host: `${os.hostname()}-cluster-node` }));
  assert.equal(readRunInfo(elsewhere).status, 'running');
});

test('JsonlTail with the metrics checks skips a line without type/iteration/epoch, as readMetrics does', () => {
  const dir = fresh();
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), line(1) + JSON.stringify({ loss: 1 }) + '\n' + line(2));
  const tail = new JsonlTail<{ iteration: number }>(path.join(dir, 'metrics.jsonl'), MetricLineSchema);
  assert.deepEqual(its(tail.read().records), its(readMetrics(dir)));
  assert.deepEqual(its(readMetrics(dir)), [1, 2]);
});
