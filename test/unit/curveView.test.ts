import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CurveData, defaultSmoothing, MetricLike } from '../../src/core/report/curveView';
import { ema } from '../../src/core/report/decimate';
import { appendRecords, cellAt, columnCount, columns, toGradientMatrix } from '../../src/core/report/gradientMatrix';

// A 100,000-iteration run: training error a sawtooth with a spike every 1000,
// lr 0.1 -> 0.01 -> 0.001 at 50% and 75%, a test point every 500 iterations.
function longRun(n = 100_000): MetricLike[] {
  const out: MetricLike[] = [];
  for (let i = 1; i <= n; i++) {
    out.push({
      type: 'iteration',
      iteration: i,
      trainError: i % 1000 === 0 ? 0.9 : (i % 7) / 100,
      loss: 1 + (i % 5) / 10,
      lr: i <= n / 2 ? 0.1 : i <= (3 * n) / 4 ? 0.01 : 0.001,
    });
    if (i % 500 === 0) out.push({ type: 'epoch', iteration: i, testError: 0.5 - i / (4 * n) });
  }
  return out;
}

test('a 100k run at 800 columns: every spike survives (min-max), lr keeps its steps, test error all 200 epochs, < 100 KB', () => {
  const data = new CurveData(longRun());
  const v = data.view({ columns: 800, smoothing: 0.998 });
  assert.equal(v.count, 100_000);
  assert.ok(v.raw.length <= 1600 && v.raw.length >= 800, `${v.raw.length} raw points`);
  // All 100 spikes of 90% are kept, at their exact iterations.
  assert.deepEqual(
    v.raw.filter(([, y]) => y === 90).map(([x]) => x),
    Array.from({ length: 100 }, (_, k) => 1000 * (k + 1)),
  );
  assert.equal(Math.min(...v.raw.map(([, y]) => y)), 0);
  assert.deepEqual(
    v.lr.map(([x, y]) => [x, y]),
    [
      [1, 0.1],
      [50_001, 0.01],
      [75_001, 0.001],
      [100_000, 0.001],
    ],
  );
  assert.equal(v.test.length, 200);
  assert.ok(v.smooth.length <= 800);
  assert.ok(JSON.stringify(v).length < 100_000, `${JSON.stringify(v).length} bytes`);
});

test('zooming refines: 1,000 iterations at 800 columns are (almost) every point; the smoothed curve is the same EMA', () => {
  const records = longRun();
  const data = new CurveData(records);
  const v = data.view({ from: 40_000, to: 41_000, columns: 800, smoothing: 0.9 });
  assert.equal(v.count, 1001);
  assert.ok(v.raw.length >= 1001 && v.raw.length <= 1003);
  // The EMA runs from iteration 1 whatever the range: compare with the debiased EMA over everything.
  const full = ema(
    records.filter((r) => r.type === 'iteration').map((r) => [r.iteration, 100 * r.trainError!]),
    0.9,
  );
  const at = (x: number) => full[x - 1][1];
  const mid = v.smooth.find(([x]) => x === 40_500)!;
  assert.ok(mid, 'unbucketed at this zoom');
  assert.ok(Math.abs(mid[1] - at(40_500)) < 1e-3 * Math.max(1, at(40_500)));
  // One test point each side of the range so the line reaches the edges.
  assert.deepEqual(
    v.test.map(([x]) => x),
    [39_500, 40_000, 40_500, 41_000, 41_500],
  );
});

test('records added later extend the series and the EMA state carries on exactly', () => {
  const records = longRun(2000);
  const a = new CurveData(records.slice(0, 1500));
  a.add(records.slice(1500));
  const b = new CurveData(records);
  assert.deepEqual(a.view({ columns: 300, smoothing: 0.95 }), b.view({ columns: 300, smoothing: 0.95 }));
  // Carrying the state on one more record gives the EMA of the longer series.
  const { m, w } = b.view({ columns: 300, smoothing: 0.95 }).ema;
  const m2 = 0.95 * m + 0.05 * 50,
    w2 = w * 0.95;
  const c = new CurveData([...records, { type: 'iteration', iteration: 2001, trainError: 0.5 }]);
  const last = c.view({ from: 2001, to: 2001, columns: 10, smoothing: 0.95 }).smooth.find(([x]) => x === 2001)!;
  assert.ok(Math.abs(last[1] - m2 / (1 - w2)) < 1e-2);
});

test('defaultSmoothing scales with the run: 300 iterations 0.9, 100,000 iterations 0.998', () => {
  assert.equal(defaultSmoothing(300), 0.9);
  assert.equal(defaultSmoothing(10_000), 0.98);
  assert.equal(defaultSmoothing(100_000), 0.998);
  assert.equal(defaultSmoothing(1_000_000), 0.999);
});

test('heatmap: 1,000 records in 300 columns are means of the records each covers; the pointer maps by fraction', () => {
  const records = Array.from({ length: 1000 }, (_, r) => ({
    iteration: 100 * (r + 1),
    layers: ['conv1', 'fc'].map((name, l) => ({ name, norm: (r + 1) * (l + 1) })),
  }));
  const m = toGradientMatrix(records);
  assert.deepEqual(m.layers, ['conv1', 'fc']);
  assert.equal(columnCount(1000, 600), 300);
  assert.equal(columnCount(40, 600), 40);
  const cols = columns(m, 300);
  assert.equal(cols.length, 300);
  assert.equal(
    cols.reduce((s, c) => s + c.to - c.from, 0),
    1000,
    'every record in exactly one column',
  );
  const c = cols[150]; // records 500..502 (iterations 50,100..50,300)
  assert.deepEqual([c.from, c.to, c.firstIteration, c.lastIteration], [500, 503, 50_100, 50_300]);
  assert.deepEqual(c.means, [502, 1004]);
  // 95% across, bottom third: the input layer near the end of the run.
  assert.deepEqual(cellAt(0.95, 0.8, 300, 2), { column: 285, layer: 0 });
  assert.deepEqual(cellAt(0.1, 0.2, 300, 2), { column: 30, layer: 1 });
  assert.equal(cellAt(1, 0.5, 300, 2), undefined);
  appendRecords(m, [{ iteration: 100_100, layers: [{ name: 'fc', norm: 3 }] }]);
  assert.deepEqual(m.norms[1000], [0, 3]);
});
