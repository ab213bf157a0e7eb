// `resnet-lab sweep` end to end on tiny nets: killed with SIGKILL while its
// second run trains, started again it resumes the queue (the finished run is
// not trained again, the interrupted one is, from the start) and ends with
// the table, results.csv, results.svg and report.html.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readQueue, sweepsDirFor } from '../../src/core/sweeps/queue';
import { readRunInfo } from '../../src/core/runs/runFolder';
import { cli, lastJson } from './support/cli';
import { tempDir } from '../support/tempDir';

const tmp = tempDir('sweep-cli');

const MODEL = `import { experiment, resnetCifar, sweep, synthetic } from 'resnet-lab';

export const seeds = sweep({ depth: [8], seed: [1, 2, 3] }, (p) =>
  experiment({
    model: resnetCifar({ depth: p.depth, widths: [4, 8, 16] }),
    data: synthetic({ trainSize: 128, testSize: 32 }),
    iterations: 12,
    batchSize: 16,
    seed: p.seed,
  }),
);
`;

interface Summary {
  sweepDir: string;
  counts: { finished: number; total: number };
  runs: { point: number; status: string; runDir: string; testError: number }[];
}

test('the CLI sweep resumes after kill -9: finished runs are kept, the interrupted one runs again', async () => {
  const file = path.join(tmp, 'seeds.ts');
  fs.writeFileSync(file, MODEL);
  const runsDir = path.join(tmp, 'runs');
  const sweepsDir = sweepsDirFor(runsDir);
  const args = ['sweep', file, 'seeds', '--backend', 'wasm', '--runs-dir', runsDir, '--json'];
  let killedAt: { first: string; second: string } | undefined;
  const killed = await cli(
    args,
    (child) => {
      const poll = setInterval(() => {
        const [name] = fs.existsSync(sweepsDir) ? fs.readdirSync(sweepsDir) : [];
        if (!name) return;
        try {
          const q = readQueue(path.join(sweepsDir, name));
          if (q.runs[0].status === 'finished' && q.runs[1].status === 'running' && q.runs[1].runDir) {
            killedAt = { first: q.runs[0].runDir!, second: q.runs[1].runDir };
            clearInterval(poll);
            child.kill('SIGKILL');
          }
        } catch {
          // The queue is being created.
        }
      }, 50);
      child.on('exit', () => clearInterval(poll));
    },
    { timeoutMs: 120_000 },
  );
  assert.equal(killed.timedOut, false);
  assert.equal(killed.code, null, 'killed by a signal');
  assert.ok(killedAt, `the CLI was killed while run #1 trained\n${killed.stderr}`);

  const resumed = await cli(args, undefined, { timeoutMs: 120_000 });
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /resuming seeds-\d{8}-\d{6}: 1 of 3 done/);
  const summary = lastJson<Summary>(resumed);
  assert.deepEqual(summary.counts.finished, 3);
  assert.deepEqual(
    summary.runs.map((r) => r.status),
    ['finished', 'finished', 'finished'],
  );
  assert.equal(summary.runs[0].runDir, killedAt.first, 'run #0 is not trained again');
  assert.notEqual(summary.runs[1].runDir, killedAt.second, 'run #1 starts over in a new folder');
  const queue = readQueue(summary.sweepDir);
  assert.deepEqual(queue.runs[1].abandoned, [killedAt.second]);
  // Each run is its point: the seed of the sweep, and run.json names the sweep.
  for (const r of summary.runs) {
    const info = readRunInfo(r.runDir);
    assert.equal(info.experiment, `seeds#${r.point}`);
    assert.equal(info.recipe.seed, r.point + 1);
    assert.deepEqual(info.sweep, { name: 'seeds', point: r.point, params: { depth: 8, seed: r.point + 1 } });
    assert.equal(info.final?.testError, r.testError);
  }
  const csv = fs.readFileSync(path.join(summary.sweepDir, 'results.csv'), 'utf8').trim().split('\n');
  assert.equal(csv.length, 2, 'one row: depth 8, the three seeds folded');
  assert.match(csv[1], /^all runs,8,3,/);
  assert.match(fs.readFileSync(path.join(summary.sweepDir, 'report.html'), 'utf8'), /<svg[^]*Sweep seeds/);
});

test('a name that is not a sweep is one clear line', async () => {
  const file = path.join(tmp, 'seeds.ts');
  const r = await cli(['sweep', file, 'nope', '--runs-dir', path.join(tmp, 'runs2')], undefined, {
    timeoutMs: 60_000,
  });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /error: .*no export named "nope" \(sweeps here: seeds\)/);
});
