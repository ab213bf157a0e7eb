// The run folder's records and analyses as src/core/runs reads them: one
// mapping to the panel's view for live events and stored lines alike, lines
// checked against the protocol's schemas, analyses validated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readAnalyses, readResponses, writeLesion } from '../../src/core/runs/analyses';
import { appendMetric, metricView, metricViews, readGradients, readMetrics } from '../../src/core/runs/metricRecords';
import { RunFolderError } from '../../src/core/runs/runErrors';
import { GRADIENTS, METRICS, RESPONSES_JSON } from '../../src/core/runs/runFiles';
import type { EpochEvent, IterationEvent, LesionResult } from '../../src/protocol/trainer';
import { tempDir } from '../support/tempDir';

const tmp = tempDir('records');
function folder(name: string): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  return dir;
}

const iteration: IterationEvent = {
  type: 'iteration',
  iteration: 7,
  epoch: 1,
  loss: 2.25,
  trainError: 0.875,
  lr: 0.1,
  imagesPerSec: 512,
};
const epoch: EpochEvent = {
  type: 'epoch',
  epoch: 1,
  iteration: 8,
  trainLoss: 2.5,
  trainError: 0.9,
  testLoss: 2.375,
  testError: 0.8125,
  seconds: 3.5,
  rssMB: 700,
};

test('metricView: an epoch shows its training loss as its loss; a live event and its stored line give the same view', () => {
  assert.deepEqual(metricView(epoch), {
    type: 'epoch',
    iteration: 8,
    epoch: 1,
    loss: 2.5,
    trainError: 0.9,
    testError: 0.8125,
    testLoss: 2.375,
    lr: undefined,
    imagesPerSec: undefined,
  });
  assert.equal(metricView(iteration).loss, 2.25);
  const dir = folder('roundtrip');
  appendMetric(dir, iteration);
  appendMetric(dir, epoch);
  assert.deepEqual(metricViews(readMetrics(dir)), [metricView(iteration), metricView(epoch)]);
});

test('readMetrics keeps what the schemas accept (a null test loss too: JSON has no NaN) and skips a torn or foreign line', () => {
  const dir = folder('lines');
  const diverged = { ...epoch, iteration: 16, epoch: 2, testLoss: null };
  const lines = [
    JSON.stringify(iteration),
    JSON.stringify({ note: 'not a record' }),
    JSON.stringify({ type: 'step', iteration: 9, epoch: 1 }),
    JSON.stringify(diverged),
    '{"type":"iteration","itera',
  ];
  fs.writeFileSync(path.join(dir, METRICS), lines.join('\n'));
  const read = readMetrics(dir);
  assert.deepEqual(
    read.map((r) => [r.type, r.iteration]),
    [
      ['iteration', 7],
      ['epoch', 16],
    ],
  );
  assert.equal(read[1].testLoss, null);
  assert.equal(read[1].rssMB, 700, 'fields are kept as stored');
  fs.writeFileSync(
    path.join(dir, GRADIENTS),
    [JSON.stringify({ iteration: 8, layers: [{ name: 'conv1', norm: 0.5 }] }), JSON.stringify({ iteration: 9 })].join(
      '\n',
    ),
  );
  assert.deepEqual(readGradients(dir), [{ iteration: 8, layers: [{ name: 'conv1', norm: 0.5 }] }]);
});

test('analyses: written with their stamp and read back validated; the panel leaves a damaged one out, a report names it', () => {
  const dir = folder('analyses');
  const lesion: LesionResult = {
    testExamples: 100,
    baselineError: 0.25,
    blocks: [{ name: 'stage1/block1', error: 0.5, downsampling: false }],
    random: [{ k: 1, meanError: 0.5, errors: [0.5] }],
  };
  writeLesion(dir, lesion, { checkpoint: 'latest', iteration: 8, computedAt: '2026-11-30T12:00:00.000Z' });
  fs.writeFileSync(path.join(dir, RESPONSES_JSON), '{"layers": 3}');
  assert.deepEqual(readAnalyses(dir), { lesion, responses: undefined, paths: undefined });
  assert.throws(
    () => readResponses(dir),
    (e: unknown) =>
      e instanceof RunFolderError &&
      e.message.startsWith(`${path.join(dir, RESPONSES_JSON)} does not look like a responses result`),
  );
  assert.deepEqual(readAnalyses(path.join(tmp, 'no-such-run')), {
    lesion: undefined,
    responses: undefined,
    paths: undefined,
  });
});
