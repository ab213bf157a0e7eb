// A trained run's confusion records as the CLI and the report show them:
// `resnet-lab confusion` (text, --epoch, --csv, errors), `export-csv` (the
// long-form matrix and each class's error per epoch) and the HTML report's
// section, all from one real run of the tiny synthetic fixture (wasm).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { perClassError, rowTotals } from '../../src/core/confusion/matrix';
import { csvRecords, parseCsv } from '../../src/core/report/csv';
import { htmlReport } from '../../src/core/report/htmlReport';
import { readConfusion } from '../../src/core/runs/confusionRecords';
import { readRunInfo } from '../../src/core/runs/runFolder';
import { cli, REPO } from './support/cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-confusion-cli-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
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
