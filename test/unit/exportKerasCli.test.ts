// `resnet-lab export-keras` through the built CLI: the initial weights are the
// ones training starts from (same seed), --from-run takes a checkpoint's, and
// a layer with no Keras counterpart is one line naming it, nothing written.
// Needs no Python (kerasExport.test.ts runs the exported code).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { resnetCifar, setInitSeed } from '../../src/core/lib';
import { saveCheckpoint } from '../../src/core/runs/checkpoint';
import { cli, REPO, STACK_FRAME } from './support/cli';
import { tempDir } from '../support/tempDir';

const tmp = tempDir('export-cli');
before(() => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: REPO, stdio: 'inherit' });
});

const QUICKSTART = path.join(REPO, 'examples', 'quickstart.ts');

/** The quickstart's model as the trainer builds it: seed 1 (the recipe's default). */
function quickstartModel(): tf.LayersModel {
  setInitSeed(1);
  return resnetCifar({ depth: 8, widths: [8, 16, 32] })({ inputShape: [32, 32, 3], numClasses: 10 });
}

interface Manifest {
  layers: { layer: string; tfjs: string; weights: { name: string; shape: number[]; offset: number }[] }[];
}

/** The exported values of one tfjs layer, by its tfjs name, in Keras' order. */
function exported(dir: string, tfjsName: string): Float32Array[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'weights.json'), 'utf8')) as Manifest;
  const bin = fs.readFileSync(path.join(dir, 'weights.bin'));
  const all = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  const entry = manifest.layers.find((l) => l.tfjs === tfjsName)!;
  return entry.weights.map((w) => all.slice(w.offset, w.offset + w.shape.reduce((a, b) => a * b, 1)));
}

test(
  'export-keras writes model.py, the weights and a README; the weights are the initial ones of training',
  { timeout: 120_000 },
  async () => {
    const out = path.join(tmp, 'initial');
    const r = await cli(['export-keras', QUICKSTART, 'quickstart', '--out', out], undefined, { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(fs.readdirSync(out).sort(), [
      'README.md',
      'data',
      'data.py',
      'distribution_probe.py',
      'engine_jax.py',
      'engine_tf.py',
      'k8s-job.yaml',
      'model.py',
      'recipe.py',
      'run_folder.py',
      'run_template.json',
      'slurm.sbatch',
      'tfjs_model.json',
      'train.py',
      'weights.bin',
      'weights.json',
    ]);
    assert.deepEqual(fs.readdirSync(path.join(out, 'data')), ['synthetic.npz']);
    assert.match(
      fs.readFileSync(path.join(out, 'model.py'), 'utf8'),
      /y = layers\.Add\(name="stage2_block1_add"\)\(\[shortcut, f\]\)/,
    );
    const model = quickstartModel();
    for (const name of ['conv1', 'stage2/block1/conv1', 'fc']) {
      const want = model
        .getLayer(name)
        .getWeights()
        .map((w) => w.dataSync());
      assert.deepEqual(exported(out, name), want, name);
    }
    // A second export to the same (now full) folder is refused rather than mixed in.
    const again = await cli(['export-keras', QUICKSTART, 'quickstart', '--out', out], undefined, { timeoutMs: 60_000 });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exists and is not empty/);
  },
);

test("export-keras --from-run takes the weights of the run's latest checkpoint", { timeout: 120_000 }, async () => {
  const model = quickstartModel();
  const conv = model.getLayer('stage1/block1/conv2');
  conv.setWeights([tf.fill(conv.getWeights()[0].shape, 0.25)]);
  const runDir = path.join(tmp, 'run');
  await saveCheckpoint(tf, runDir, 'latest', model, {
    iteration: 42,
    epoch: 1,
    batchInEpoch: 0,
    bestTestError: null,
    warmupDone: true,
  });
  const out = path.join(tmp, 'trained');
  const r = await cli(['export-keras', QUICKSTART, 'quickstart', '--out', out, '--from-run', runDir], undefined, {
    timeoutMs: 60_000,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /iteration 42/);
  assert.ok(exported(out, 'stage1/block1/conv2')[0].every((v) => v === 0.25));
  assert.match(fs.readFileSync(path.join(out, 'README.md'), 'utf8'), /iteration 42/);
});

test(
  'export-keras of a model with a custom layer: one line naming the layer, nothing written',
  { timeout: 120_000 },
  async () => {
    const file = path.join(__dirname, '..', 'fixtures', 'unit', 'custom-layer.ts');
    const out = path.join(tmp, 'custom-out');
    const r = await cli(['export-keras', file, 'custom', '--out', out], undefined, { timeoutMs: 60_000 });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      'error: cannot export custom to Keras: layer double_it (Double) has no Keras counterpart',
    );
    assert.doesNotMatch(r.stderr, STACK_FRAME);
    assert.equal(fs.existsSync(out), false);
    assert.deepEqual(
      fs.readdirSync(tmp).filter((f) => f.startsWith('custom-out')),
      [],
    );
  },
);
