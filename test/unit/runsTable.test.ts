// The runs table's data (issue 23, part 1): the model's block kind and shortcut
// option read back from real graphs, a row per run folder from run.json and
// metrics.jsonl (checked against the fixture's formulas), the summary cache
// that re-reads only what changed, and sorting and filtering the rows.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { bottleneckBlock, plainCifar, preactResnetCifar, resnetCifar, setInitSeed } from '../../src/core/lib';
import { batchNorm, classifier, conv, relu } from '../../src/core/lib';
import type { ModelFactory } from '../../src/core/lib';
import { extractGraph } from '../../src/core/graph/extract';
import { modelTraits } from '../../src/core/graph/modelTraits';
import { METRICS } from '../../src/core/runs/runFiles';
import { columnViews, filterRows, formatCell, runRow, sortRows } from '../../src/core/runsTable/columns';
import { metricTotals } from '../../src/core/runsTable/runSummary';
import { RunSummaryCache, runFoldersUnder } from '../../src/core/runsTable/summaryCache';
import type { RunRowView } from '../../src/protocol/runsTable';
import { expectedRun, writeManyRuns } from '../e2e/manyRunsFixture';
import { tempDir } from '../support/tempDir';

const COUNT = 40;
// At the top level: tempDir's clean-up is then the file's, not the before hook's.
const root = tempDir('runs-table');
let runsDir: string;

before(() => {
  runsDir = path.join(root, '.resnet-lab', 'runs');
  writeManyRuns(runsDir, COUNT);
});

function traitsOf(factory: ModelFactory) {
  setInitSeed(1);
  const model = factory({ inputShape: [16, 16, 3], numClasses: 10 });
  const traits = modelTraits(extractGraph(model));
  model.dispose();
  return traits;
}

/** Two bottleneck units (Fig. 5 right) on a small stem: the first projects (64 → 128 channels), the second is an identity. */
const bottleneckNet: ModelFactory = ({ inputShape, numClasses }) => {
  const input = tf.input({ shape: inputShape });
  let x = relu(batchNorm(conv(input, { filters: 64, kernelSize: 3, name: 'stem' }), 'stem_bn'), 'stem_relu');
  x = bottleneckBlock(x, { filters: 32, name: 'b1' });
  x = bottleneckBlock(x, { filters: 32, name: 'b2' });
  return tf.model({ inputs: input, outputs: classifier(x, numClasses) });
};

test('the block kind and the shortcut option are read back from the stored graph', () => {
  assert.deepEqual(traitsOf(plainCifar({ depth: 20 })), { blockKind: 'plain', shortcut: 'none' });
  assert.deepEqual(traitsOf(resnetCifar({ depth: 20 })), { blockKind: 'basic', shortcut: 'A' });
  assert.deepEqual(traitsOf(resnetCifar({ depth: 20, shortcut: 'B' })), { blockKind: 'basic', shortcut: 'B' });
  assert.deepEqual(traitsOf(resnetCifar({ depth: 20, shortcut: 'C' })), { blockKind: 'basic', shortcut: 'C' });
  assert.deepEqual(traitsOf(preactResnetCifar({ depth: 20 })), { blockKind: 'pre-activation', shortcut: 'A' });
  assert.deepEqual(traitsOf(bottleneckNet), { blockKind: 'bottleneck', shortcut: 'B' });
});

test('a row per run folder: model facts, hyperparameters, final, best and time as the fixture wrote them', () => {
  const dirs = runFoldersUnder([runsDir, path.join(root, 'missing')]);
  assert.equal(dirs.length, COUNT);
  const { summaries, unreadable, cached } = new RunSummaryCache().read(dirs);
  assert.deepEqual([unreadable.length, cached], [0, 0]);
  for (const { summary: s } of summaries) {
    const i = Number(/grid(\d+)$/.exec(s.folder)![1]);
    const want = expectedRun(i);
    const label = `run ${i}`;
    assert.equal(s.depth, want.depth, label);
    assert.equal(s.shortcut, want.variant === 'plain' ? 'none' : want.variant, label);
    assert.equal(s.blockKind, want.variant === 'plain' ? 'plain' : 'basic', label);
    assert.deepEqual([s.lr, s.batchSize, s.seed, s.status], [want.lr, want.batchSize, want.seed, want.status], label);
    assert.equal(s.iterations, want.epochs * 50, label);
    assert.equal(s.finalTestError, want.testErrors.at(-1), label);
    assert.equal(s.finalTrainError, want.trainErrors.at(-1), label);
    assert.equal(s.bestTestError, Math.min(...want.testErrors), label);
    assert.equal(s.seconds, want.epochs * want.epochSeconds, label);
    assert.equal(s.backend, want.keras ? 'keras · jax · 1× NVIDIA H200' : 'tensorflow · graph', label);
    assert.equal(s.engine, want.keras ? 'keras' : 'resnet-lab', label);
    assert.equal(s.file, 'grid.ts');
  }
  // The paper's parameter counts (Table 6, option A): ResNet-20 0.27M, ResNet-56 0.85M (batch-norm statistics aside).
  const params = (i: number) => summaries.find((x) => x.summary.folder === expectedRun(i).folder)!.summary.params;
  assert.ok(Math.abs(params(4) / 1e6 - 0.27) < 0.01, `ResNet-20: ${params(4)}`);
  assert.ok(Math.abs(params(7) / 1e6 - 0.85) < 0.01, `ResNet-56: ${params(7)}`);
});

test('the cache answers while a folder is unchanged and re-reads a folder whose records grew', () => {
  const cache = new RunSummaryCache();
  const dirs = runFoldersUnder([runsDir]);
  cache.read(dirs);
  assert.equal(cache.read(dirs).cached, COUNT);
  const dir = dirs.find((d) => d.endsWith('grid4'))!;
  fs.appendFileSync(
    path.join(dir, METRICS),
    JSON.stringify({ type: 'epoch', iteration: 650, epoch: 13, trainError: 0.01, testError: 0.0123, seconds: 1 }) +
      '\n',
  );
  const again = cache.read(dirs);
  assert.equal(again.cached, COUNT - 1);
  const s = again.summaries.find((x) => x.dir === dir)!.summary;
  assert.equal(s.bestTestError, 0.0123);
  assert.equal(s.iterations, 650);

  // Saved and loaded (the host keeps it between windows): still answers; anything else loads empty.
  const loaded = RunSummaryCache.load(JSON.parse(JSON.stringify(cache.save())));
  assert.equal(loaded.read(dirs).cached, COUNT);
  assert.equal(RunSummaryCache.load({ version: 1, entries: { x: { stamp: 1 } } }).size, 0);
  assert.equal(RunSummaryCache.load('rm -rf /').size, 0);

  // A damaged run.json is counted, not shown, and not kept.
  const damaged = path.join(runsDir, 'zz-damaged');
  fs.mkdirSync(damaged);
  fs.writeFileSync(path.join(damaged, 'run.json'), '{"id": ');
  const withDamaged = cache.read(runFoldersUnder([runsDir]));
  assert.equal(withDamaged.unreadable.length, 1);
  assert.match(withDamaged.unreadable[0].message, /zz-damaged.*damaged/);
  fs.rmSync(damaged, { recursive: true });
});

test('metric totals: the latest record is the highest iteration; torn lines and NaN are passed over', () => {
  const lines = [
    { type: 'iteration', iteration: 10, epoch: 1, trainError: 0.9 },
    { type: 'epoch', iteration: 20, epoch: 1, trainError: 0.5, testError: 0.4, seconds: 3 },
    { type: 'epoch', iteration: 40, epoch: 2, trainError: 0.3, testError: 0.35, seconds: 4 },
    { type: 'epoch', iteration: 30, epoch: 2, trainError: 0.2, testError: 0.3, seconds: 5 },
  ].map((r) => JSON.stringify(r));
  const t = metricTotals(
    [...lines, '{"type":"epoch","iteration":50,"epoch":3,"testError":NaN}', '{"type":"ep'].join('\n'),
  );
  assert.deepEqual(t, {
    lastIteration: 50,
    lastTrainError: 0.3,
    lastTestError: 0.35,
    bestTestError: 0.3,
    epochSeconds: 12,
  });
  assert.deepEqual(metricTotals(''), {
    lastIteration: 0,
    lastTrainError: null,
    lastTestError: null,
    bestTestError: null,
    epochSeconds: 0,
  });
});

function fixtureRows(): RunRowView[] {
  const { summaries } = new RunSummaryCache().read(runFoldersUnder([runsDir]));
  return summaries.map(({ summary }, n) => runRow(`run-${n}`, summary, false));
}

test('sorting: numbers as numbers, ties in their order, empty cells last both ways', () => {
  const rows: RunRowView[] = [
    { id: 'a', folder: 'a', live: false, cells: { depth: 56, testError: null } },
    { id: 'b', folder: 'b', live: false, cells: { depth: 110, testError: 0.07 } },
    { id: 'c', folder: 'c', live: false, cells: { depth: 20, testError: 0.09 } },
    { id: 'd', folder: 'd', live: false, cells: { depth: 56, testError: 0.06 } },
  ];
  const ids = (r: RunRowView[]) => r.map((x) => x.id).join('');
  assert.equal(ids(sortRows(rows, 'depth')), 'cadb');
  assert.equal(ids(sortRows(rows, 'depth', true)), 'badc');
  assert.equal(ids(sortRows(rows, 'testError')), 'dbca');
  assert.equal(ids(sortRows(rows, 'testError', true)), 'cbda');
});

test('filtering: words match shown cells, key<n compares a column (errors in %), all terms must hold', () => {
  const rows = fixtureRows();
  const columns = columnViews();
  const folders = (q: string) =>
    filterRows(rows, q, columns)
      .map((r) => Number(/grid(\d+)$/.exec(r.folder)![1]))
      .sort((a, b) => a - b);
  const all = Array.from({ length: COUNT }, (_, i) => expectedRun(i));
  const want = (p: (r: ReturnType<typeof expectedRun>) => boolean) =>
    all.map((r, i) => (p(r) ? i : -1)).filter((i) => i >= 0);
  assert.deepEqual(
    folders('depth>=44 none'),
    want((r) => r.depth >= 44 && r.variant === 'plain'),
  );
  assert.deepEqual(
    folders('keras'),
    want((r) => r.keras),
  );
  assert.deepEqual(
    folders('shortcut=b lr=0.05'),
    want((r) => r.variant === 'B' && r.lr === 0.05),
  );
  assert.deepEqual(
    folders('bestTestError<8.5'),
    want((r) => Math.min(...r.testErrors) * 100 < 8.5),
  );
  assert.deepEqual(
    folders('STOPPED'),
    want((r) => r.status === 'stopped'),
  );
  assert.equal(folders('').length, COUNT);
  assert.equal(folders('depth>abc').length, 0);
});

test('cells read as the table shows them', () => {
  assert.equal(formatCell('error', 0.0697), '6.97%');
  assert.equal(formatCell('seconds', 42.25), '42.3 s');
  assert.equal(formatCell('seconds', 119.7), '1m 59s');
  assert.equal(formatCell('seconds', 3 * 3600 + 125), '3h 02m');
  assert.equal(formatCell('count', 272474), '272,474');
  assert.equal(formatCell('rate', 0.1), '0.1');
  assert.equal(formatCell('text', null), '');
});
