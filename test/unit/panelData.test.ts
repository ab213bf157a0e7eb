// The panel's host-side data is read from the run folder through its own
// tail: the whole folder when shown, then each append exactly once, whoever
// writes the folder; a folder rewritten by a resume is read again whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gradientsOf, openRun, readNew } from '../../src/extension/panelData';
import { GRADIENTS, METRICS } from '../../src/core/runs/runFiles';
import type { RunView } from '../../src/protocol/webview';
import { tempDir } from '../support/tempDir';

const tmp = tempDir('panel-data');

const it = (i: number) => ({
  type: 'iteration',
  iteration: i,
  epoch: 1,
  trainError: i / 100,
  loss: 1,
  lr: 0.1,
  imagesPerSec: 10,
});
const epoch = (i: number, testError: number) => ({
  type: 'epoch',
  iteration: i,
  epoch: 1,
  trainLoss: 1,
  trainError: 0.5,
  testLoss: 1,
  testError,
  seconds: 1,
});
const grad = (i: number) => ({ iteration: i, layers: [{ name: 'conv1', norm: i }] });
const lines = (records: object[]) => records.map((r) => JSON.stringify(r) + '\n').join('');
const view: RunView = { id: 'run-1', experiment: 'e', status: 'running' };

test('a shown folder is read whole, then each appended record exactly once (curves, counters, gradients)', () => {
  const dir = fs.mkdtempSync(path.join(tmp, 'run-'));
  fs.writeFileSync(path.join(dir, METRICS), lines([it(1), it(2), it(3)]));
  fs.writeFileSync(path.join(dir, GRADIENTS), lines([grad(2)]));
  const run = openRun(view, dir);
  assert.equal(run.curves.length, 3);
  assert.equal(run.latest.last?.iteration, 3);
  assert.deepEqual(gradientsOf(run).iterations, [2]);

  // Nothing new: nothing to send.
  assert.deepEqual(readNew(run), { records: [], gradients: [], reset: false });
  // The trainer appends an iteration, an epoch and a half-written line.
  fs.appendFileSync(path.join(dir, METRICS), lines([it(4), epoch(4, 0.5)]) + '{"type":"iter');
  fs.appendFileSync(path.join(dir, GRADIENTS), lines([grad(4)]));
  const fresh = readNew(run);
  assert.deepEqual(
    fresh.records.map((r) => [r.type, r.iteration]),
    [
      ['iteration', 4],
      ['epoch', 4],
    ],
  );
  assert.deepEqual(
    fresh.gradients.map((g) => g.iteration),
    [4],
  );
  assert.equal(run.curves.length, 4);
  assert.deepEqual(run.curves.test, [[4, 50]]);
  assert.equal(run.latest.last?.iteration, 4);
  assert.equal(run.latest.lastEpoch?.testError, 0.5);
  assert.deepEqual(run.gradients?.iterations, [2, 4]);
  // The half-written line counts once it ends.
  fs.appendFileSync(path.join(dir, METRICS), 'ation","iteration":5,"epoch":2,"trainError":0.05,"loss":1,"lr":0.1}\n');
  assert.deepEqual(
    readNew(run).records.map((r) => r.iteration),
    [5],
  );
  assert.equal(run.curves.length, 5);
});

test('a folder rewritten from the start (a resume truncates after its checkpoint) is read again whole', () => {
  const dir = fs.mkdtempSync(path.join(tmp, 'run-'));
  const file = path.join(dir, METRICS);
  fs.writeFileSync(file, lines([it(1), it(2), it(3), it(4)]));
  const run = openRun(view, dir);
  assert.equal(run.curves.length, 4);
  const replaced = `${file}.new`;
  fs.writeFileSync(replaced, lines([it(1), it(2)]));
  fs.renameSync(replaced, file);
  assert.equal(readNew(run).reset, true);
  assert.equal(run.curves.length, 2);
  assert.equal(run.latest.last?.iteration, 2);
});

test('a run of this window without a folder yet shows nothing and reads nothing', () => {
  const run = openRun({ ...view, status: 'starting' }, undefined);
  assert.equal(run.curves.length, 0);
  assert.deepEqual(readNew(run), { records: [], gradients: [], reset: false });
});
