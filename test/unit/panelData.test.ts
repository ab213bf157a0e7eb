// The panel's host-side data: a live run's records can arrive twice (in the
// run's list when the panel was filled, then in the next batched update);
// each must count once, in the curves and in the gradient matrix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addLive, fromLive } from '../../src/extension/panelData';
import type { LiveRun } from '../../src/extension/runManager';
import type { MetricRecordView } from '../../src/protocol/webview';

const it = (i: number): MetricRecordView => ({
  type: 'iteration',
  iteration: i,
  epoch: 1,
  trainError: i / 100,
  loss: 1,
  lr: 0.1,
});
const grad = (i: number) => ({ iteration: i, layers: [{ name: 'conv1', norm: i }] });

test('addLive: records already in the panel are skipped; new ones extend curves, counters and gradients', () => {
  const live = {
    view: { id: 'r', experiment: 'e', status: 'running' },
    key: 'k',
    file: 'f',
    metrics: [it(1), it(2), it(3)],
    gradients: [grad(2)],
  } as LiveRun;
  const run = fromLive(live);
  assert.equal(run.curves.length, 3);
  const epoch: MetricRecordView = { type: 'epoch', iteration: 4, epoch: 1, testError: 0.5 };
  const fresh = addLive(run, live.view, [it(3), it(4), epoch], [grad(2), grad(4)]);
  assert.deepEqual(
    fresh.records.map((r) => r.iteration),
    [4, 4],
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
  // The same update again changes nothing.
  assert.deepEqual(addLive(run, live.view, [it(4), epoch], [grad(4)]), { records: [], gradients: [] });
  assert.equal(run.curves.length, 4);
});
