// A sweep's results from hand-made runs: mean and std per depth × variant with
// the seeds folded, the paper's table cells, the CSV, the figure's series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resultsSvg, ticks } from '../../src/core/sweeps/chart';
import { aggregate, errorCell, resultsCsv, resultsTable, SweepRunResult } from '../../src/core/sweeps/results';

const AXES = { depth: [20, 56], block: ['plain', 'residual'], seed: [1, 2] } as const;
const run = (depth: number, block: string, seed: number, testError: number | null, status = 'finished') =>
  ({ params: { depth, block, seed }, status, testError, trainableParams: depth * 1000 }) as SweepRunResult;

const RUNS = [
  run(20, 'plain', 1, 0.1),
  run(20, 'plain', 2, 0.12),
  run(20, 'residual', 1, 0.09),
  run(20, 'residual', 2, 0.11),
  run(56, 'plain', 1, 0.2),
  run(56, 'plain', 2, 0.16),
  run(56, 'residual', 1, 0.07),
  run(56, 'residual', 2, null, 'failed'),
];

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} ≠ ${b}`);

test('depth is x, seeds fold into mean ± sample std, the other axes are the variants', () => {
  const r = aggregate(AXES, RUNS);
  assert.equal(r.xAxis, 'depth');
  assert.equal(r.seedAxis, 'seed');
  assert.deepEqual(r.variants, ['plain', 'residual']);
  assert.equal(r.missing, 1);
  assert.deepEqual(
    r.cells.map((c) => [c.variant, c.x, c.errors]),
    [
      ['plain', 20, [0.1, 0.12]],
      ['plain', 56, [0.2, 0.16]],
      ['residual', 20, [0.09, 0.11]],
      ['residual', 56, [0.07]],
    ],
  );
  close(r.cells[0].mean, 0.11);
  close(r.cells[0].std, Math.sqrt(0.0002)); // (0.01² + 0.01²) / (2 - 1)
  close(r.cells[1].mean, 0.18);
  close(r.cells[1].std, Math.sqrt(0.0008));
  assert.equal(r.cells[3].std, 0, 'one run: no spread');
  assert.equal(r.cells[1].best, 0.16);
});

test("the paper's table: best (mean±std) for several seeds, the error alone for one", () => {
  const t = resultsTable(aggregate(AXES, RUNS));
  assert.deepEqual(t.header, ['method', '# layers', '# params', 'error (%)', 'runs']);
  assert.deepEqual(t.rows, [
    ['plain', '20', '20.0K', '10.00 (11.00±1.41)', '2'],
    ['plain', '56', '56.0K', '16.00 (18.00±2.83)', '2'],
    ['residual', '20', '20.0K', '9.00 (10.00±1.41)', '2'],
    ['residual', '56', '56.0K', '7.00', '1'],
  ]);
  assert.equal(errorCell({ variant: 'v', x: 1, errors: [0.0643], mean: 0.0643, std: 0, best: 0.0643 }), '6.43');
});

test('with several variant axes each is named; without depth the first numeric axis is x', () => {
  const r = aggregate({ width: [8, 16], shortcut: ['A', 'B'], opt: ['x'] }, [
    { params: { width: 8, shortcut: 'A', opt: 'x' }, status: 'finished', testError: 0.3 },
    { params: { width: 16, shortcut: 'B', opt: 'x' }, status: 'finished', testError: 0.25 },
  ]);
  assert.equal(r.xAxis, 'width');
  assert.equal(r.seedAxis, undefined);
  assert.deepEqual(r.variants, ['shortcut A, opt x', 'shortcut B, opt x']);
});

test('the CSV has one row per variant and depth, with unformatted fractions', () => {
  const lines = resultsCsv(aggregate(AXES, RUNS)).trim().split('\n');
  assert.equal(lines[0], 'variant,depth,runs,mean_test_error,std_test_error,best_test_error,trainable_params');
  assert.equal(lines.length, 5);
  const [variant, depth, runs, mean, std, best, params] = lines[2].split(',');
  assert.deepEqual([variant, depth, runs, best, params], ['plain', '56', '2', '0.16', '56000']);
  close(Number(mean), 0.18);
  close(Number(std), Math.sqrt(0.0008));
});

test('the figure: one series per variant, an error bar (three lines) for each cell with spread', () => {
  const svg = resultsSvg(aggregate(AXES, RUNS));
  assert.equal((svg.match(/<g class="series"/g) ?? []).length, 2);
  assert.equal((svg.match(/<circle /g) ?? []).length, 4);
  const bars = (svg.match(/stroke-width="1.5"/g) ?? []).length;
  assert.equal(bars, 3 * 3, 'three cells have two seeds, one has one');
  assert.match(svg, /plain, depth 56: 18.00% ± 2.83 \(2 runs\)/);
  assert.match(svg, /<text[^>]*>test error \(%\)<\/text>/);
  assert.doesNotMatch(svg, /<rect/, 'in a webview the figure takes the theme');
  assert.match(
    resultsSvg(aggregate(AXES, RUNS), 'x', true),
    /color="#222"[^]*<rect width="640" height="380" fill="#fff"\/>/,
  );
});

test('the error axis reaches past the highest error bar, in round steps', () => {
  assert.deepEqual(ticks(95.3), [0, 20, 40, 60, 80, 100]);
  assert.deepEqual(ticks(8.1), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(ticks(10), [0, 2, 4, 6, 8, 10]);
});
