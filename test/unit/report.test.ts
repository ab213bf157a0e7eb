// Exports that open without VS Code: SVG charts, the layer diagram, CSV and
// the HTML report, and the CLI commands that write them. Everything is built
// from small in-memory records or a run folder written here; only the
// diagram tests build real models (tfjs), to draw the graphs the trainer
// would store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { registerReportCommands } from '../../src/cli/reportCommands';
import { extractGraph, summarize } from '../../src/core/graph/extract';
import { resnetCifar } from '../../src/core/lib';
import { resolveRecipe } from '../../src/core/lib/experiment';
import { csvRecords, gradientsCsv, lesionCsv, metricsCsv, parseCsv, responsesCsv } from '../../src/core/report/csv';
import { diagramSvg } from '../../src/core/report/diagramSvg';
import { finalErrors, htmlReport } from '../../src/core/report/htmlReport';
import {
  decimate,
  decimateMean,
  ema,
  errorCurvesSvg,
  gradientHeatmapSvg,
  lesionBarsSvg,
  lossCurvesSvg,
  lrSvg,
  niceTicks,
  Point,
  responsesSvg,
  viridis,
} from '../../src/core/report/svgCharts';
import type { GradientRecord, MetricRecord, RunInfo } from '../../src/core/runs/runFolder';
import type { LesionResult, ResponsesResult } from '../../src/protocol/trainer';
import { tempDir } from '../support/tempDir';

const tmp = tempDir('report');

// ---------------------------------------------------------------------------
// A small XML checker: every '<' starts a well-formed tag, tags nest and
// close, attributes are quoted and not repeated, '&' only starts an entity.

function assertWellFormedXml(xml: string, root = 'svg'): void {
  const src = xml
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/^<\?xml[^>]*\?>/, '')
    .trim();
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[A-Za-z_:][\w:.-]*\s*=\s*"[^"<]*")*)\s*(\/?)>/y;
  const stack: string[] = [];
  let i = 0,
    roots = 0;
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    const textPart = src.slice(i, lt < 0 ? src.length : lt);
    const badAmp = /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.exec(textPart);
    assert.equal(badAmp, null, `bare & in text near ${JSON.stringify(textPart.slice(0, 60))}`);
    if (stack.length === 0)
      assert.equal(textPart.trim(), '', `text outside the root: ${JSON.stringify(textPart.slice(0, 60))}`);
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(src);
    assert.ok(m, `malformed tag at ${lt}: ${JSON.stringify(src.slice(lt, lt + 80))}`);
    const [whole, closing, name, attrs, selfClosing] = m;
    if (!closing) {
      const names = [...attrs.matchAll(/([A-Za-z_:][\w:.-]*)\s*=/g)].map((a) => a[1]);
      assert.equal(new Set(names).size, names.length, `repeated attribute in ${whole.slice(0, 80)}`);
      for (const v of attrs.matchAll(/="([^"]*)"/g))
        assert.equal(/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(v[1]), false, `bare & in attribute of ${name}`);
    }
    if (closing) {
      assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    } else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name);
    } else if (stack.length === 0) roots++;
    i = lt + whole.length;
  }
  assert.deepEqual(stack, [], 'unclosed elements');
  assert.equal(roots, 1, 'exactly one root element');
  assert.ok(src.startsWith(`<${root}`), `root is <${root}>`);
}

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;
/** The points of a path's d attribute (M/L/H/V commands). */
const pathPoints = (d: string) => count(d, /[MLH]/g);
const pathsOf = (svg: string, cls: string) =>
  [...svg.matchAll(new RegExp(`<path class="series ${cls}"[^>]* d="([^"]*)"`, 'g'))].map((m) => m[1]);

// ---------------------------------------------------------------------------
// Data

function metrics(iterations: number, perEpoch: number, seed = 1): MetricRecord[] {
  let s = seed;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const out: MetricRecord[] = [];
  for (let it = 1; it <= iterations; it++) {
    const e = Math.min(1, 0.1 + 0.8 * Math.exp(-it / (iterations / 5)) + (rnd() - 0.5) * 0.05);
    out.push({
      type: 'iteration',
      iteration: it,
      epoch: Math.ceil(it / perEpoch),
      loss: 2 * e + 0.1,
      trainError: e,
      lr: it <= iterations / 2 ? 0.1 : 0.01,
      imagesPerSec: 500 + (it % 7),
    });
    if (it % perEpoch === 0) {
      out.push({
        type: 'epoch',
        epoch: it / perEpoch,
        iteration: it,
        trainLoss: 2 * e,
        trainError: e,
        testLoss: 2 * e + 0.2,
        testError: e + 0.05,
        seconds: 12.5,
      });
    }
  }
  return out;
}

const gradLayers = ['conv1', 'bn1', 'stage1/block1/conv1', 'stage1/block1/conv2', 'fc'];
function gradients(records: number): GradientRecord[] {
  return Array.from({ length: records }, (_, r) => ({
    iteration: (r + 1) * 20,
    layers: gradLayers.map((name, i) => ({ name, norm: 10 ** (-3 + i * 0.5 - r * 0.05) })),
  }));
}

const lesion: LesionResult = {
  testExamples: 1000,
  baselineError: 0.0812,
  blocks: [
    { name: 'stage1/block1/add', error: 0.1, downsampling: false },
    { name: 'stage1/block2/add', error: 0.09, downsampling: false },
    { name: 'stage2/block1/add', error: 0.45, downsampling: true },
    { name: 'stage2/block2/add', error: 0.11, downsampling: false },
    { name: 'stage3/block1/add', error: 0.5, downsampling: true },
  ],
  random: [1, 2, 3, 4, 5].map((k) => ({
    k,
    meanError: 0.08 + 0.1 * k,
    errors: [0.08 + 0.1 * k - 0.01, 0.08 + 0.1 * k + 0.01],
  })),
};

const responses = (n: number, scale: number): ResponsesResult => ({
  testExamples: 500,
  layers: Array.from({ length: n }, (_, i) => ({
    name: `stage${1 + Math.floor(i / 3)}/block${1 + (i % 3)}/bn1`,
    index: i + 1,
    std: scale * (1 + Math.sin(i)),
  })),
});

const cifar = { inputShape: [32, 32, 3] as [number, number, number], numClasses: 10 };

// ---------------------------------------------------------------------------
// Helpers

test('the XML checker itself rejects what it should', () => {
  assertWellFormedXml('<svg a="1"><g><rect/></g><text>a &amp; b</text></svg>');
  for (const bad of [
    '<svg><g></svg>',
    '<svg><g></g>',
    '<svg a=1></svg>',
    '<svg a="1" a="2"></svg>',
    '<svg>a & b</svg>',
    '<svg></svg><svg></svg>',
    '<svg><g></h></svg>',
  ]) {
    assert.throws(() => assertWellFormedXml(bad), assert.AssertionError, bad);
  }
});

test('niceTicks encloses the range with round steps; decimation keeps ends and caps points', () => {
  assert.deepEqual(niceTicks(0, 93.2, 6), [0, 20, 40, 60, 80, 100]);
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.25, 0.5, 0.75, 1]);
  const pts: Point[] = Array.from({ length: 100_000 }, (_, i) => [i, Math.sin(i / 100) + (i === 54_321 ? 10 : 0)]);
  const d = decimate(pts, 2000);
  assert.equal(d.length, 2000);
  assert.deepEqual(d[0], pts[0]);
  assert.deepEqual(d[d.length - 1], pts[pts.length - 1]);
  assert.ok(
    d.some(([x]) => x === 54_321),
    'LTTB keeps a lone spike',
  );
  for (let i = 1; i < d.length; i++) assert.ok(d[i][0] > d[i - 1][0], 'x increasing');
  assert.equal(decimate(pts.slice(0, 10), 2000).length, 10);
  const m = decimateMean(pts, 500);
  assert.equal(m.length, 500);
  // Bias-corrected EMA of a constant is that constant from the first point; the panel's form starts at the first value.
  assert.deepEqual(
    ema([
      [1, 5],
      [2, 5],
      [3, 5],
    ]).map(([, y]) => Number(y.toFixed(12))),
    [5, 5, 5],
  );
  assert.deepEqual(
    ema(
      [
        [1, 10],
        [2, 0],
      ],
      0.5,
      false,
    ),
    [
      [1, 10],
      [2, 5],
    ],
  );
  assert.equal(viridis(0), '#440154');
  assert.equal(viridis(1), '#fde725');
});

// ---------------------------------------------------------------------------
// Charts

test('errorCurvesSvg, one run: raw, smoothed and test error; well-formed; ≤ 2000 points per series', () => {
  const m = metrics(30_000, 1000);
  const svg = errorCurvesSvg([{ label: 'resnet20 (20 layers)', metrics: m }]);
  assertWellFormedXml(svg);
  const raw = pathsOf(svg, 'train-raw'),
    smooth = pathsOf(svg, 'train-smooth'),
    testErr = pathsOf(svg, 'test');
  assert.equal(raw.length, 1);
  assert.equal(smooth.length, 1);
  assert.equal(testErr.length, 1);
  assert.equal(pathPoints(raw[0]), 2000, 'raw series decimated to the cap');
  assert.ok(pathPoints(smooth[0]) <= 2000);
  assert.equal(pathPoints(testErr[0]), 30, 'one test point per epoch');
  assert.equal(count(svg, /<circle /g), 30, 'test error drawn with points');
  assert.match(svg, /error \(%\)/);
  assert.match(svg, />iteration</);
  assert.match(svg, /training error \(EMA 0\.95\)/);
  assert.match(svg, />10k</, 'iteration ticks in thousands');
  assert.match(svg, /fill="#ffffff"/, 'light background by default');
  assert.match(errorCurvesSvg([{ label: 'x', metrics: m }], { dark: true }), /fill="#0d1117"/);
  // maxPoints is honoured for every series.
  const small = errorCurvesSvg([{ label: 'x', metrics: m }], { maxPoints: 300 });
  for (const cls of ['train-raw', 'train-smooth', 'test']) assert.ok(pathPoints(pathsOf(small, cls)[0]) <= 300, cls);
});

test('errorCurvesSvg, several runs: dashed training and bold test per run, one colour each, legend names model and depth', () => {
  const runs = [
    { label: 'plain20 (20 layers)', metrics: metrics(2000, 100, 1) },
    { label: 'resnet20 (20 layers)', metrics: metrics(2000, 100, 2) },
    { label: 'resnet56 (56 layers)', metrics: metrics(3000, 100, 3) },
  ];
  const svg = errorCurvesSvg(runs);
  assertWellFormedXml(svg);
  const trains = [...svg.matchAll(/<path class="series train"[^>]*stroke="(#[0-9a-f]+)"[^>]*stroke-dasharray="5 4"/g)];
  const tests = [...svg.matchAll(/<path class="series test"[^>]*stroke="(#[0-9a-f]+)" stroke-width="2.6"/g)];
  assert.equal(trains.length, 3);
  assert.equal(tests.length, 3);
  assert.equal(new Set(tests.map((m) => m[1])).size, 3, 'one colour per run');
  assert.deepEqual(
    trains.map((m) => m[1]),
    tests.map((m) => m[1]),
    'train and test of a run share its colour',
  );
  for (const r of runs) assert.ok(svg.includes(`>${r.label}</text>`), `legend names ${r.label}`);
  assert.equal(count(svg, /<path class="series test"[^>]*clip-path/g), 3, 'curves are clipped to the plot');
});

test('loss and learning-rate charts; an empty run gives a "no data" chart, not an error', () => {
  const m = metrics(500, 100);
  const loss = lossCurvesSvg([{ label: 'r', metrics: m }]);
  assertWellFormedXml(loss);
  assert.equal(pathsOf(loss, 'test').length, 1);
  const lr = lrSvg([{ label: 'r', metrics: m }]);
  assertWellFormedXml(lr);
  assert.match(pathsOf(lr, 'lr')[0], /H[\d.]+V[\d.]+/, 'stepped');
  assert.match(lr, />0\.1</);
  assert.match(lr, />0\.01</);
  const empty = errorCurvesSvg([{ label: 'r', metrics: [] }]);
  assertWellFormedXml(empty);
  assert.match(empty, /no metrics recorded yet/);
});

test('gradientHeatmapSvg: one row of cells per layer, one column per record, input at the bottom', () => {
  const recs = gradients(7);
  const svg = gradientHeatmapSvg(recs, 'Gradient norms');
  assertWellFormedXml(svg);
  const rows = [...svg.matchAll(/<g class="hm-row" data-layer="([^"]*)">(.*?)<\/g>/g)];
  assert.deepEqual(
    rows.map((r) => r[1]),
    gradLayers,
    'one row per layer, in network order',
  );
  for (const r of rows) assert.equal(count(r[2], /<rect /g), recs.length, `${r[1]}: one cell per record`);
  const yOf = (r: RegExpMatchArray) => Number(/y="([\d.]+)"/.exec(r[2])![1]);
  for (let i = 1; i < rows.length; i++) assert.ok(yOf(rows[i]) < yOf(rows[i - 1]), 'later layers higher up');
  // Within a row, later records to the right; colours from the viridis scale.
  const xs = [...rows[0][2].matchAll(/x="([\d.]+)"/g)].map((m) => Number(m[1]));
  for (let i = 1; i < xs.length; i++) assert.ok(xs[i] > xs[i - 1]);
  assert.match(svg, /<linearGradient/);
  const colourbar = /<g class="colorbar"[\s\S]*?<\/g>/.exec(svg)![0];
  assert.match(colourbar, />0\.001</);
  assert.match(colourbar, />0\.01</);
  assert.match(gradientHeatmapSvg(gradients(120), 'g'), /10⁻⁴|10⁻³/, 'many decades: labelled in powers of ten');
  assert.match(svg, /Gradient norms/);
  // The largest norm (fc at the first record) is the brightest cell.
  assert.ok(rows[4][2].startsWith('<rect') && /fill="#fde725"/.test(rows[4][2].split('/>')[0]));
});

test('gradientHeatmapSvg buckets long runs under maxCells, and keeps every layer', () => {
  const recs = gradients(1000);
  const svg = gradientHeatmapSvg(recs, 'g', { maxCells: 500 });
  assertWellFormedXml(svg);
  const rows = [...svg.matchAll(/<g class="hm-row" data-layer="([^"]*)">(.*?)<\/g>/g)];
  assert.equal(rows.length, gradLayers.length);
  const cols = count(rows[0][2], /<rect /g);
  assert.ok(cols * gradLayers.length <= 500 && cols >= 50, `${cols} columns`);
  assert.match(svg, /each column: mean of 10 records/);
});

test('lesionBarsSvg: a bar per block, downsampling blocks marked, baseline line, mean error vs k', () => {
  const svg = lesionBarsSvg({
    ...lesion,
    custom: { lesioned: ['stage1/block1/add', 'stage1/block2/add'], error: 0.2 },
  });
  assertWellFormedXml(svg);
  assert.equal(count(svg, /<rect class="bar[ "]/g), lesion.blocks.length);
  assert.equal(count(svg, /<rect class="bar downsampling"/g), 2);
  assert.equal(count(svg, /class="baseline"/g), 2, 'baseline in both panels');
  assert.match(svg, /no deletion: 8\.12%/);
  const mean = pathsOf(svg, 'random-mean');
  assert.equal(mean.length, 1);
  assert.equal(pathPoints(mean[0]), lesion.random.length + 1, 'k = 0 (baseline) to n');
  assert.equal(count(svg, /<g class="draws"[^>]*>(<circle [^>]*\/>){10}<\/g>/g), 1, 'every draw drawn');
  assert.match(svg, /2 chosen blocks deleted: 20\.00%/);
  assert.match(svg, />stage2\/block1</, 'blocks labelled without /add');
  // The 45% bar is taller than the 10% one.
  const heights = [...svg.matchAll(/<rect class="bar[^"]*" data-block="([^"]+)"[^>]* height="([\d.]+)"/g)].map(
    (m) => [m[1], Number(m[2])] as const,
  );
  const h = new Map(heights);
  assert.ok(h.get('stage2/block1/add')! > 4 * h.get('stage1/block1/add')!);
});

test('responsesSvg: std per layer for each net, and the sorted variant', () => {
  const series = [
    { label: 'plain20 (20 layers)', result: responses(9, 2) },
    { label: 'resnet20 (20 layers)', result: responses(9, 1) },
  ];
  const svg = responsesSvg(series);
  assertWellFormedXml(svg);
  assert.equal(pathsOf(svg, 'responses').length, 2);
  assert.equal(count(svg, /<circle /g), 18);
  assert.match(svg, /layer index \(original\)/);
  const sorted = responsesSvg(series, { sorted: true });
  assertWellFormedXml(sorted);
  assert.match(sorted, /sorted by magnitude/);
  // Sorted: y (screen) non-decreasing along each line, i.e. std non-increasing.
  for (const d of pathsOf(sorted, 'responses')) {
    const ys = [...d.matchAll(/[ML][\d.]+,([\d.]+)/g)].map((m) => Number(m[1]));
    for (let i = 1; i < ys.length; i++) assert.ok(ys[i] >= ys[i - 1] - 1e-9);
  }
});

test('labels are escaped: a layer or run name with <, & and quotes keeps the SVG well-formed', () => {
  const svg = errorCurvesSvg([
    { label: 'a<b & "c"', metrics: metrics(100, 50) },
    { label: "d'e", metrics: metrics(100, 50) },
  ]);
  assertWellFormedXml(svg);
  assert.ok(svg.includes('a&lt;b &amp; &quot;c&quot;'));
  assertWellFormedXml(gradientHeatmapSvg([{ iteration: 1, layers: [{ name: 'x<&>"', norm: 1 }] }], 't&t'));
});

// ---------------------------------------------------------------------------
// Diagram

test('diagramSvg, resnet-20 (collapsed, > 60 layers): one shortcut path per Add layer, two of them zero-padding', () => {
  const model = resnetCifar({ depth: 20 })(cifar);
  const graph = extractGraph(model);
  const summary = summarize(model, graph);
  model.dispose();
  const adds = graph.nodes.filter((n) => n.className === 'Add').length;
  assert.equal(adds, 9);
  assert.ok(graph.nodes.length > 60);
  const svg = diagramSvg(graph, { summary });
  assertWellFormedXml(svg);
  assert.equal(count(svg, /<path class="shortcut[ "]/g), adds);
  assert.equal(count(svg, /class="shortcut shortcut-padding"[^>]*stroke-dasharray="6 4"/g), 2);
  assert.equal(count(svg, /class="shortcut shortcut-identity"/g), 7);
  assert.equal(count(svg, /<g class="node block"/g), 9, 'each residual block collapsed into one box');
  assert.equal(count(svg, /class="stage-boundary"/g), 2);
  assert.match(svg, /resnet20: 20 weighted layers · 9 shortcuts · 269,722 parameters/);
  assert.match(svg, /data-shortcuts="9"/);
  // Expanded: still one arc per addition, and a box per layer not on a shortcut.
  const full = diagramSvg(graph, { collapse: 'none' });
  assertWellFormedXml(full);
  assert.equal(count(full, /<path class="shortcut[ "]/g), adds);
  assert.equal(
    count(full, /<g class="node"/g),
    graph.nodes.length - 2,
    'the two padding layers are drawn on their arcs',
  );
});

test('diagramSvg, option B: projection shortcuts thick with a "proj" tag', () => {
  const model = resnetCifar({ depth: 8, widths: [4, 8, 8], shortcut: 'B' })(cifar);
  const graph = extractGraph(model);
  model.dispose();
  const svg = diagramSvg(graph, { dark: true });
  assertWellFormedXml(svg);
  assert.equal(count(svg, /<path class="shortcut shortcut-projection"[^>]*stroke-width="3"/g), 2);
  assert.equal(count(svg, />proj</g), 2);
  assert.match(svg, /fill="#0d1117"/);
});

// ---------------------------------------------------------------------------
// CSV

test('metrics CSV round-trips every number exactly; missing values are empty fields', () => {
  const m: MetricRecord[] = [
    {
      type: 'iteration',
      iteration: 1,
      epoch: 1,
      loss: 0.1 + 0.2,
      trainError: 1 / 3,
      lr: 1e-7,
      imagesPerSec: 123.456789012345,
    },
    {
      type: 'epoch',
      epoch: 1,
      iteration: 1,
      trainLoss: 2.5e-10,
      trainError: 0.5,
      testLoss: Math.PI,
      testError: 0.0123456789,
      valError: 0.2,
      seconds: 12,
    },
    ...metrics(200, 100),
  ];
  const csv = metricsCsv(m);
  const lines = csv.trimEnd().split('\n');
  assert.equal(
    lines[0],
    'iteration,epoch,type,loss,trainError,testError,testLoss,lr,imagesPerSec,trainLoss,valError,seconds',
  );
  assert.equal(lines.length, m.length + 1);
  assert.equal(lines[1], `1,1,iteration,${0.1 + 0.2},${1 / 3},,,1e-7,123.456789012345,,,`);
  const back = csvRecords(csv);
  assert.equal(back.length, m.length);
  back.forEach((r, i) => assert.deepEqual(r, m[i], `row ${i}`));
});

test('gradients, lesion and responses CSV; quoting survives commas and quotes', () => {
  const recs: GradientRecord[] = [
    {
      iteration: 20,
      layers: [
        { name: 'a,b', norm: 0.5 },
        { name: 'say "hi"', norm: 1e-12 },
      ],
    },
    ...gradients(3),
  ];
  const g = parseCsv(gradientsCsv(recs));
  assert.deepEqual(g[0], ['iteration', 'layer', 'norm']);
  assert.deepEqual(g[1], ['20', 'a,b', '0.5']);
  assert.deepEqual(g[2], ['20', 'say "hi"', '1e-12']);
  assert.equal(g.length, 1 + 2 + 3 * gradLayers.length);
  assert.equal(Number(g[3][2]), recs[1].layers[0].norm);

  const l = csvRecords(lesionCsv(lesion));
  assert.deepEqual(l[0], { kind: 'baseline', k: 0, error: 0.0812 });
  assert.deepEqual(
    l.filter((r) => r.kind === 'block').map((r) => [r.block, r.error, r.downsampling]),
    lesion.blocks.map((b) => [b.name, b.error, String(b.downsampling)]),
  );
  assert.deepEqual(
    l.filter((r) => r.kind === 'random').map((r) => [r.k, r.error]),
    lesion.random.map((r) => [r.k, r.meanError]),
  );
  assert.equal(l.filter((r) => r.kind === 'random-draw').length, 10);

  const r = csvRecords(responsesCsv(responses(4, 1)));
  assert.deepEqual(
    r.map((x) => x.std),
    responses(4, 1).layers.map((x) => x.std),
  );
});

// ---------------------------------------------------------------------------
// Run folders: the HTML report and the CLI commands

function writeRun(name: string, o: { lesion?: boolean; responses?: boolean; gradients?: boolean } = {}): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  const model = resnetCifar({ depth: 8, widths: [4, 8, 8] })(cifar);
  const graph = extractGraph(model);
  const summary = summarize(model, graph);
  model.dispose();
  const m = metrics(400, 100);
  const info: RunInfo = {
    id: name,
    experiment: 'tinyResnet',
    file: '/work/examples/models.ts',
    createdAt: '2026-11-29T12:00:00.000Z',
    status: 'finished',
    backend: 'cpu',
    recipe: resolveRecipe({ epochs: 4, batchSize: 32 }),
    overrides: {},
    dataset: {
      name: 'synthetic',
      source: 'generated',
      train: 3200,
      test: 640,
      inputShape: [32, 32, 3],
      classNames: [],
    },
    summary,
    graph,
    iterationsPerEpoch: 100,
    totalIterations: 400,
    epochs: 4,
    final: { iteration: 400, trainError: 0.1234, testError: 0.0987 },
  };
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify(info));
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), m.map((r) => JSON.stringify(r)).join('\n') + '\n');
  if (o.gradients)
    fs.writeFileSync(
      path.join(dir, 'gradients.jsonl'),
      gradients(20)
        .map((r) => JSON.stringify(r))
        .join('\n') + '\n',
    );
  if (o.lesion)
    fs.writeFileSync(
      path.join(dir, 'lesion.json'),
      JSON.stringify({ ...lesion, checkpoint: 'latest', iteration: 400 }),
    );
  if (o.responses) fs.writeFileSync(path.join(dir, 'responses.json'), JSON.stringify(responses(7, 1)));
  return dir;
}

test('htmlReport: self-contained page with summary, recipe, final errors, charts, diagram and per-epoch table', () => {
  const dir = writeRun('full', { lesion: true, responses: true, gradients: true });
  const html = htmlReport(dir, { now: new Date('2026-11-30T00:00:00Z') });
  assert.match(html, /^<!DOCTYPE html>/);
  assert.doesNotMatch(html, /https?:\/\//, 'no http(s) references at all');
  assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import|\bsrc=/i, 'no scripts or external resources');
  assert.doesNotMatch(html, /url\((?!#)/, 'url() only for in-document references');
  assert.match(html, /final test error<\/div><div class="v">9\.87%/);
  assert.match(html, /final training error<\/div><div class="v">12\.34%/);
  assert.match(html, /8 weighted layers on the main path/);
  assert.match(html, /3 \(1 identity, 2 padding\)/);
  assert.match(html, /2,590 trainable/);
  assert.match(html, /4 epochs × 100 iterations = 400 iterations/);
  assert.match(html, /0\.1, ×0\.1 after iterations 200, 300/);
  assert.match(html, /0\.1 → 0\.01 from 201/, 'the schedule as recorded');
  for (const id of ['error', 'epochs', 'gradients', 'lesion', 'responses', 'diagram'])
    assert.match(html, new RegExp(`<h2 id="${id}">`));
  assert.equal(count(html, /<tr(?: class="best")?><td>\d+<\/td>/g), 4, 'one table row per epoch');
  // Every inline SVG is well-formed and their clip-path / gradient ids are unique across the page.
  const svgs = [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
  assert.equal(svgs.length, 8, 'error, loss, lr, heatmap, lesion, 2 × responses, diagram');
  for (const s of svgs) assertWellFormedXml(s);
  const ids = [...html.matchAll(/ id="(rl-[^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length, 'unique ids');
  assert.equal(count(html, /<path class="shortcut[ "]/g), 3);
});

test('htmlReport without the optional files leaves their sections out; finalErrors falls back to the last epoch', () => {
  const dir = writeRun('bare');
  const html = htmlReport(dir);
  assert.doesNotMatch(html, /id="lesion"|id="responses"|id="gradients"/);
  assert.match(html, /id="diagram"/);
  const info = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')) as RunInfo;
  delete info.final;
  const m = metrics(400, 100);
  const last = m.filter((r) => r.type === 'epoch').pop()!;
  const f = finalErrors(info, m);
  assert.equal(f.testError, last.testError);
  assert.equal(f.trainError, last.trainError);
});

/** Runs the report commands in-process; returns what they printed and the exit code they set. */
async function cli(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const program = new Command('resnet-lab').exitOverride().configureOutput({ writeErr: () => undefined });
  registerReportCommands(program);
  const out: string[] = [],
    err: string[] = [];
  const log = console.log,
    error = console.error;
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  console.error = (...a: unknown[]) => err.push(a.join(' '));
  const before = process.exitCode;
  process.exitCode = 0;
  try {
    await program.parseAsync(['node', 'resnet-lab', ...args]);
  } finally {
    console.log = log;
    console.error = error;
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = before;
  return { out: out.join('\n'), err: err.join('\n'), code };
}

test('CLI: report, plot and export-csv write their files and print the paths', async () => {
  const dir = writeRun('cli', { lesion: true, responses: true, gradients: true });
  const r = await cli('report', dir);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, path.resolve(dir, 'report.html'));
  assert.match(fs.readFileSync(path.join(dir, 'report.html'), 'utf8'), /9\.87%/);

  const other = writeRun('cli2');
  for (const kind of ['curves', 'gradients', 'lesion', 'responses', 'diagram']) {
    const file = path.join(tmp, 'plots', `${kind}.svg`);
    const p = await cli('plot', kind, dir, '--out', file, '--dark');
    assert.equal(p.code, 0, `${kind}: ${p.err}`);
    assert.equal(p.out, file);
    const svg = fs.readFileSync(file, 'utf8');
    assertWellFormedXml(svg);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, 'a standalone SVG declares its namespace');
    assert.match(svg, /fill="#0d1117"/);
  }
  const cmp = await cli(
    'plot',
    'compare',
    dir,
    other,
    '--out',
    path.join(tmp, 'plots', 'compare.svg'),
    '--y-max',
    '50',
  );
  assert.equal(cmp.code, 0, cmp.err);
  const cmpSvg = fs.readFileSync(path.join(tmp, 'plots', 'compare.svg'), 'utf8');
  assert.equal(count(cmpSvg, /<path class="series test"/g), 2);
  assert.match(cmpSvg, /resnet8 \(8 layers\) · cli</, 'runs of the same model told apart');
  assert.match(cmpSvg, />50</);

  const csvDir = path.join(tmp, 'csv');
  const c = await cli('export-csv', dir, '--out', csvDir);
  assert.equal(c.code, 0, c.err);
  assert.deepEqual(fs.readdirSync(csvDir).sort(), ['gradients.csv', 'lesion.csv', 'metrics.csv', 'responses.csv']);
  assert.equal(c.out.split('\n').length, 4);
});

test('CLI: clear errors for missing files, wrong kinds and folders that are not runs', async () => {
  const dir = writeRun('missing');
  const l = await cli('plot', 'lesion', dir, '--out', path.join(tmp, 'x.svg'));
  assert.equal(l.code, 1);
  assert.equal(l.err, `error: ${path.join(dir, 'lesion.json')} not found: run \`resnet-lab lesion ${dir}\` first`);
  assert.ok(!fs.existsSync(path.join(tmp, 'x.svg')));
  const rsp = await cli('plot', 'responses', dir);
  assert.match(rsp.err, /responses\.json not found: run `resnet-lab responses /);
  const g = await cli('plot', 'gradients', dir);
  assert.match(g.err, /gradients\.jsonl not found: gradient norms are recorded while training/);
  const two = await cli('plot', 'diagram', dir, dir);
  assert.match(two.err, /plot diagram takes one run folder/);
  const none = await cli('report', path.join(tmp, 'nope'));
  assert.equal(none.code, 1);
  assert.match(none.err, /nope: no such folder/);
  fs.mkdirSync(path.join(tmp, 'empty'), { recursive: true });
  const empty = await cli('report', path.join(tmp, 'empty'));
  assert.match(empty.err, /is not a run folder \(no run\.json\)/);
  await assert.rejects(cli('plot', 'pie', dir), /value 'pie' is invalid for argument 'kind'/);
  fs.writeFileSync(path.join(dir, 'lesion.json'), '{"blocks": 3}');
  const bad = await cli('plot', 'lesion', dir);
  assert.match(bad.err, /lesion\.json does not look like a lesion result/);
});
