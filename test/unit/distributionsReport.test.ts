// What is made of distribution records once written: the panel's view (thinned
// evenly, tailed by the host as the file grows), the activation spread by
// depth, the HTML report's section and export-csv's distributions.csv. The
// records come from a real seeded training run of a tiny ResNet.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initWasm } from '../../src/core/backend/wasmConvGrads';
import { loadDataset } from '../../src/core/data';
import { extractGraph, summarize } from '../../src/core/graph/extract';
import { resnetCifar, setInitSeed, synthetic } from '../../src/core/lib';
import { resolveRecipe } from '../../src/core/lib/experiment';
import { DISTRIBUTION_COLUMNS } from '../../src/core/distributions/distributionsCsv';
import { readDistributions } from '../../src/core/distributions/records';
import { distributionView, evenPicks } from '../../src/core/distributions/view';
import { parseCsv } from '../../src/core/report/csv';
import { spreadByDepth, spreadByDepthSvg } from '../../src/core/report/distributionSvg';
import { LIGHT_THEME } from '../../src/core/report/svg/primitives';
import { exportCsv } from '../../src/core/report/exports';
import { htmlReport } from '../../src/core/report/htmlReport';
import { DISTRIBUTIONS, RUN_JSON } from '../../src/core/runs/runFiles';
import type { RunInfo } from '../../src/core/runs/runFolder';
import { Control } from '../../src/core/train/control';
import { runTraining } from '../../src/core/train/loop';
import { distributionsOf } from '../../src/extension/panelDistributions';
import { openRun } from '../../src/extension/panelData';
import { tempDir } from '../support/tempDir';

const runDir = tempDir('dist-report');

// 24 iterations, a record every 4: iterations 0, 4, ..., 24 (7 records) of 8 kernels and 3 block outputs.
before(async () => {
  await initWasm(tf);
  const dataset = await loadDataset(synthetic({ trainSize: 64, testSize: 16, seed: 2 }));
  setInitSeed(1);
  const model = resnetCifar({ depth: 8, widths: [4, 8, 8] })(dataset.info);
  const recipe = resolveRecipe({ iterations: 24, batchSize: 16, distributionEvery: 4, seed: 3, data: dataset.spec });
  await runTraining({ tf, model, dataset, recipe, runDir, control: new Control(), workers: 1, emit: () => {} });
  const graph = extractGraph(model);
  const info: RunInfo = {
    id: path.basename(runDir),
    experiment: 'tinyResnet',
    file: '/work/examples/models.ts',
    createdAt: '2026-12-05T01:00:00.000Z',
    status: 'finished',
    backend: 'wasm',
    recipe,
    overrides: {},
    dataset: { name: 'synthetic', source: 'generated', train: 64, test: 16, inputShape: [32, 32, 3], classNames: [] },
    summary: summarize(model, graph),
    graph,
    iterationsPerEpoch: 4,
    totalIterations: 24,
    epochs: 6,
  };
  fs.writeFileSync(path.join(runDir, RUN_JSON), JSON.stringify(info));
  model.dispose();
});

test('evenPicks thins evenly and keeps the first and the last', () => {
  assert.deepEqual(evenPicks(5, 10), [0, 1, 2, 3, 4]);
  assert.deepEqual(evenPicks(1000, 5), [0, 250, 500, 749, 999]);
});

test('the view has one series per tensor, thinned records, and the zeros of the block outputs', () => {
  const records = readDistributions(runDir);
  assert.deepEqual(
    records.map((r) => r.iteration),
    [0, 4, 8, 12, 16, 20, 24],
  );
  const view = distributionView(records, 4);
  assert.deepEqual(view.iterations, [0, 8, 16, 24]); // picks 0, 2, 4, 6 of 7
  assert.equal(view.records, 7);
  assert.equal(view.series.filter((s) => s.kind === 'weights').length, 8);
  const blocks = view.series.filter((s) => s.kind === 'activations');
  assert.deepEqual(
    blocks.map((s) => s.name),
    ['stage1/block1/relu2', 'stage2/block1/relu2', 'stage3/block1/relu2'],
  );
  assert.deepEqual(blocks[0].q[3], records[6].activations[0].q);
  assert.deepEqual(
    blocks[0].zeros,
    [0, 2, 4, 6].map((i) => records[i].activations[0].zeros),
  );
  const spread = spreadByDepth(view);
  assert.equal(spread.length, 3);
  const q = records[6].activations[2].q as number[];
  assert.equal(spread[2].spread, (q[6] - q[2]) / 2);
});

test('Compare: the spread by depth of two runs (plain against residual) as two lines with their labels', () => {
  const view = distributionView(readDistributions(runDir));
  // A second run whose block outputs spread ten times as wide: its line lies one decade above.
  const wide = {
    ...view,
    series: view.series.map((s) => ({ ...s, q: s.q.map((row) => row.map((v) => (v === null ? v : 10 * v))) })),
  };
  const svg = spreadByDepthSvg(
    [
      { label: 'plain-8', view: wide, color: '#d62728' },
      { label: 'resnet-8', view, color: '#1f77b4' },
    ],
    { theme: LIGHT_THEME },
  );
  const lines = [...svg.matchAll(/<polyline points="([^"]+)" fill="none" stroke="(#[0-9a-f]+)"/g)];
  assert.deepEqual(
    lines.map((m) => m[2]),
    ['#d62728', '#1f77b4'],
  );
  const ys = (m: RegExpMatchArray) => m[1].split(' ').map((p) => Number(p.split(',')[1]));
  const [plain, residual] = lines.map(ys);
  assert.equal(plain.length, 3);
  const decade = residual[0] - plain[0];
  assert.ok(decade > 10, `one decade apart: ${decade} px`);
  plain.forEach((y, i) => assert.ok(Math.abs(residual[i] - y - decade) < 0.02, `block ${i + 1}`));
  assert.match(svg, />plain-8</);
  assert.match(svg, />resnet-8</);
});

test('the host tails the file: a record appended later comes with the next request, a rewrite starts over', () => {
  const run = openRun({ id: 'run-1', experiment: 'tinyResnet', status: 'finished' }, runDir);
  assert.equal(distributionsOf(run)?.records, 7);
  const file = path.join(runDir, DISTRIBUTIONS);
  const lines = fs.readFileSync(file, 'utf8');
  const last = JSON.parse(lines.trim().split('\n').at(-1)!) as { iteration: number };
  fs.appendFileSync(file, JSON.stringify({ ...last, iteration: 28 }) + '\n' + '{"iteration": 32, "weights": "torn"}\n');
  const grown = distributionsOf(run)!;
  assert.equal(grown.records, 8, 'the schema-checked new record, the bad line skipped');
  assert.equal(grown.iterations.at(-1), 28);
  fs.writeFileSync(file, lines.split('\n').slice(0, 2).join('\n') + '\n');
  assert.equal(distributionsOf(run)?.records, 2);
  fs.writeFileSync(file, lines);
  assert.equal(distributionsOf(openRun({ id: 'run-2', experiment: 'e', status: 'starting' }, undefined)), undefined);
});

test('the HTML report has a Distributions section: the spread by depth and a band chart per tensor', () => {
  const html = htmlReport(runDir);
  assert.match(html, /<a href="#distributions">distributions<\/a>/);
  const section = html.slice(
    html.indexOf('<h2 id="distributions">'),
    html.indexOf('<h2', html.indexOf('<h2 id="distributions">') + 5),
  );
  assert.equal((section.match(/data-chart="spread-by-depth"/g) ?? []).length, 1);
  assert.equal((section.match(/data-kind="activations"/g) ?? []).length, 3);
  assert.equal((section.match(/data-kind="weights"/g) ?? []).length, 8);
  assert.equal((section.match(/<polygon /g) ?? []).length, 4 * 11, 'four bands per chart');
  assert.equal((section.match(/% zeros<\/text>/g) ?? []).length, 3, 'the share of zeros beside each block output');
  assert.match(section, /7 records, every 4 iterations/);
});

test('export-csv writes distributions.csv: a row per tensor per record, quantiles by level, zeros for block outputs', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-dist-csv-'));
  try {
    const written = exportCsv(runDir, out);
    assert.ok(written.includes(path.join(out, 'distributions.csv')));
    const [header, ...rows] = parseCsv(fs.readFileSync(path.join(out, 'distributions.csv'), 'utf8'));
    assert.deepEqual(header, DISTRIBUTION_COLUMNS);
    assert.deepEqual(header.slice(3, 12), ['q0', 'q7', 'q16', 'q31', 'q50', 'q69', 'q84', 'q93', 'q100']);
    assert.equal(rows.length, 7 * 11);
    const records = readDistributions(runDir);
    const row = rows.find((r) => r[0] === '24' && r[2] === 'stage2/block1/relu2')!;
    const a = records[6].activations[1];
    assert.deepEqual(row.slice(1), ['activation', a.name, ...a.q.map(String), String(a.zeros)]);
    assert.equal(rows.find((r) => r[1] === 'kernel')![12], '', 'no zeros for a kernel');
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
