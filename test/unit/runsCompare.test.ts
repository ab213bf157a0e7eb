// The runs table's comparisons and actions (issue 23, part 1): the config diff
// of two runs (only what differs, model structure first), the parallel-
// coordinates data (heights per axis, log scale for a learning rate), and
// deleting or archiving a run folder, never anything outside it and never a
// run a live trainer holds.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configDiff, diffText, runConfig } from '../../src/core/runsTable/configDiff';
import { columnViews } from '../../src/core/runsTable/columns';
import { parallelCoordinates } from '../../src/core/runsTable/parallelCoordinates';
import { readRunInfo } from '../../src/core/runs/runFolder';
import { removeRun } from '../../src/core/runs/removeRun';
import { RunsTableMessageSchema } from '../../src/protocol/runsTable';
import type { RunRowView } from '../../src/protocol/runsTable';
import { expectedRun, writeManyRuns } from '../e2e/manyRunsFixture';
import { tempDir } from '../support/tempDir';

// At the top level: tempDir's clean-up is then the file's, not the before hook's.
const root = tempDir('runs-compare');
let runsDir: string;
const dirOf = (i: number) => path.join(runsDir, expectedRun(i).folder);

before(() => {
  runsDir = path.join(root, '.resnet-lab', 'runs');
  writeManyRuns(runsDir, 16);
});

test('config diff: only what differs, the model structure first', () => {
  // Run 4 is ResNet-20 with option A, run 11 ResNet-56 with option B; both lr 0.1, seed 5; batch 128 and 64.
  const a = runConfig(readRunInfo(dirOf(4)));
  const b = runConfig(readRunInfo(dirOf(11)));
  const changes = configDiff(a, b);
  assert.deepEqual(
    changes.map((c) => c.label),
    ['model', 'depth', 'shortcut', 'params', 'layers', 'experiment', 'batch'],
  );
  assert.match(
    diffText(changes),
    /^model resnet20 → resnet56, depth 20 → 56, shortcut A → B, params 271,098 → 860,026/,
  );
  assert.match(diffText(changes), /experiment resnet20A → resnet56B, batch 128 → 64$/);
  assert.equal(diffText(configDiff(a, a)), 'same configuration');

  // Plain against residual, and the Keras engine: block kind, shortcut and engine differ.
  const plain = runConfig(readRunInfo(dirOf(3)));
  const tfjs = runConfig(readRunInfo(dirOf(12)));
  const text = diffText(configDiff(plain, tfjs));
  // Run 3 is plain-56 on the Keras engine, run 12 ResNet-20 (option C) on tfjs.
  assert.match(text, /depth 56 → 20, shortcut none → C, block plain → basic/);
  assert.match(text, /batch 64 → 128, seed 4 → 6, engine keras · jax · 1× NVIDIA H200 → tensorflow · graph$/);
  assert.doesNotMatch(text, /lr /, 'both at lr 0.1');

  // A setting only one run has (an override) is listed with "—" for the other.
  const withOverride = new Map([...a, ['override epochs', '2']]);
  assert.deepEqual(configDiff(a, withOverride), [
    { key: 'override epochs', label: 'override epochs', from: '—', to: '2' },
  ]);
});

const row = (id: string, cells: RunRowView['cells']): RunRowView => ({ id, folder: id, live: false, cells });

test('parallel coordinates: varying hyperparameters only, log scale for lr, categories in order, error last', () => {
  const columns = columnViews();
  const rows = [
    row('a', { depth: 20, shortcut: 'A', lr: 0.1, batch: 128, seed: 1, testError: 0.09 }),
    row('b', { depth: 56, shortcut: 'B', lr: 0.01, batch: 128, seed: 1, testError: 0.07 }),
    row('c', { depth: 32, shortcut: 'none', lr: 0.001, batch: 128, seed: 1, testError: 0.11 }),
    row('d', { depth: 44, shortcut: 'A', lr: null, batch: 128, seed: 1, testError: null }),
  ];
  const pc = parallelCoordinates(rows, columns, 'testError');
  assert.deepEqual(
    pc.axes.map((a) => [a.key, a.scale]),
    [
      ['depth', 'linear'],
      ['shortcut', 'category'],
      ['lr', 'log'],
      ['testError', 'linear'],
    ],
  );
  const round = (y: number | null) => (y === null ? null : Number(y.toFixed(6)));
  const ys = (id: string) => pc.lines.find((l) => l.id === id)!.ys.map(round);
  const line = (id: string) => pc.lines.find((l) => l.id === id)!;
  assert.deepEqual(ys('a'), [0, 0, 1, 0.5]);
  assert.deepEqual(ys('b'), [1, 0.5, 0.5, 0]);
  assert.deepEqual(ys('c'), [round(12 / 36), 1, 0, 1]);
  assert.deepEqual(ys('d'), [round(24 / 36), 0, null, null]);
  assert.deepEqual([line('b').metric, line('d').metric], [0.07, null]);
  assert.deepEqual(
    pc.axes[1].ticks.map((t) => t.label),
    ['A', 'B', 'none'],
  );
  assert.deepEqual(
    pc.axes[2].ticks.map((t) => [t.label, round(t.y)]),
    [
      ['0.001', 0],
      ['0.01', 0.5],
      ['0.1', 1],
    ],
  );
  assert.deepEqual(
    pc.axes[3].ticks.map((t) => t.label),
    ['7.00%', '9.00%', '11.00%'],
  );
  // One run: every axis constant, only the error is left, in the middle.
  const one = parallelCoordinates([rows[0]], columns, 'testError');
  assert.deepEqual([one.axes.map((a) => a.key), one.lines[0].ys], [['testError'], [0.5]]);
  assert.throws(() => parallelCoordinates(rows, columns, 'nope'), /no column "nope"/);
});

test('delete and archive: the run folder goes, nothing outside it; a live trainer or an outside folder is refused', () => {
  const archive = path.join(root, '.resnet-lab', 'archive');
  // A link inside a run to a file outside: deleting the run unlinks it, the file stays.
  const outside = path.join(root, 'precious.txt');
  fs.writeFileSync(outside, 'keep me');
  fs.symlinkSync(outside, path.join(dirOf(0), 'link'));
  assert.equal(removeRun(dirOf(0), [runsDir], 'delete', archive), undefined);
  assert.equal(fs.existsSync(dirOf(0)), false);
  assert.equal(fs.readFileSync(outside, 'utf8'), 'keep me');

  const moved = removeRun(dirOf(1), [runsDir], 'archive', archive);
  assert.equal(moved, path.join(archive, expectedRun(1).folder));
  assert.ok(fs.existsSync(path.join(moved, 'run.json')));
  assert.equal(fs.existsSync(dirOf(1)), false);
  // Archived twice under the same name: the second gets a suffix.
  fs.cpSync(moved, dirOf(1), { recursive: true });
  assert.equal(removeRun(dirOf(1), [runsDir], 'archive', archive), `${moved}-1`);

  // A live trainer's lock (this process is alive).
  fs.writeFileSync(path.join(dirOf(2), 'trainer.lock'), String(process.pid));
  assert.throws(() => removeRun(dirOf(2), [runsDir], 'delete', archive), /still training \(pid \d+\): stop it first/);
  assert.ok(fs.existsSync(dirOf(2)));
  // A stale lock (no such process) does not hold it.
  fs.writeFileSync(path.join(dirOf(2), 'trainer.lock'), '2147483646');
  removeRun(dirOf(2), [runsDir], 'delete', archive);
  assert.equal(fs.existsSync(dirOf(2)), false);

  // Not a run folder directly in a runs folder: the runs folder itself, a checkpoint, a link to a folder elsewhere.
  assert.throws(() => removeRun(runsDir, [runsDir], 'delete', archive), /not inside a runs folder/);
  const nested = path.join(dirOf(3), 'checkpoints');
  fs.mkdirSync(nested);
  assert.throws(() => removeRun(nested, [runsDir], 'delete', archive), /not inside a runs folder/);
  const elsewhere = path.join(root, 'elsewhere');
  fs.mkdirSync(elsewhere);
  fs.writeFileSync(path.join(elsewhere, 'run.json'), '{}');
  const link = path.join(runsDir, 'linked');
  fs.symlinkSync(elsewhere, link);
  assert.throws(() => removeRun(link, [runsDir], 'delete', archive), /is not a folder but a link/);
  assert.ok(fs.existsSync(path.join(elsewhere, 'run.json')));
  assert.throws(() => removeRun(dirOf(0), [runsDir], 'delete', archive), /is gone/);
});

test("the table's messages name runs by id, and only the actions it has", () => {
  const ok = (raw: unknown) => RunsTableMessageSchema.safeParse(raw).success;
  assert.equal(ok({ method: 'runsTable/remove', params: { ids: ['run-1', 'run-2'], action: 'archive' } }), true);
  assert.equal(ok({ method: 'runsTable/remove', params: { ids: ['run-1'], action: 'rm -rf' } }), false);
  assert.equal(ok({ method: 'runsTable/remove', params: { ids: [], action: 'delete' } }), false);
  assert.equal(ok({ method: 'runsTable/remove', params: { ids: ['/'.repeat(65)], action: 'delete' } }), false);
  assert.equal(ok({ method: 'runsTable/diff', params: { ids: ['run-1', 'run-2'] } }), true);
  assert.equal(ok({ method: 'runsTable/diff', params: { ids: ['run-1', 'run-2', 'run-3'] } }), false);
  assert.equal(
    ok({ method: 'runs/compare', params: { ids: Array.from({ length: 13 }, (_, i) => `run-${i}`) } }),
    false,
  );
  assert.equal(ok({ method: 'export', params: { format: 'csv', chart: 'curves' } }), false);
});
