// `resnet-lab sweep --engine keras`: each run of a sweep through the exported
// project's train.py, one after another (a GPU machine running the grid);
// each run folder is the point's (its seed), and the queue records what
// train.py wrote. Needs the Keras Python (RESNET_LAB_TF_PYTHON or the one
// setup-native used); skipped, with the reason printed, without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kerasUnavailable } from '../../src/core/export/tfPython';
import { readRunInfo } from '../../src/core/runs/runFolder';
import { readQueue } from '../../src/core/sweeps/queue';
import { cli, lastJson } from './support/cli';
import { tempDir } from '../support/tempDir';

const skip = kerasUnavailable() ?? false;
if (skip) console.log(`sweepKeras.test.ts skipped: ${skip}`);

const tmp = tempDir('sweep-keras');

const MODEL = `import { experiment, resnetCifar, sweep, synthetic } from 'resnet-lab';

export const seeds = sweep({ depth: [8], seed: [1, 2] }, (p) =>
  experiment({
    model: resnetCifar({ depth: p.depth, widths: [4, 8, 16] }),
    data: synthetic({ trainSize: 128, testSize: 32 }),
    iterations: 4,
    batchSize: 16,
    seed: p.seed,
  }),
);
`;

test('a sweep sends its runs to the Keras engine one after another', { skip, timeout: 600_000 }, async () => {
  const file = path.join(tmp, 'seeds.ts');
  fs.writeFileSync(file, MODEL);
  const runsDir = path.join(tmp, 'runs');
  const r = await cli(['sweep', file, 'seeds', '--engine', 'keras', '--runs-dir', runsDir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const summary = lastJson<{ sweepDir: string; runs: { point: number; status: string; runDir: string }[] }>(r);
  assert.equal(readQueue(summary.sweepDir).engine, 'keras');
  assert.deepEqual(
    summary.runs.map((x) => x.status),
    ['finished', 'finished'],
  );
  const [a, b] = summary.runs.map((x) => readRunInfo(x.runDir));
  assert.deepEqual([a.backend, b.backend], ['keras', 'keras']);
  assert.deepEqual([a.experiment, b.experiment], ['seeds#0', 'seeds#1']);
  assert.deepEqual([a.recipe.seed, b.recipe.seed], [1, 2]);
  assert.ok(Date.parse(b.createdAt) >= Date.parse(a.createdAt), 'one after another');
  assert.equal(a.final?.iteration, 4);
  const refused = await cli(['sweep', file, 'seeds', '--engine', 'keras', '--parallel', '2', '--runs-dir', runsDir]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /--engine keras runs one after another/);
});
