// A trained run's confusion records as the CLI and the report show them:
// `resnet-lab confusion` (text, --epoch, --csv, errors), `export-csv` (the
// long-form matrix and each class's error per epoch) and the HTML report's
// section, all from one real run of the tiny synthetic fixture (wasm).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { perClassError, rowTotals } from '../../src/core/confusion/matrix';
import { matchingTestImages, readTestImages } from '../../src/core/confusion/testImages';
import { csvRecords, parseCsv } from '../../src/core/report/csv';
import { htmlReport } from '../../src/core/report/htmlReport';
import { readConfusion } from '../../src/core/runs/confusionRecords';
import { openPredictions } from '../../src/core/runs/predictionsFile';
import { readRunInfo } from '../../src/core/runs/runFolder';
import { ConfusionRequests } from '../../src/extension/confusionRequests';
import { CELL_PAGE } from '../../src/protocol/confusion';
import { cli, REPO } from './support/cli';
import { tempDir } from '../support/tempDir';

const tmp = tempDir('confusion-cli');
const fixture = path.join(REPO, 'test', 'fixtures', 'unit', 'confusion-models.ts');
let runDir = '';

before(async () => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: REPO, stdio: 'inherit' });
  const r = await cli(['train', fixture, 'twoEpochs', '--json', '--runs-dir', tmp, '--backend', 'wasm']);
  assert.equal(r.code, 0, r.stderr);
  runDir = (JSON.parse(r.stdout.trim().split('\n').pop()!) as { runDir: string }).runDir;
});

test('confusion prints the last epoch by default, another with --epoch, and CSV with --csv', async () => {
  const records = readConfusion(runDir);
  assert.deepEqual(
    records.map((r) => r.epoch),
    [1, 2],
  );
  const names = readRunInfo(runDir).dataset.classNames;
  const last = records[1];
  const text = await cli(['confusion', runDir]);
  assert.equal(text.code, 0, text.stderr);
  const lines = text.stdout.trimEnd().split('\n');
  const right = last.matrix.reduce((s, row, i) => s + row[i], 0);
  assert.equal(lines[0].split(':')[0], `epoch 2, iteration ${last.iteration}`);
  assert.match(lines[0], new RegExp(`: ${right} of 48 test images right`));
  assert.deepEqual(lines[1].split(/\s{2,}/), ['true \\ predicted', ...names, 'examples', 'error']);
  assert.equal(lines.length, 2 + names.length);
  lines.slice(2).forEach((line, i) => {
    const cells = line.trim().split(/\s{2,}/);
    assert.equal(cells[0], names[i]);
    assert.deepEqual(cells.slice(1, 1 + names.length).map(Number), last.matrix[i]);
  });

  const csv = await cli(['confusion', runDir, '--epoch', '1', '--csv']);
  assert.equal(csv.code, 0, csv.stderr);
  const rows = parseCsv(csv.stdout.trimEnd());
  assert.deepEqual(rows[0], ['true', ...names, 'examples', 'error']);
  const second = records[0];
  const errors = perClassError(second.matrix);
  rows.slice(1).forEach((row, i) => {
    assert.equal(row[0], names[i]);
    assert.deepEqual(row.slice(1, 1 + names.length).map(Number), second.matrix[i]);
    assert.equal(Number(row[1 + names.length]), rowTotals(second.matrix)[i]);
    assert.equal(row[2 + names.length], errors[i] === null ? '' : String(errors[i]));
  });
});

test('confusion: an epoch the run has not, and a folder that is not a run, are one-line errors', async () => {
  const missing = await cli(['confusion', runDir, '--epoch', '9']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim(), 'error: no confusion record for epoch 9: the run has epochs 1–2');
  const bad = await cli(['confusion', runDir, '--epoch', 'two']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--epoch <n>' argument 'two' is invalid\. expected a positive whole number/);
  const notRun = await cli(['confusion', tmp]);
  assert.equal(notRun.code, 1);
  assert.equal(notRun.stderr.trim().split('\n').length, 1, notRun.stderr);
});

test('export-csv writes confusion.csv (every epoch, long form) and class-errors.csv', async () => {
  const out = path.join(tmp, 'csv');
  const r = await cli(['export-csv', runDir, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(fs.existsSync(path.join(out, 'metrics.csv')));
  const records = readConfusion(runDir);
  const names = readRunInfo(runDir).dataset.classNames;
  const n = names.length;
  const long = csvRecords(fs.readFileSync(path.join(out, 'confusion.csv'), 'utf8'));
  assert.equal(long.length, records.length * n * n);
  for (const row of long) {
    const rec = records.find((x) => x.epoch === row.epoch)!;
    assert.equal(row.count, rec.matrix[row.true as number][row.predicted as number]);
    assert.equal(row.trueClass, names[row.true as number]);
    assert.equal(row.predictedClass, names[row.predicted as number]);
  }
  const perClass = csvRecords(fs.readFileSync(path.join(out, 'class-errors.csv'), 'utf8'));
  assert.equal(perClass.length, records.length * n);
  for (const row of perClass) {
    const rec = records.find((x) => x.epoch === row.epoch)!;
    const e = perClassError(rec.matrix)[row.class as number];
    assert.equal(row.error, e === null ? undefined : e);
    assert.equal(row.examples, rowTotals(rec.matrix)[row.class as number]);
  }
});

test("the HTML report shows the last epoch's matrix (counts, class names) and the per-class error curves", () => {
  const records = readConfusion(runDir);
  const last = records[records.length - 1];
  const names = readRunInfo(runDir).dataset.classNames;
  const html = htmlReport(runDir);
  assert.match(html, /<a href="#confusion">confusion matrix<\/a>/);
  assert.match(html, /<h2 id="confusion">Confusion matrix<\/h2>/);
  assert.match(html, new RegExp(`Test set after epoch ${last.epoch} \\(iteration ${last.iteration}\\)`));
  const cells = [...html.matchAll(/<title>([^<]+) predicted as ([^<]+): (\d+) of (\d+) \(/g)];
  assert.equal(cells.length, names.length * names.length);
  for (const [, t, p, count] of cells)
    assert.equal(Number(count), last.matrix[names.indexOf(t)][names.indexOf(p)], `${t} → ${p}`);
  const curves = html.match(/<svg[^>]*class="chart class-errors"[\s\S]*?<\/svg>/)![0];
  assert.equal([...curves.matchAll(/<path class="series"/g)].length, names.length, 'one curve per class');
});

test("the panel host answers: the records with class names, and a cell's images from the data set with their top-3", () => {
  const requests = new ConfusionRequests();
  const data = requests.data('run-1', runDir);
  assert.equal(data.method, 'confusion/data');
  const { classNames, records } = data.params;
  assert.deepEqual(classNames, readRunInfo(runDir).dataset.classNames);
  assert.deepEqual(
    records.map((r) => r.matrix),
    readConfusion(runDir).map((r) => r.matrix),
  );

  // The fullest off-diagonal cell of the last epoch (or the fullest diagonal one if none is off it).
  const last = records[records.length - 1];
  const cells = last.matrix.flatMap((row, i) => row.map((count, j) => ({ i, j, count })));
  const cell =
    cells.filter((c) => c.i !== c.j && c.count > 0).sort((a, b) => b.count - a.count)[0] ??
    cells.sort((a, b) => b.count - a.count)[0];
  const reply = requests.images(
    { requestId: 7, id: 'run-1', epoch: last.epoch, actual: cell.i, predicted: cell.j, offset: 0 },
    runDir,
  );
  assert.equal(reply.method, 'confusion/images');
  const p = reply.params;
  assert.equal(p.error, undefined);
  assert.deepEqual([p.requestId, p.total, p.images.length], [7, cell.count, Math.min(cell.count, CELL_PAGE)]);
  assert.deepEqual(p.shape, [32, 32, 3]);
  const test = readTestImages(readRunInfo(runDir).recipe.data).split;
  for (const image of p.images) {
    assert.equal(test.labels[image.index], cell.i);
    assert.equal(image.top[0][0], cell.j, 'the top guess is the predicted class');
    assert.equal(image.top.length, 3);
    assert.deepEqual(
      [...Buffer.from(image.pixels, 'base64')],
      [...test.images.subarray(image.index * 3072, (image.index + 1) * 3072)],
    );
  }
  const missing = requests.images({ requestId: 8, id: 'run-1', epoch: 99, actual: 0, predicted: 0, offset: 0 }, runDir);
  assert.equal(
    (missing as Extract<typeof missing, { method: 'confusion/images' }>).params.error,
    'this run stored no predictions for that epoch',
  );
});

test('the test images are refused when they are not the ones the run was tested on', () => {
  const labels = openPredictions(runDir)!.labels;
  const spec = readRunInfo(runDir).recipe.data;
  assert.equal(matchingTestImages(spec, labels).split.count, labels.length);
  assert.throws(
    () => matchingTestImages({ ...spec, testSize: labels.length + 10 }, labels),
    /the synthetic test images on this machine are not the ones the run was tested on \(58 images, the run had 48\)/,
  );
  assert.throws(
    () => readTestImages({ name: 'cifar10', dir: path.join(tmp, 'nowhere') }),
    /the CIFAR-10 test images are not on this machine \(no test_batch\.bin in /,
  );
});

test("plot confusion draws the last epoch as a standalone SVG (the panel's SVG export of the tab)", async () => {
  const file = path.join(tmp, 'plots', 'confusion.svg');
  const r = await cli(['plot', 'confusion', runDir, '--out', file, '--dark']);
  assert.equal(r.code, 0, r.stderr);
  const svg = fs.readFileSync(file, 'utf8');
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const last = readConfusion(runDir).at(-1)!;
  const counts = [...svg.matchAll(/predicted as [^:]+: (\d+) of/g)].map((m) => Number(m[1]));
  assert.deepEqual(counts, last.matrix.flat());
  const empty = fs.mkdtempSync(path.join(tmp, 'no-confusion-'));
  fs.copyFileSync(path.join(runDir, 'run.json'), path.join(empty, 'run.json'));
  const none = await cli(['plot', 'confusion', empty, '--out', path.join(tmp, 'x.svg')]);
  assert.equal(none.code, 1);
  assert.equal(
    none.stderr.trim(),
    `error: ${path.join(empty, 'confusion.jsonl')} not found: the run has no confusion records yet (the trainer writes them after each epoch)`,
  );
});
