// train.py of an export-keras project on the TensorFlow backend (kerasJax.test.ts: JAX): a short seeded run of ResNet-8 on the
// exported synthetic set (MultiWorkerMirroredStrategy, one worker) writes a
// run folder that the panel's own readers (src/core/runs/runFolder.ts) read
// back, with our recipe's schedule; two workers on loopback, followed live as
// the panel follows them; and a run stopped with --stop-at that `resume`
// continues. Needs the TensorFlow Python setup-native used (or
// RESNET_LAB_TF_PYTHON); skipped, with the reason printed, without it.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { makeBatch, pixelMean } from '../../src/core/data/batches';
import { syntheticDataset } from '../../src/core/data/synthetic';
import { kerasUnavailable, tfPython } from '../../src/core/export/tfPython';
import { synthetic } from '../../src/core/lib';
import { loadCheckpoint, TrainState } from '../../src/core/runs/checkpoint';
import { readGradients, readMetrics, readRunInfo } from '../../src/core/runs/runFolder';
import { FollowUpdate, RunFollower } from '../../src/core/runs/follow';
import { openRun } from '../../src/extension/panelData';
import { runViewFromInfo } from '../../src/extension/runViews';
import { cli, lastJson, REPO } from './support/cli';
import { tempDir } from '../support/tempDir';

const skip = kerasUnavailable() ?? false;
if (skip) console.log(`kerasTrain.test.ts skipped: ${skip}`);

const tmp = tempDir('keras-train');
before(() => {
  if (!skip) execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: REPO, stdio: 'inherit' });
});

const SMALL = `import { experiment, resnetCifar, synthetic } from 'resnet-lab';
export const small = experiment({ model: resnetCifar({ depth: 8 }), data: synthetic({ trainSize: 256, testSize: 128 }), batchSize: 32, iterations: 12, seed: 3, gradientNormEvery: 4 });
`;
const LRS = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001, 0.001, 0.001];
let oneWorkerFirstLoss: number | undefined;
/** The uninterrupted one-worker run's losses per iteration, for the resumed run to match. */
let oneWorkerLosses: number[] | undefined;

test(
  'train.py: a seeded ResNet-8 run on the exported synthetic set lands in our run folder format',
  { skip, timeout: 300_000 },
  async () => {
    const file = path.join(tmp, 'small.ts');
    fs.writeFileSync(file, SMALL);
    const project = path.join(tmp, 'project');
    const exported = await cli(['export-keras', file, 'small', '--out', project], undefined, { timeoutMs: 60_000 });
    assert.equal(exported.code, 0, exported.stderr);
    for (const f of ['train.py', 'run_template.json', 'data/synthetic.npz'])
      assert.ok(fs.existsSync(path.join(project, f)), f);

    const runs = path.join(tmp, 'runs');
    const p = spawnSync(tfPython(), [path.join(project, 'train.py'), '--backend', 'tensorflow', '--runs-dir', runs], {
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
    });
    assert.equal(p.status, 0, p.stderr);
    const runDir = (
      JSON.parse(
        p.stdout
          .trim()
          .split('\n')
          .find((l) => l.startsWith('{"runDir"'))!,
      ) as { runDir: string }
    ).runDir;
    assert.equal(path.dirname(runDir), runs);

    const info = readRunInfo(runDir); // the zod schema the panel and CLI use
    assert.equal(info.status, 'finished');
    assert.equal(info.backend, 'keras');
    assert.equal((info as { engine?: string }).engine, 'keras');
    assert.equal((info as { workers?: number }).workers, 1);
    assert.equal(info.summary.name, 'resnet8'); // the tfjs summary and graph, carried over for the panel
    assert.ok(info.graph.nodes.length > 10);
    assert.deepEqual([info.iterationsPerEpoch, info.totalIterations, info.epochs], [8, 12, 2]);
    assert.deepEqual([info.dataset.train, info.dataset.test], [256, 128]);
    assert.equal(info.final?.iteration, 12);

    const metrics = readMetrics(runDir);
    const its = metrics.filter((m) => m.type === 'iteration');
    const epochs = metrics.filter((m) => m.type === 'epoch');
    assert.deepEqual(
      its.map((m) => m.iteration),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    );
    assert.deepEqual(
      its.map((m) => m.epoch),
      [1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2],
    );
    // lr 0.1, divided by 10 at 50% and 75% of the 12 iterations (before the 7th and the 10th step).
    assert.deepEqual(
      its.map((m) => Number(m.lr!.toPrecision(6))),
      LRS,
    );
    oneWorkerFirstLoss = its[0].loss;
    oneWorkerLosses = its.map((m) => m.loss!);
    for (const m of its)
      assert.ok(Number.isFinite(m.loss) && m.trainError! >= 0 && m.trainError! <= 1, JSON.stringify(m));
    // Ten classes: the first loss is near ln 10 = 2.3, not a broken head (a loss of probabilities would sit far off).
    assert.ok(its[0].loss! > 1.5 && its[0].loss! < 4, `first loss ${its[0].loss}`);
    assert.deepEqual(
      epochs.map((m) => [m.epoch, m.iteration]),
      [
        [1, 8],
        [2, 12],
      ],
    );
    // run.json's final training error is the last epoch's, as our trainer writes it (not the last batch's).
    assert.equal(info.final?.trainError, epochs[1].trainError);
    for (const m of epochs) assert.ok(m.testError! >= 0 && m.testError! <= 1 && Number.isFinite(m.testLoss));

    const grads = readGradients(runDir);
    assert.deepEqual(
      grads.map((g) => g.iteration),
      [1, 5, 9],
    );
    // Our layer names, so the panel's gradient heatmap lines up with the diagram.
    const trainable = info.summary.layers.filter((l) => l.params > 0).map((l) => l.name);
    assert.deepEqual(
      grads[0].layers.map((l) => l.name),
      trainable,
    );
    for (const l of grads[0].layers) assert.ok(l.norm > 0 && Number.isFinite(l.norm), l.name);

    // The checkpoint is ours: loadCheckpoint (what lesion, responses and the report use) reads it, and the
    // tfjs model it holds makes the Keras run's final test error on the same test set.
    const { model, state } = await loadCheckpoint(tf, runDir, 'latest');
    assert.deepEqual([state.iteration, state.epoch, state.batchInEpoch], [12, 2, 0]);
    const ds = syntheticDataset(synthetic({ trainSize: 256, testSize: 128 }));
    const batch = makeBatch(
      ds.test,
      Array.from({ length: ds.test.count }, (_, i) => i),
      ds.info,
      pixelMean(ds.train, ds.info),
      false,
    );
    const probs = tf
      .tidy(() => model.predict(tf.tensor4d(batch.x, [batch.size, 32, 32, 3])) as tf.Tensor)
      .arraySync() as number[][];
    const tfjsError = probs.filter((p, i) => p.indexOf(Math.max(...p)) !== batch.labels[i]).length / batch.size;
    const tfjsLoss = -probs.reduce((s, p, i) => s + Math.log(p[batch.labels[i]]), 0) / batch.size;
    const kerasLoss = epochs[epochs.length - 1].testLoss!;
    console.log(
      `Keras run: test error ${info.final?.testError}, test loss ${kerasLoss}; its checkpoint in tfjs: ${tfjsError}, ${tfjsLoss}`,
    );
    assert.ok(Math.abs(tfjsError - info.final.testError!) <= 1 / 128 + 1e-9, `${tfjsError} vs ${info.final.testError}`);
    assert.ok(Math.abs(tfjsLoss - kerasLoss) < 1e-4, `test loss ${tfjsLoss} vs ${kerasLoss}`);
    assert.ok(fs.existsSync(path.join(runDir, 'checkpoints', 'best', 'model.json')));
    model.dispose();
  },
);

/** Follows the first run folder to appear in `runs` (as the panel does, src/core/runs/follow.ts) until it ends. */
async function followFirstRun(runs: string, ended: Promise<unknown>): Promise<FollowUpdate[]> {
  let dir: string | undefined;
  let over = false;
  void ended.then(() => (over = true));
  while (!dir && !over) {
    const name = fs.existsSync(runs)
      ? fs.readdirSync(runs).find((n) => fs.existsSync(path.join(runs, n, 'run.json')))
      : undefined;
    if (name) dir = path.join(runs, name);
    else await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(dir, 'no run folder appeared while the workers ran');
  const updates: FollowUpdate[] = [];
  await new Promise<void>((resolve) => {
    const follower = new RunFollower(
      dir,
      (u) => {
        updates.push(u);
        if (u.done) {
          follower.stop();
          resolve();
        }
      },
      { pollMs: 100 },
    ).start();
  });
  return updates;
}

test(
  'train --engine keras --workers 2: two MultiWorkerMirroredStrategy workers on 127.0.0.1, one run folder, the same schedule, followed live',
  { skip, timeout: 300_000 },
  async () => {
    const file = path.join(tmp, 'small2.ts');
    fs.writeFileSync(file, SMALL);
    const runs = path.join(tmp, 'runs2');
    const training = cli(
      [
        'train',
        file,
        'small',
        '--engine',
        'keras',
        '--keras-backend',
        'tensorflow',
        '--workers',
        '2',
        '--runs-dir',
        runs,
        '--json',
      ],
      undefined,
      { timeoutMs: 240_000 },
    );
    const updates = await followFirstRun(runs, training);
    const r = await training;
    assert.equal(r.code, 0, r.stderr);
    const summary = lastJson<{
      runDir: string;
      status: string;
      workers: number;
    }>(r);
    assert.deepEqual([summary.status, summary.workers], ['finished', 2]);
    assert.deepEqual(fs.readdirSync(runs), [path.basename(summary.runDir)]); // only the chief writes

    // The follower saw the run live (run.json is written before the first step), then finished, and every record once, in order.
    const first = updates[0],
      last = updates[updates.length - 1];
    assert.deepEqual(
      [first.status, first.writing, (first.info as { host?: string }).host],
      ['running', true, os.hostname()],
    );
    assert.match(first.message!, /^process \d+, not this window$/);
    assert.deepEqual([last.status, last.done, last.info.final?.iteration], ['finished', true, 12]);
    assert.ok(updates.every((u) => !u.reset));
    const followed = updates.flatMap((u) => u.metrics);
    assert.deepEqual(followed, readMetrics(summary.runDir));
    assert.deepEqual(
      updates.flatMap((u) => u.gradients).map((g) => g.iteration),
      [1, 5, 9],
    );
    // And what the panel makes of the folder (panelData.openRun): the run, its curve and the final test error.
    const panel = openRun(runViewFromInfo(summary.runDir, readRunInfo(summary.runDir)), summary.runDir);
    assert.deepEqual(
      [panel.view.status, panel.view.backend, panel.curves.lastIteration, panel.view.finalTestError],
      // The engine's label as the panel shows it: two TensorFlow workers of one CPU replica each.
      ['finished', 'keras · tensorflow · 2× CPU · 2 processes', 12, last.info.final?.testError],
    );
    console.log(
      `followed ${updates.length} updates: ${updates.map((u) => `${u.status}+${u.metrics.length}`).join(' ')}`,
    );
    const info = readRunInfo(summary.runDir);
    assert.equal((info as { workers?: number }).workers, 2);
    assert.equal(info.recipe.batchSize, 32); // the global batch, 16 per worker
    const its = readMetrics(summary.runDir).filter((m) => m.type === 'iteration');
    assert.deepEqual(
      its.map((m) => Number(m.lr!.toPrecision(6))),
      LRS,
    );
    // Same weights and batches; batch norm normalises each worker's half, so close to one worker's, not equal.
    if (oneWorkerFirstLoss !== undefined) {
      console.log(`first loss: 1 worker ${oneWorkerFirstLoss.toFixed(4)}, 2 workers ${its[0].loss!.toFixed(4)}`);
      assert.ok(Math.abs(its[0].loss! - oneWorkerFirstLoss) < 0.2);
    }
    assert.deepEqual(
      readGradients(summary.runDir).map((g) => g.iteration),
      [1, 5, 9],
    );
  },
);

test(
  'train.py --stop-at, then resnet-lab resume: the Keras run continues from its checkpoint (weights and momentum) on the same curve',
  { skip, timeout: 300_000 },
  async () => {
    const project = path.join(tmp, 'project'); // exported by the first test
    assert.ok(fs.existsSync(path.join(project, 'run_folder.py')), 'the first test exports the project');
    const runs = path.join(tmp, 'runs3');
    const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' };
    const p = spawnSync(
      tfPython(),
      [path.join(project, 'train.py'), '--backend', 'tensorflow', '--runs-dir', runs, '--stop-at', '6'],
      {
        encoding: 'utf8',
        timeout: 240_000,
        env,
      },
    );
    assert.equal(p.status, 0, p.stderr);
    const runDir = path.join(runs, fs.readdirSync(runs)[0]);
    const stopped = readRunInfo(runDir);
    assert.deepEqual([stopped.status, stopped.final?.iteration], ['stopped', 6]);
    // Mid-epoch, as our trainer's checkpoints can be: epoch 0 under way, 6 of its 8 batches done, its running sums kept.
    const state = JSON.parse(
      fs.readFileSync(path.join(runDir, 'checkpoints', 'latest', 'state.json'), 'utf8'),
    ) as TrainState;
    assert.deepEqual([state.iteration, state.epoch, state.batchInEpoch, state.epochSums?.seen], [6, 0, 6, 192]);
    // One velocity per trainable weight, in the tfjs model's order, as our trainer writes optimizer.bin.
    assert.equal(
      fs.statSync(path.join(runDir, 'checkpoints', 'latest', 'optimizer.bin')).size,
      4 * stopped.summary.trainableParams,
    );
    assert.deepEqual(
      readMetrics(runDir).map((m) => m.iteration),
      [1, 2, 3, 4, 5, 6],
    );

    const r = await cli(['resume', runDir, '--json'], undefined, { timeoutMs: 240_000 });
    assert.equal(r.code, 0, r.stderr);
    const summary = lastJson<{
      runDir: string;
      status: string;
      iteration: number;
      workers: number;
    }>(r);
    assert.deepEqual([summary.runDir, summary.status, summary.iteration, summary.workers], [runDir, 'finished', 12, 1]);
    const metrics = readMetrics(runDir);
    const its = metrics.filter((m) => m.type === 'iteration');
    assert.deepEqual(
      its.map((m) => m.iteration),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      'every iteration once',
    );
    assert.deepEqual(
      metrics.filter((m) => m.type === 'epoch').map((m) => m.iteration),
      [8, 12],
    );
    assert.deepEqual(
      its.map((m) => Number(m.lr!.toPrecision(6))),
      LRS,
    );
    // The same weights, momentum, batches and crops as the run that never stopped: the same losses
    // (without the velocities, iteration 8's loss is off by ~0.02).
    if (oneWorkerLosses)
      its.forEach((m, i) =>
        assert.ok(
          Math.abs(m.loss! - oneWorkerLosses![i]) < 1e-5,
          `iteration ${i + 1}: ${m.loss} vs ${oneWorkerLosses![i]}`,
        ),
      );
    assert.deepEqual(
      readGradients(runDir).map((g) => g.iteration),
      [1, 5, 9],
    );
    assert.equal(readRunInfo(runDir).status, 'finished');
  },
);
