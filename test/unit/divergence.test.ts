// Divergence is reported as divergence on every backend, never as a finished
// run: wasm's kernels turn NaN into ±Infinity, so a diverged net can keep a
// finite loss (issue "fault table"); the step also checks its gradients.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readRunInfo } from '../../src/core/runs/runFolder';
import { allFinite } from '../../src/core/train/parallel/math';
import { cli, REPO } from './support/cli';

const BACKEND = process.env.RESNET_LAB_TEST_BACKEND ?? 'wasm';
// ResNet-20 at lr 1e6: on wasm its loss stayed finite (~1e6) while the weights went NaN, and the run "finished".
const paper = path.join(REPO, 'examples', 'paper-cifar.ts');

before(() => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: REPO, stdio: 'inherit' });
});

test('allFinite finds a NaN or an infinity anywhere, and only in the first n values', () => {
  assert.equal(allFinite(Float32Array.of(1, -2, 3e38)), true);
  assert.equal(allFinite(Float32Array.of(1, NaN, 3)), false);
  assert.equal(allFinite(Float32Array.of(1, 2, -Infinity)), false);
  assert.equal(allFinite(Float32Array.of(1, 2, Infinity), 2), true);
});

for (const workers of ['1', '2']) {
  test(`--lr 1e6 on ${BACKEND} (${workers} worker${workers === '1' ? '' : 's'}): "diverged at iteration N", status diverged, exit code 1`, async () => {
    const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-diverge-'));
    try {
      const r = await cli([
        'train',
        paper,
        'resnet20',
        '--lr',
        '1e6',
        '--limit-train',
        '256',
        '--limit-test',
        '64',
        '--batch-size',
        '64',
        '--epochs',
        '2',
        '--backend',
        BACKEND,
        '--workers',
        workers,
        '--runs-dir',
        runsDir,
      ]);
      assert.equal(r.code, 1, `exit code; stderr: ${r.stderr}`);
      const m = /diverged at iteration (\d+)/.exec(r.stderr);
      assert.ok(m, `stderr names the iteration: ${r.stderr}`);
      assert.ok(Number(m[1]) >= 1 && Number(m[1]) <= 8);
      const [run] = fs.readdirSync(runsDir);
      const info = readRunInfo(path.join(runsDir, run));
      assert.equal(info.status, 'diverged');
      assert.match(info.error ?? '', new RegExp(`diverged at iteration ${m[1]}`));
    } finally {
      fs.rmSync(runsDir, { recursive: true, force: true });
    }
  });
}
