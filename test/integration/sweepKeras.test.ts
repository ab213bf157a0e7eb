// "Run Sweep on Keras" from VS Code's palette: the sweep of the active editor
// (the Keras backend given as the command's argument, where a person picks it
// from a quick pick) is queued for the Keras engine, one run at a time, and
// each point is trained by the exported train.py into its own run folder (the
// CLI's path is test/unit/sweepKeras.test.ts). Needs the Keras Python with
// JAX; skipped, with the reason printed, without it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { kerasUnavailable } from '../../src/core/export/tfPython';
import { readRunInfo } from '../../src/core/runs/runFolder';
import { readQueue } from '../../src/core/sweeps/queue';
import { fixture, until } from './util';

const MODEL = `import { experiment, resnetCifar, sweep, synthetic } from 'resnet-lab';

export const kerasSeeds = sweep({ depth: [8], seed: [3, 4] }, (p) =>
  experiment({
    model: resnetCifar({ depth: p.depth, widths: [4, 8, 16] }),
    data: synthetic({ trainSize: 128, testSize: 32 }),
    iterations: 4,
    batchSize: 16,
    seed: p.seed,
  }),
);
`;

export function registerSweepKerasSuite(): void {
  describe('sweeps from VS Code', function () {
    this.timeout(600_000);

    it('"Run Sweep on Keras" queues the points for the Keras engine and train.py trains them one after another', async function () {
      const why = kerasUnavailable('jax');
      if (why) {
        console.log(`skipped: ${why}`);
        return this.skip();
      }
      const file = fixture('kerasSweep.ts').fsPath;
      fs.writeFileSync(file, MODEL);
      await vscode.window.showTextDocument(vscode.Uri.file(file));
      const id = await vscode.commands.executeCommand<string | undefined>('resnetLab.sweepKeras', undefined, 'jax');
      assert.ok(id, 'the sweep of the active editor started');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      const sweepDir = path.join(path.dirname(file), '.resnet-lab', 'sweeps', id);
      const queued = readQueue(sweepDir);
      assert.deepEqual(
        [queued.engine, queued.parallel, queued.settings.kerasBackend, queued.owner],
        ['keras', 1, 'jax', 'extension'],
      );
      assert.deepEqual(
        queued.runs.map((r) => r.params),
        [
          { depth: 8, seed: 3 },
          { depth: 8, seed: 4 },
        ],
      );

      const done = await until(
        () => {
          const q = readQueue(sweepDir);
          return q.runs.every((r) => r.status !== 'pending' && r.status !== 'running') && q;
        },
        540_000,
        'both points to be trained',
      );
      assert.deepEqual(
        done.runs.map((r) => [r.status, typeof r.testError, r.message]),
        [
          ['finished', 'number', undefined],
          ['finished', 'number', undefined],
        ],
      );
      const [a, b] = done.runs.map((r) => readRunInfo(r.runDir!));
      assert.deepEqual([a.backend, a.kerasBackend, b.backend, b.kerasBackend], ['keras', 'jax', 'keras', 'jax']);
      assert.deepEqual([a.experiment, b.experiment], ['kerasSeeds#0', 'kerasSeeds#1']);
      assert.deepEqual([a.recipe.seed, b.recipe.seed], [3, 4]);
      assert.deepEqual([a.final?.iteration, b.final?.iteration], [4, 4]);
      assert.equal(done.runs[0].testError, a.final?.testError, 'the queue records what train.py wrote');
      // One after another: the second point started once the first had ended.
      const [first, second] = done.runs;
      assert.ok(
        Date.parse(second.startedAt!) >= Date.parse(first.endedAt!),
        `one after another: ${first.startedAt}..${first.endedAt}, then ${second.startedAt}`,
      );
    });
  });
}
