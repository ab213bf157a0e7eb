// A sweep's grid, its queue on disk and the runner that works it off: the
// order of the points, recovery after a crash mid-write, a failed run recorded
// while the queue goes on, `parallel`, cancel, the lock, the ETA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findSweeps } from '../../src/core/experiments/findSweeps';
import { axesProblem, narrowAxes, parseOnly, sweep, sweepPoints } from '../../src/core/lib/sweep';
import { experiment } from '../../src/core/lib/experiment';
import { resnetCifar } from '../../src/core/lib/cifar';
import {
  createQueue,
  etaSeconds,
  progressLine,
  Queue,
  QUEUE_FILE,
  readQueue,
  writeQueue,
} from '../../src/core/sweeps/queue';
import { lockQueue, queueHolder, RUNNER_LOCK, RunOutcome, StartRun, SweepRunner } from '../../src/core/sweeps/runner';
import { liveLockHolder, lockRun } from '../../src/core/runs/runLock';
import { RunFolderError } from '../../src/core/runs/runErrors';
import { tempDir } from '../support/tempDir';

const tmp = tempDir('sweeps');

const AXES = { depth: [20, 56], block: ['plain', 'residual'] } as const;
let n = 0;
const newQueue = (parallel = 1) =>
  createQueue(path.join(tmp, `s${n++}`), { file: 'm.ts', sweep: 'grid', axes: AXES, owner: 'cli', parallel });

/** A run that "trains" by writing a folder and returning an error derived from its point. */
const fakeRun =
  (log: number[], fail?: number): StartRun =>
  async (run, _q, onRunDir) => {
    log.push(run.point);
    const dir = path.join(tmp, `run-${run.point}-${log.length}-${n++}`);
    fs.mkdirSync(dir);
    onRunDir(dir);
    await new Promise((r) => setTimeout(r, 5));
    if (run.point === fail) return { status: 'failed', message: 'out of memory' };
    return { status: 'finished', runDir: dir, trainError: 0.1, testError: (20 + run.point) / 100 };
  };

test('a sweep is the grid of its axes, the last axis fastest; bad axes are one clear line', () => {
  assert.deepEqual(sweepPoints(AXES), [
    { depth: 20, block: 'plain' },
    { depth: 20, block: 'residual' },
    { depth: 56, block: 'plain' },
    { depth: 56, block: 'residual' },
  ]);
  const s = sweep({ depth: [20, 32], seed: [1, 2, 3] }, (p) =>
    experiment({ model: resnetCifar({ depth: p.depth }), seed: p.seed }),
  );
  assert.equal(sweepPoints(s.axes).length, 6);
  assert.equal(s.build({ depth: 32, seed: 3 }).config.seed, 3);
  assert.equal(
    axesProblem({ depth: [] }),
    'sweep axis "depth" must be a non-empty array of values, e.g. depth: [1, 2]',
  );
  assert.equal(axesProblem({ seed: [1, 1] }), 'sweep axis "seed" lists a value twice');
  assert.equal(axesProblem({ a: [{}] }), 'sweep axis "a" holds {}: axis values are strings, numbers or booleans');
  assert.throws(() => sweep({}, () => experiment({ model: resnetCifar({ depth: 20 }) })), /at least one axis/);
});

test('the CodeLens reads the run count off literal axes, and leaves it unknown for axes built in code', () => {
  const src = [
    "import { sweep } from 'resnet-lab';",
    '// export const old = sweep({ depth: [1] }, f);',
    "export const depths = sweep({ depth: [20, 32, 44, 56], shortcut: ['A', 'B'], seed: [1, 2] }, (p) =>",
    '  experiment({ model: resnetCifar({ depth: p.depth, shortcut: p.shortcut }), seed: p.seed }));',
    'export const other = sweep({ depth: DEPTHS, seed: [1, 2] }, build);',
    'export const nested = sweep({ widths: [[8, 16, 32], [16, 32, 64]] }, build);',
  ].join('\n');
  assert.deepEqual(findSweeps(src), [
    { name: 'depths', line: 2, column: 0, axes: ['depth', 'shortcut', 'seed'], runs: 16 },
    { name: 'other', line: 4, column: 0, axes: ['depth', 'seed'], runs: undefined },
    { name: 'nested', line: 5, column: 0, axes: ['widths'], runs: 2 },
  ]);
});

test('the runner works the queue off in order and records every outcome on disk', async () => {
  const dir = newQueue();
  const log: number[] = [];
  const q = await new SweepRunner(dir, fakeRun(log)).run();
  assert.deepEqual(log, [0, 1, 2, 3]);
  const onDisk = readQueue(dir);
  assert.deepEqual(onDisk, JSON.parse(JSON.stringify(q)), 'what the runner returns is what is on disk');
  assert.deepEqual(
    onDisk.runs.map((r) => [r.status, r.testError]),
    [
      ['finished', 0.2],
      ['finished', 0.21],
      ['finished', 0.22],
      ['finished', 0.23],
    ],
  );
  assert.ok(!fs.existsSync(path.join(dir, RUNNER_LOCK)), 'the lock is released');
});

test('a failed run is recorded with its reason and the queue goes on', async () => {
  const dir = newQueue();
  const log: number[] = [];
  const q = await new SweepRunner(dir, fakeRun(log, 1)).run();
  assert.deepEqual(log, [0, 1, 2, 3]);
  assert.deepEqual(
    q.runs.map((r) => r.status),
    ['finished', 'failed', 'finished', 'finished'],
  );
  assert.equal(q.runs[1].message, 'out of memory');
  assert.match(q.runs[1].runDir ?? '', /run-1-2-\d+$/, 'the failed run keeps its folder');
  // A runner that throws is a failed run too, not a stopped queue.
  const dir2 = newQueue();
  const q2 = await new SweepRunner(dir2, (run) =>
    run.point === 0
      ? Promise.reject(new Error('trainer would not start'))
      : fakeRun([])(run, q, () => {}, new AbortController().signal),
  ).run();
  assert.deepEqual(
    q2.runs.map((r) => [r.status, r.message]),
    [
      ['failed', 'trainer would not start'],
      ['finished', undefined],
      ['finished', undefined],
      ['finished', undefined],
    ],
  );
});

test('resume after a crash mid-write: the last whole queue.json is read, the interrupted run is run again', async () => {
  const dir = newQueue();
  // The crashed runner had finished run 0 and was training run 1 ...
  const q = readQueue(dir);
  Object.assign(q.runs[0], { status: 'finished', testError: 0.3, runDir: path.join(tmp, 'crashed-0') });
  Object.assign(q.runs[1], {
    status: 'running',
    runDir: path.join(tmp, 'crashed-1'),
    startedAt: new Date().toISOString(),
  });
  writeQueue(dir, q);
  // ... and died (SIGKILL) halfway through writing the next version and holding the lock.
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  fs.writeFileSync(path.join(dir, `${QUEUE_FILE}.${dead}.tmp`), '{"version": 1, "runs": [{"poi');
  fs.writeFileSync(path.join(dir, RUNNER_LOCK), String(dead));
  const log: number[] = [];
  const resumed = await new SweepRunner(dir, fakeRun(log)).run();
  assert.deepEqual(log, [1, 2, 3], 'run 0 is not trained again');
  assert.deepEqual(
    resumed.runs.map((r) => [r.status, r.testError]),
    [
      ['finished', 0.3],
      ['finished', 0.21],
      ['finished', 0.22],
      ['finished', 0.23],
    ],
  );
  assert.deepEqual(resumed.runs[1].abandoned, [path.join(tmp, 'crashed-1')]);
});

test('a queue held by a live process is refused; parallel 2 runs two at a time', async () => {
  const dir = newQueue(2);
  const release = lockQueue(dir, process.ppid);
  await assert.rejects(
    new SweepRunner(dir, fakeRun([])).run(),
    new RegExp(`already running \\(pid ${process.ppid}\\)`),
  );
  release();
  fs.rmSync(path.join(dir, RUNNER_LOCK), { force: true });
  let running = 0,
    most = 0;
  const q = await new SweepRunner(dir, async (run): Promise<RunOutcome> => {
    most = Math.max(most, ++running);
    await new Promise((r) => setTimeout(r, 20));
    running--;
    return { status: 'finished', testError: run.point / 10 };
  }).run();
  assert.equal(most, 2);
  assert.ok(q.runs.every((r) => r.status === 'finished'));
});

test('cancel: the running run is asked to stop, the rest are marked cancelled', async () => {
  const dir = newQueue();
  const runner = new SweepRunner(dir, (run, _q, _d, signal) => {
    if (run.point === 1) setTimeout(() => runner.cancel(), 5);
    return new Promise((resolve) => {
      if (run.point === 0) return resolve({ status: 'finished', testError: 0.5 });
      signal.addEventListener('abort', () => resolve({ status: 'cancelled', message: 'stopped' }));
    });
  });
  const q = await runner.run();
  assert.deepEqual(
    q.runs.map((r) => r.status),
    ['finished', 'cancelled', 'cancelled', 'cancelled'],
  );
  assert.deepEqual(
    readQueue(dir).runs.map((r) => r.status),
    ['finished', 'cancelled', 'cancelled', 'cancelled'],
  );
});

test('ETA: the mean time of finished runs times what is left, shared by the parallel runners', () => {
  const q: Queue = readQueue(newQueue());
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const iso = (s: number) => new Date(t0 + s * 1000).toISOString();
  Object.assign(q.runs[0], { status: 'finished', startedAt: iso(0), endedAt: iso(10) });
  Object.assign(q.runs[1], { status: 'finished', startedAt: iso(10), endedAt: iso(40) });
  Object.assign(q.runs[2], { status: 'running', startedAt: iso(40) });
  const now = new Date(t0 + 45_000);
  // 20 s a run: run 2 has 15 s left, run 3 all 20.
  assert.equal(etaSeconds(q, now), 35);
  assert.equal(progressLine(q, now), '2 of 4 · ETA 35 s');
  q.parallel = 2;
  assert.equal(etaSeconds(q, now), 17.5);
  // Before any has finished, the running run's progress says how long one takes.
  const fresh = readQueue(newQueue());
  Object.assign(fresh.runs[0], { status: 'running', startedAt: iso(0) });
  assert.equal(etaSeconds(fresh, new Date(t0 + 30_000), 0.25), 120 - 30 + 3 * 120);
  assert.equal(etaSeconds(fresh, new Date(t0 + 30_000)), undefined);
});

test('a part of the grid (--only depth=20,56): its runs keep their numbers in the whole grid', () => {
  const full = { net: ['plain', 'resnet'], depth: [20, 32, 56] } as const;
  const only = narrowAxes(full, parseOnly(['depth=20,56']));
  assert.deepEqual(only, { net: ['plain', 'resnet'], depth: [20, 56] });
  const q = readQueue(
    createQueue(path.join(tmp, `only${n++}`), { file: 'm.ts', sweep: 'deg', axes: full, only, owner: 'cli' }),
  );
  assert.deepEqual(q.axes, { net: ['plain', 'resnet'], depth: [20, 56] });
  assert.deepEqual(
    q.runs.map((r) => [r.point, r.params.net, r.params.depth]),
    [
      [0, 'plain', 20],
      [2, 'plain', 56],
      [3, 'resnet', 20],
      [5, 'resnet', 56],
    ],
  );
  assert.throws(() => narrowAxes(full, { depth: ['50'] }), /axis "depth" has no value 50 \(its values: 20, 32, 56\)/);
  assert.throws(() => narrowAxes(full, { width: ['8'] }), /the sweep has no axis "width" \(its axes: net, depth\)/);
  assert.throws(() => parseOnly(['depth']), /write it as axis=value,value/);
});

test('one pid lock for run folders and sweeps: a live holder is refused by name, a dead one taken over, release frees it', () => {
  const dir = tempDir('locks');
  const release = lockRun(dir);
  assert.throws(
    () => lockRun(dir, process.pid + 1),
    (e: Error) => e instanceof RunFolderError && /is still training \(pid \d+\): stop it first/.test(e.message),
  );
  assert.equal(liveLockHolder(dir), process.pid);
  release();
  assert.equal(liveLockHolder(dir), undefined);
  // A pid that is not alive (beyond the kernel's pid range) holds nothing: its lock is taken over.
  fs.writeFileSync(path.join(dir, RUNNER_LOCK), '4194305');
  assert.equal(queueHolder(dir), undefined);
  const releaseQueue = lockQueue(dir);
  assert.equal(queueHolder(dir), process.pid);
  assert.throws(() => lockQueue(dir, process.pid + 1), /sweep .* is already running \(pid \d+\)/);
  releaseQueue();
  assert.equal(fs.existsSync(path.join(dir, RUNNER_LOCK)), false);
});
