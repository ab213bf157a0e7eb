// train.py of an export-keras project writes the same confusion records as
// ResNet Lab's trainer: confusion.jsonl (one line per epoch, counts adding up
// to the test set) and predictions.bin, read back by the TypeScript readers
// the panel and the CLI use, on Keras 3's TensorFlow and JAX backends. Needs
// the TensorFlow Python setup-native used; skipped, with the reason, without.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { confusionMatrix, matrixTotal, overallError } from '../../src/core/confusion/matrix';
import { kerasUnavailable, tfPython } from '../../src/core/export/tfPython';
import { readConfusion } from '../../src/core/runs/confusionRecords';
import { openPredictions } from '../../src/core/runs/predictionsFile';
import { readMetrics, readRunInfo } from '../../src/core/runs/runFolder';
import { cli, REPO } from './support/cli';
import { tempDir } from '../support/tempDir';

const skip = kerasUnavailable() ?? false;
if (skip) console.log(`confusionKeras.test.ts skipped: ${skip}`);

const tmp = tempDir('confusion-keras');
const project = path.join(tmp, 'project');

const TINY = `import { experiment, resnetCifar, synthetic } from 'resnet-lab';
export const tiny = experiment({ model: resnetCifar({ depth: 8, widths: [4, 4, 4] }), data: synthetic({ trainSize: 64, testSize: 40, seed: 2 }), batchSize: 16, epochs: 2, seed: 3 });
`;

before(async () => {
  if (skip) return;
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: REPO, stdio: 'inherit' });
  const file = path.join(tmp, 'tiny.ts');
  fs.writeFileSync(file, TINY);
  const exported = await cli(['export-keras', file, 'tiny', '--out', project], undefined, { timeoutMs: 60_000 });
  assert.equal(exported.code, 0, exported.stderr);
});

for (const backend of ['tensorflow', 'jax'] as const) {
  test(
    `train.py (${backend}) writes confusion.jsonl and predictions.bin as the trainer does`,
    { skip, timeout: 300_000 },
    () => {
      const runs = path.join(tmp, `runs-${backend}`);
      const p = spawnSync(tfPython(), [path.join(project, 'train.py'), '--backend', backend, '--runs-dir', runs], {
        encoding: 'utf8',
        timeout: 240_000,
        env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
      });
      assert.equal(p.status, 0, p.stderr);
      const runDir = path.join(runs, fs.readdirSync(runs)[0]);
      const info = readRunInfo(runDir);
      const records = readConfusion(runDir);
      const epochs = readMetrics(runDir).filter((r) => r.type === 'epoch');
      assert.deepEqual(
        records.map((r) => [r.epoch, r.iteration]),
        epochs.map((e) => [e.epoch, e.iteration]),
      );
      assert.equal(records.length, 2);
      const predictions = openPredictions(runDir)!;
      assert.deepEqual(predictions.header, { k: 3, classes: info.dataset.classNames.length, count: 40 });
      for (const [i, r] of records.entries()) {
        assert.equal(matrixTotal(r.matrix), 40);
        assert.ok(Math.abs(overallError(r.matrix)! - epochs[i].testError!) < 1e-9, `epoch ${r.epoch}: error`);
        const block = predictions.block(r.predictions!)!;
        const top1 = Array.from({ length: 40 }, (_, n) => block.classes[n * 3]);
        assert.deepEqual(confusionMatrix(predictions.labels, top1, r.matrix.length), r.matrix);
        for (let n = 0; n < 40; n++) {
          const [a, b, c] = block.probs.subarray(n * 3, n * 3 + 3);
          assert.ok(a >= b && b >= c && a + b + c <= 1 + 3 / 255, `example ${n}: ${a} ${b} ${c}`);
        }
      }
    },
  );
}
