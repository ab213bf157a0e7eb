// Veit et al. 2016's gradient by path length (src/core/analysis/paths.ts)
// and the path counting it rests on (pathCounts.ts). The gradient is checked
// against an exact computation, by hand in float64, of a tiny 3-block net's
// 8 paths: every configuration of branch-or-shortcut written out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  argMax,
  binomial,
  centralRange,
  gradientShares,
  pathLength,
  pathLengthCounts,
  subsets,
} from '../../src/core/analysis/pathCounts';
import { configurationGradients, configurations, pathGradients, residualBlocks } from '../../src/core/analysis/paths';
import { logTicks, pathsSvg } from '../../src/core/report/pathsSvg';
import { readPaths, writePaths } from '../../src/core/runs/analyses';
import { PathsResultSchema } from '../../src/protocol/trainer';
import { tempDir } from '../support/tempDir';
import { C, CLASSES, exactPathGradient, tinyData, tinyResidualNet } from './support/tinyPaths';

const tmp = tempDir('paths');

test('binomial counts: C(n, k), summing to 2^n, exact for ResNet-110', () => {
  assert.deepEqual(pathLengthCounts(3), [1, 3, 3, 1]);
  assert.deepEqual(pathLengthCounts(5), [1, 5, 10, 10, 5, 1]);
  assert.deepEqual(pathLengthCounts(0), [1]);
  for (const n of [1, 9, 27, 30])
    assert.equal(
      pathLengthCounts(n).reduce((a, b) => a + b, 0),
      2 ** n,
    );
  // ResNet-110 has 54 blocks; Veit et al.'s most common length is 27.
  assert.equal(binomial(54, 27), 1946939425648112);
  assert.equal(binomial(27, 13), 20058300);
  assert.equal(binomial(4, 5), 0);
  assert.equal(binomial(4, -1), 0);
  assert.throws(() => binomial(2.5, 1), /integers/);
});

test('paths of a mask, subsets, and the central range of a distribution', () => {
  assert.deepEqual(
    Array.from({ length: 8 }, (_, m) => pathLength(m)),
    [0, 1, 1, 2, 1, 2, 2, 3],
  );
  assert.deepEqual(subsets(4, 2), [
    [0, 1],
    [0, 2],
    [0, 3],
    [1, 2],
    [1, 3],
    [2, 3],
  ]);
  assert.deepEqual(subsets(3, 0), [[]]);
  // Mass 10 at each of k = 0..9: the central 90% runs from the first k reaching 5 to the first reaching 95.
  assert.deepEqual(centralRange(Array<number>(10).fill(10), 0.9), { from: 0, to: 9 });
  assert.deepEqual(centralRange([0, 1, 8, 90, 1, 0], 0.9), { from: 2, to: 3 });
  assert.deepEqual(centralRange([0, 0, 1, 0], 0.9), { from: 2, to: 2 });
  assert.equal(argMax([1, 5, 3, 5]), 1);
  assert.deepEqual(gradientShares([1, 3, 4, 0]), [0.125, 0.375, 0.5, 0]);
  assert.throws(() => gradientShares([0, 0]), /positive total/);
  assert.throws(() => centralRange([0, 0]), /positive sum/);
});

test('configurations: every path of a length when there are few, else seeded random draws of k distinct blocks', () => {
  assert.deepEqual(configurations(3, 1, 5, 0), [[0], [1], [2]]);
  const drawn = configurations(27, 13, 6, 4);
  assert.equal(drawn.length, 6);
  for (const c of drawn) {
    assert.equal(new Set(c).size, 13);
    assert.ok(c.every((b) => b >= 0 && b < 27));
  }
  assert.deepEqual(configurations(27, 13, 6, 4), drawn, 'the same seed draws the same configurations');
  assert.notDeepEqual(configurations(27, 13, 6, 5), drawn);
});

test('the gradient of each of the 8 paths of a 3-block net matches an exact computation, and so does each length', async () => {
  await tf.setBackend('cpu');
  const net = tinyResidualNet(11);
  const { data, xs, labels } = tinyData(6, 12);
  const blocks = residualBlocks(net.model);
  assert.deepEqual(
    blocks.map((b) => b.name),
    ['block1/add', 'block2/add', 'block3/add'],
  );
  // All 8 configurations, written out: which blocks' branches the path takes.
  const all: number[][] = [[], [0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]];
  const exact = all.map((cfg) => {
    const branches = [0, 1, 2].map((b) => cfg.includes(b));
    return xs.reduce((s, x, i) => s + exactPathGradient(net, x, labels[i], branches), 0) / xs.length;
  });
  // The paths differ from each other (else the test would not tell them apart).
  assert.ok(new Set(exact.map((v) => v.toFixed(4))).size >= 6, JSON.stringify(exact));
  const before = tf.memory().numTensors;
  // Two rows per pass: configurations split across passes must not mix.
  const measured = await configurationGradients(tf, net.model, blocks, data, all, { rowsPerPass: 12 });
  assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
  measured.forEach((m, i) =>
    assert.ok(Math.abs(m - exact[i]) <= 1e-5 * exact[i], `path ${all[i]}: ${m} vs ${exact[i]}`),
  );

  // By length: with samples ≥ 3 every path of every length is measured, so the means are exact.
  const result = await pathGradients(tf, net.model, data, { samples: 3 });
  const byLength = [0, 1, 2, 3].map((k) => {
    const mine = all.map((cfg, i) => [cfg.length, exact[i]]).filter(([len]) => len === k);
    return mine.reduce((s, [, v]) => s + v, 0) / mine.length;
  });
  assert.deepEqual(
    result.lengths.map((l) => [l.k, l.paths, l.measured, l.exhaustive]),
    [
      [0, 1, 1, true],
      [1, 3, 3, true],
      [2, 3, 3, true],
      [3, 1, 1, true],
    ],
  );
  result.lengths.forEach((l, k) => {
    assert.ok(Math.abs(l.perPath - byLength[k]) <= 1e-5 * byLength[k], `k=${k}: ${l.perPath} vs ${byLength[k]}`);
    assert.ok(Math.abs(l.total - l.paths * byLength[k]) <= 1e-5 * l.total);
  });
  const totals = result.lengths.map((l) => l.total);
  assert.equal(result.peak, argMax(totals));
  assert.deepEqual({ from: result.effective.from, to: result.effective.to }, centralRange(totals, 0.9));
  assert.equal(result.testExamples, 6);

  // Sampled (2 of the 3 paths of lengths 1 and 2): each per-path value is the mean of 2 exact path values.
  const sampled = await pathGradients(tf, net.model, data, { samples: 2, seed: 3 });
  for (const k of [1, 2]) {
    const l = sampled.lengths[k];
    assert.equal(l.measured, 2);
    assert.equal(l.exhaustive, false);
    const drawn = configurations(3, k, 2, 3).map((cfg) => exact[all.findIndex((a) => a.join() === cfg.join())]);
    const mean = (drawn[0] + drawn[1]) / 2;
    assert.ok(Math.abs(l.perPath - mean) <= 1e-5 * mean);
  }
  net.model.dispose();
});

test('a plain net is one path: the analysis says so in one line', async () => {
  const input = tf.input({ shape: [1, 1, C] });
  const h = tf.layers
    .conv2d({ filters: C, kernelSize: 1, name: 'stage1/block1/conv' })
    .apply(input) as tf.SymbolicTensor;
  const flat = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
  const model = tf.model({
    inputs: input,
    outputs: tf.layers.dense({ units: CLASSES, activation: 'softmax' }).apply(flat) as tf.SymbolicTensor,
    name: 'plain1',
  });
  await assert.rejects(
    pathGradients(tf, model, tinyData(2, 1).data),
    /plain1 has no residual blocks: a plain net is a single path/,
  );
  model.dispose();
});

test('paths.json: written with its stamp, read back through the schema; a damaged file is named', () => {
  const result = {
    testExamples: 32,
    blocks: ['stage1/block1/add', 'stage1/block2/add'],
    samples: 20,
    lengths: [
      { k: 0, paths: 1, measured: 1, exhaustive: true, perPath: 0.5, total: 0.5 },
      { k: 1, paths: 2, measured: 2, exhaustive: true, perPath: 0.25, total: 0.5 },
      { k: 2, paths: 1, measured: 1, exhaustive: true, perPath: 0.125, total: 0.125 },
    ],
    effective: { from: 0, to: 1, share: 0.9 },
    peak: 0,
  };
  const dir = path.join(tmp, 'run');
  fs.mkdirSync(dir);
  assert.equal(readPaths(dir), undefined, 'no paths.json: nothing to show');
  writePaths(dir, result, { checkpoint: 'latest', iteration: 40, computedAt: '2026-12-04T00:00:00.000Z' });
  const raw = JSON.parse(fs.readFileSync(path.join(dir, 'paths.json'), 'utf8')) as { iteration: number };
  assert.equal(raw.iteration, 40);
  assert.deepEqual(readPaths(dir), result);
  assert.deepEqual(PathsResultSchema.parse(raw), result);
  fs.writeFileSync(path.join(dir, 'paths.json'), JSON.stringify({ ...result, lengths: [{ k: 'one' }] }));
  assert.throws(() => readPaths(dir), /paths\.json does not look like a path gradient result/);
  fs.writeFileSync(path.join(dir, 'paths.json'), '{');
  assert.throws(() => readPaths(dir), /paths\.json is not valid JSON/);
});

test('Fig. 6 as SVG: three charts, n + 1 bars in each bar chart, the effective lengths shaded in all three', () => {
  const perPath = [0.04, 0.02, 0.011, 0.006, 0.004];
  const lengths = pathLengthCounts(4).map((paths, k) => ({
    k,
    paths,
    measured: paths,
    exhaustive: true,
    perPath: perPath[k],
    total: paths * perPath[k],
  }));
  const totals = lengths.map((l) => l.total);
  const result = {
    testExamples: 8,
    blocks: ['a/add', 'b/add', 'c/add', 'd/add'],
    samples: 20,
    lengths,
    effective: { ...centralRange(totals), share: 0.9 },
    peak: argMax(totals),
  };
  assert.deepEqual(result.effective, { from: 0, to: 3, share: 0.9 });
  const svg = pathsSvg(result, { dark: true });
  assert.match(svg, /^<svg [^>]*class="chart paths" data-blocks="4" data-effective="0-3"/);
  assert.equal((svg.match(/<rect class="effective" data-from="0" data-to="3"/g) ?? []).length, 3);
  for (const cls of ['counts', 'total'])
    assert.equal((svg.match(new RegExp(`<g class="${cls}"[^]*?</g>`))?.[0].match(/<rect data-k=/g) ?? []).length, 5);
  assert.match(svg, /class="series per-path"/);
  assert.match(svg, /k = 2: 6</, 'the count of length 2 in its tooltip');
  assert.match(svg, /peaks at length 1/);
  // Per-path magnitudes span one decade here: 1-2-5 ticks; wider spans get powers of ten.
  assert.deepEqual(logTicks(0.004, 0.04), [0.002, 0.005, 0.01, 0.02, 0.05]);
  assert.deepEqual(logTicks(1e-7, 0.3), [1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1]);
});
