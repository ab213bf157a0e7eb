// The confusion matrix and its stored form: the numbers from a hand-made
// prediction set, and predictions.bin / confusion.jsonl read back as written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { confusionMatrix, overallError, perClassError, rowRates } from '../../src/core/confusion/matrix';
import { recordConfusion, topOne } from '../../src/core/confusion/record';
import { readConfusion, readConfusionLines } from '../../src/core/runs/confusionRecords';
import { HEADER_BYTES, openPredictions } from '../../src/core/runs/predictionsFile';
import { CONFUSION, PREDICTIONS_BIN } from '../../src/core/runs/runFiles';
import { tempDir } from '../support/tempDir';

const tmp = tempDir('confusion');

// Three classes, ten examples: class 0 has 4 (3 right, 1 called 2), class 1 has 3 (all called 0),
// class 2 has 3 (2 right, 1 called 1).
const labels = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
const predicted = [0, 0, 2, 0, 0, 0, 0, 2, 1, 2];

test('a hand-made prediction set gives the known matrix, row rates, per-class and overall error', () => {
  const m = confusionMatrix(labels, predicted, 3);
  assert.deepEqual(m, [
    [3, 0, 1],
    [3, 0, 0],
    [0, 1, 2],
  ]);
  assert.deepEqual(rowRates(m), [
    [0.75, 0, 0.25],
    [1, 0, 0],
    [0, 1 / 3, 2 / 3],
  ]);
  assert.deepEqual(perClassError(m), [0.25, 1, 1 - 2 / 3]);
  assert.equal(overallError(m), 5 / 10);
  // A class with no test examples has no error rather than 0 or NaN.
  assert.deepEqual(perClassError(confusionMatrix([0, 0], [0, 1], 2)), [0.5, null]);
});

test('confusionMatrix refuses a class outside the range, and mismatched lengths, in one line', () => {
  assert.throws(() => confusionMatrix([0, 3], [0, 0], 3), /example 1 has class 3 predicted as 0, outside 0..2/);
  assert.throws(() => confusionMatrix([0], [0, 1], 3), /1 labels but 2 predictions/);
});

test('recordConfusion writes a line per evaluation and a predictions block that read back (top-3 to 1/255)', () => {
  const dir = fs.mkdtempSync(path.join(tmp, 'run-'));
  const k = 3;
  // Example n's guesses: predicted[n] first, then the other two classes in order.
  const classes = labels.flatMap((_, n) => [predicted[n], ...[0, 1, 2].filter((c) => c !== predicted[n])]);
  const probs = labels.flatMap((_, n) => [0.6 + n / 100, 0.3 - n / 100, 0.1]);
  assert.deepEqual([...topOne({ k, classes, probs })], predicted);
  const first = recordConfusion(dir, { epoch: 1, iteration: 5 }, labels, 3, { k, classes, probs });
  const second = recordConfusion(dir, { epoch: 2, iteration: 10 }, labels, 3, {
    k,
    classes: classes.map(() => 1),
    probs,
  });
  assert.equal(first.predictions, HEADER_BYTES + labels.length);
  assert.equal(second.predictions, first.predictions + labels.length * k * 2);
  assert.equal(fs.statSync(path.join(dir, PREDICTIONS_BIN)).size, second.predictions + labels.length * k * 2);

  const records = readConfusion(dir);
  assert.deepEqual(
    records.map((r) => [r.epoch, r.iteration, r.matrix]),
    [
      [1, 5, confusionMatrix(labels, predicted, 3)],
      [
        2,
        10,
        [
          [0, 4, 0],
          [0, 3, 0],
          [0, 3, 0],
        ],
      ],
    ],
  );
  const reader = openPredictions(dir)!;
  assert.deepEqual(reader.header, { k, classes: 3, count: labels.length });
  assert.deepEqual([...reader.labels], labels);
  const block = reader.block(records[0].predictions!)!;
  assert.deepEqual([...block.classes], classes);
  block.probs.forEach((p, i) =>
    assert.ok(Math.abs(p - probs[i]) <= 0.5 / 255 + 1e-6, `prob ${i}: ${p} vs ${probs[i]}`),
  );
  // An offset past the end (a block a crash tore) is not read.
  assert.equal(reader.block(second.predictions + 1), undefined);
  assert.equal(reader.block(3), undefined);
});

test('confusion.jsonl: a torn or malformed line is skipped and counted; an epoch written twice keeps its last line', () => {
  const dir = fs.mkdtempSync(path.join(tmp, 'lines-'));
  const line = (epoch: number, matrix: number[][]) => JSON.stringify({ epoch, iteration: epoch * 4, matrix });
  fs.writeFileSync(
    path.join(dir, CONFUSION),
    [
      line(2, [
        [1, 0],
        [0, 1],
      ]),
      line(1, [
        [2, 0],
        [0, 0],
      ]),
      line(2, [
        [0, 1],
        [1, 0],
      ]),
      line(3, [
        [1, 0, 0],
        [0, 1],
      ]), // not square
      JSON.stringify({ epoch: 4, iteration: 16, matrix: [[-1]] }), // a negative count
      '{"epoch": 5, "iter',
    ].join('\n'),
  );
  const read = readConfusionLines(dir);
  assert.equal(read.skipped, 3);
  assert.deepEqual(
    read.records.map((r) => [r.epoch, r.matrix]),
    [
      [
        1,
        [
          [2, 0],
          [0, 0],
        ],
      ],
      [
        2,
        [
          [0, 1],
          [1, 0],
        ],
      ],
    ],
  );
  assert.equal(openPredictions(dir), undefined);
  fs.writeFileSync(path.join(dir, PREDICTIONS_BIN), 'not a predictions file');
  assert.throws(() => openPredictions(dir), /not a predictions file \(no RLPR header\)/);
});

test("a 100,000-iteration CIFAR-10 run's confusion files stay under 20 MB (256 epochs of batch 128)", () => {
  const dir = fs.mkdtempSync(path.join(tmp, 'size-'));
  const count = 10_000,
    k = 3;
  let seed = 1;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const labels = Uint8Array.from({ length: count }, () => Math.floor(next() * 10));
  const classes = Int32Array.from({ length: count * k }, () => Math.floor(next() * 10));
  const probs = Float32Array.from({ length: count * k }, () => next());
  const size = () => fs.statSync(path.join(dir, CONFUSION)).size + fs.statSync(path.join(dir, PREDICTIONS_BIN)).size;
  recordConfusion(dir, { epoch: 1, iteration: 390 }, labels, 10, { k, classes, probs });
  const first = size();
  recordConfusion(dir, { epoch: 2, iteration: 780 }, labels, 10, { k, classes, probs });
  const perEpoch = size() - first;
  // Per epoch: 6 bytes per test image in predictions.bin, and one short line in confusion.jsonl.
  assert.ok(perEpoch > count * k * 2 && perEpoch < count * k * 2 + 1_000, `${perEpoch} bytes per epoch`);
  const epochs = Math.ceil(100_000 / Math.floor(50_000 / 128)); // 257
  const projected = first + (epochs - 1) * perEpoch;
  assert.ok(projected < 20 * 2 ** 20, `${(projected / 2 ** 20).toFixed(1)} MB`);
});
