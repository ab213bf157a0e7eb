// The analyses of a finished run: the graph interpreter (execute), the lesion
// study (Veit et al. 2016) and the layer responses (He et al. 2015, Fig. 7),
// in-process and through the CLI. Tiny nets (depth 8, widths 4/8/8) on tiny
// seeded synthetic data; one short training run gives them real weights.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { execute } from '../../src/core/analysis/execute';
import {
  EvalData,
  findBlocks,
  LesionBlock,
  lesionedError,
  lesionStudy,
  substitutions,
  testData,
} from '../../src/core/analysis/lesion';
import { responseLayers, responseStudy } from '../../src/core/analysis/responses';
import { initWasm } from '../../src/core/backend/wasmConvGrads';
import { Dataset, loadDataset } from '../../src/core/data';
import { extractGraph, summarize } from '../../src/core/graph/extract';
import { DataInfo, plainCifar, resnetCifar, setInitSeed, synthetic, ZeroPadShortcut } from '../../src/core/lib';
import { resolveRecipe } from '../../src/core/lib/experiment';
import { loadCheckpoint } from '../../src/core/runs/checkpoint';
import { RunInfo, writeRunInfo } from '../../src/core/runs/runFolder';
import { Control } from '../../src/core/train/control';
import { runTraining } from '../../src/core/train/loop';
import { LesionResultSchema, ResponsesResultSchema, TrainerEvent } from '../../src/protocol/trainer';
import { analyze } from '../../src/trainer/analyze';
import { cli } from './support/cli';
import { tempDir } from '../support/tempDir';

const root = path.join(__dirname, '..', '..');
const fixture = path.join(root, 'test', 'fixtures', 'unit', 'trainer-models.ts');
const tmp = tempDir('analysis');

const info: DataInfo = { inputShape: [32, 32, 3], numClasses: 10 };
const widths: [number, number, number] = [4, 8, 8];

function tinyNet(kind: 'resnet' | 'plain' | 'resnetB', seed = 7): tf.LayersModel {
  setInitSeed(seed);
  const factory =
    kind === 'plain'
      ? plainCifar({ depth: 8, widths })
      : resnetCifar({ depth: 8, widths, shortcut: kind === 'resnetB' ? 'B' : 'A' });
  return factory(info);
}

let dataset: Dataset;
let runDir: string;
let trained: tf.LayersModel;
let data: EvalData;

before(async () => {
  await initWasm(tf);
  // A finished run folder, as the trainer leaves it: run.json and checkpoints.
  const recipe = resolveRecipe({
    data: synthetic({ trainSize: 128, testSize: 64, seed: 3 }),
    iterations: 24,
    batchSize: 16,
    augment: false,
    optimizer: { lr: 0.05 },
    schedule: { milestones: [] },
    seed: 5,
  });
  dataset = await loadDataset(recipe.data);
  trained = tinyNet('resnet');
  runDir = path.join(tmp, 'run');
  fs.mkdirSync(runDir);
  const result = await runTraining({
    tf,
    model: trained,
    dataset,
    recipe,
    runDir,
    emit: () => undefined,
    control: new Control(),
  });
  const graph = extractGraph(trained);
  const run: RunInfo = {
    id: 'run',
    experiment: 'learns',
    file: fixture,
    createdAt: new Date().toISOString(),
    status: 'finished',
    backend: 'wasm',
    recipe,
    overrides: {},
    graph,
    summary: summarize(trained, graph),
    iterationsPerEpoch: 8,
    totalIterations: 24,
    epochs: 3,
    dataset: {
      name: 'synthetic',
      source: 'generated',
      train: 128,
      test: 64,
      inputShape: [32, 32, 3],
      classNames: dataset.classNames,
    },
    final: { iteration: result.iteration, trainError: result.trainError, testError: result.testError },
  };
  writeRunInfo(runDir, run);
  data = testData(dataset);
});

const batchOf = (n: number) => tf.tensor4d(data.batches[0].x.slice(0, n * 32 * 32 * 3), [n, 32, 32, 3]);
const block = (blocks: LesionBlock[], name: string) => blocks.find((b) => b.name === name)!;

test('execute() with nothing deleted is exactly model.predict, and leaks no tensors', () => {
  const x = batchOf(16);
  for (const model of [trained, tinyNet('resnet'), tinyNet('plain'), tinyNet('resnetB')]) {
    const expected = tf.tidy(() => (model.predict(x) as tf.Tensor).arraySync());
    const before = tf.memory().numTensors;
    const out = execute(tf, model, x);
    assert.deepEqual(out.arraySync(), expected, `${model.name}: same outputs, bit for bit`);
    assert.deepEqual(out.shape, [16, 10]);
    out.dispose();
    tf.tidy(() => {
      execute(tf, model, x, { substitute: substitutions(findBlocks(model)) });
    });
    assert.equal(tf.memory().numTensors, before, `${model.name}: no tensors left behind`);
  }
  x.dispose();
});

test('blocks: one per addition, named by the add layer; downsampling where the map shrinks', () => {
  const blocks = findBlocks(trained);
  assert.deepEqual(
    blocks.map((b) => [b.name, b.substitution.from, b.downsampling]),
    [
      ['stage1/block1/add', 'relu1', false],
      ['stage2/block1/add', 'stage2/block1/shortcut/pad', true],
      ['stage3/block1/add', 'stage3/block1/shortcut/pad', true],
    ],
  );
  assert.deepEqual(
    block(blocks, 'stage1/block1/add').layers,
    ['stage1/block1/conv1', 'stage1/block1/bn1', 'stage1/block1/relu1', 'stage1/block1/conv2', 'stage1/block1/bn2'],
    'the residual branch F',
  );
  // Projection shortcuts (option B): a deleted block outputs the projection.
  assert.deepEqual(
    findBlocks(tinyNet('resnetB')).map((b) => b.substitution.from),
    ['relu1', 'stage2/block1/shortcut/proj_bn', 'stage3/block1/shortcut/proj_bn'],
  );
});

test('deleting a block whose branch is zero (F(x) = 0) changes neither logits nor error', async () => {
  const { model } = await loadCheckpoint(tf, runDir);
  for (const name of ['stage1/block1', 'stage2/block1']) {
    const bn = model.getLayer(`${name}/bn2`);
    const [gamma, beta, mean, variance] = bn.getWeights();
    bn.setWeights([tf.zerosLike(gamma), tf.zerosLike(beta), mean, variance]);
  }
  const blocks = findBlocks(model);
  const zeroed = [block(blocks, 'stage1/block1/add'), block(blocks, 'stage2/block1/add')];
  const x = batchOf(32);
  const intact = tf.tidy(() => execute(tf, model, x).arraySync());
  for (const b of [...zeroed.map((z) => [z]), zeroed]) {
    const lesioned = tf.tidy(() => execute(tf, model, x, { substitute: substitutions(b) }).arraySync());
    assert.deepEqual(lesioned, intact, `${b.map((z) => z.name)} deleted: identical logits`);
  }
  const r = await lesionStudy(tf, model, data, { draws: 2 });
  assert.equal(r.blocks[0].error, r.baselineError);
  assert.equal(r.blocks[1].error, r.baselineError);
  assert.equal(await lesionedError(tf, model, data, zeroed), r.baselineError);
  x.dispose();
  model.dispose();
});

test('deleting a block with a working branch changes the logits and the error', async () => {
  const blocks = findBlocks(trained);
  const x = batchOf(32);
  for (const b of blocks) {
    const diff = tf.tidy(
      () =>
        tf
          .max(tf.abs(tf.sub(execute(tf, trained, x), execute(tf, trained, x, { substitute: substitutions([b]) }))))
          .arraySync() as number,
    );
    assert.ok(diff > 1e-3, `${b.name}: outputs move by ${diff}`);
  }
  x.dispose();
  const r = await lesionStudy(tf, trained, data);
  assert.equal(r.testExamples, 64);
  assert.ok(
    r.blocks.some((b) => b.error !== r.baselineError),
    JSON.stringify(r.blocks),
  );
  for (const b of r.blocks) assert.equal(Math.round(b.error * 64), b.error * 64, 'an error count over 64 images');
});

test('k random blocks: n entries, draws each, deterministic for a seed', async () => {
  const tensors = tf.memory().numTensors;
  const a = await lesionStudy(tf, trained, data, { draws: 2, seed: 11 });
  const b = await lesionStudy(tf, trained, data, { draws: 2, seed: 11 });
  await responseStudy(tf, trained, data);
  assert.equal(tf.memory().numTensors, tensors, 'no tensors left behind');
  assert.deepEqual(a, b);
  LesionResultSchema.strict().parse(a);
  assert.deepEqual(
    a.random.map((r) => r.k),
    [1, 2, 3],
  );
  for (const r of a.random) {
    assert.equal(r.errors.length, 2);
    assert.ok(Math.abs(r.meanError - (r.errors[0] + r.errors[1]) / 2) < 1e-12);
  }
  // k = 1 draws are single-block results; k = n deletes every block.
  for (const e of a.random[0].errors) assert.ok(a.blocks.some((x) => x.error === e));
  const all = await lesionedError(tf, trained, data, findBlocks(trained));
  assert.deepEqual(a.random[2].errors, [all, all]);
  // Only a chosen set.
  const custom = await lesionStudy(tf, trained, data, { lesioned: ['stage2/block1', 'stage3/block1/add'] });
  assert.deepEqual(custom.custom!.lesioned, ['stage2/block1/add', 'stage3/block1/add']);
  assert.equal(custom.custom!.error, await lesionedError(tf, trained, data, findBlocks(trained).slice(1)));
  assert.deepEqual([custom.blocks, custom.random, custom.baselineError], [[], [], a.baselineError]);
  await assert.rejects(lesionStudy(tf, trained, data, { lesioned: ['stage9/block1'] }), /no block "stage9\/block1"/);
});

test('plain net: blocks are name groups; a deleted stride-2 block passes its input through option A', async () => {
  const plain = tinyNet('plain');
  const blocks = findBlocks(plain);
  assert.deepEqual(
    blocks.map((b) => [b.name, b.layer, b.substitution.from, b.downsampling, !!b.substitution.transform]),
    [
      ['stage1/block1', 'stage1/block1/relu2', 'relu1', false, false],
      ['stage2/block1', 'stage2/block1/relu2', 'stage1/block1/relu2', true, true],
      ['stage3/block1', 'stage3/block1/relu2', 'stage2/block1/relu2', true, true],
    ],
  );
  const x = batchOf(8);
  tf.tidy(() => {
    const seen = new Map<string, tf.Tensor>();
    const out = execute(tf, plain, x, {
      substitute: substitutions([blocks[1]]),
      observeLayers: ['stage1/block1/relu2', 'stage2/block1/relu2'],
      observe: (name, t) => seen.set(name, tf.keep(t.clone())),
    });
    assert.deepEqual(out.shape, [8, 10]);
    const input = seen.get('stage1/block1/relu2')!,
      output = seen.get('stage2/block1/relu2')!;
    assert.deepEqual(
      [input.shape, output.shape],
      [
        [8, 32, 32, 4],
        [8, 16, 16, 8],
      ],
    );
    const padded = new ZeroPadShortcut({ stride: 2, outChannels: 8 }).apply(input) as tf.Tensor;
    assert.deepEqual(output.arraySync(), padded.arraySync());
    // Every other pixel, the first 4 channels; zeros in the new ones.
    assert.deepEqual(
      tf.slice(output, [0, 3, 5, 0], [8, 1, 1, 4]).arraySync(),
      tf.slice(input, [0, 6, 10, 0], [8, 1, 1, 4]).arraySync(),
    );
    assert.equal(tf.sum(tf.abs(tf.slice(output, [0, 0, 0, 4], [8, 16, 16, 4]))).arraySync(), 0);
    tf.dispose([...seen.values()]);
  });
  x.dispose();
  const r = await lesionStudy(tf, plain, data, { draws: 1 });
  assert.deepEqual(
    r.blocks.map((b) => [b.name, b.downsampling]),
    [
      ['stage1/block1', false],
      ['stage2/block1', true],
      ['stage3/block1', true],
    ],
  );
  assert.equal(r.random.length, 3);
  for (const e of [r.baselineError, ...r.blocks.map((b) => b.error)]) assert.ok(e >= 0 && e <= 1);
  plain.dispose();
});

/** std over all elements of one layer's output: a sub-model's output, summed in float64. */
function directStd(model: tf.LayersModel, layer: string, x: tf.Tensor): number {
  const sub = tf.model({ inputs: model.inputs, outputs: model.getLayer(layer).output });
  const v = tf.tidy(() => (sub.predict(x) as tf.Tensor).dataSync());
  let sum = 0,
    sq = 0;
  for (const a of v) sum += a;
  const mean = sum / v.length;
  for (const a of v) sq += (a - mean) ** 2;
  return Math.sqrt(sq / v.length);
}

test('responses: one entry per 3x3 conv (after its BN), matching a sub-model on the same images', async () => {
  const names = [
    'bn1',
    'stage1/block1/bn1',
    'stage1/block1/bn2',
    'stage2/block1/bn1',
    'stage2/block1/bn2',
    'stage3/block1/bn1',
    'stage3/block1/bn2',
  ];
  const resnetB = tinyNet('resnetB');
  assert.deepEqual(
    responseLayers(resnetB).map((l) => l.bn),
    names,
    'projection BNs are left out',
  );
  const one = testData(dataset, 48);
  const x = tf.tensor4d(one.batches[0].x, [48, 32, 32, 3]);
  for (const model of [trained, tinyNet('plain')]) {
    const r = await responseStudy(tf, model, one);
    ResponsesResultSchema.strict().parse(r);
    assert.equal(r.testExamples, 48);
    assert.deepEqual(
      r.layers.map((l) => [l.index, l.name]),
      names.map((n, i) => [i + 1, n]),
    );
    for (const l of r.layers) {
      const direct = directStd(model, l.name, x);
      assert.ok(
        l.std > 0 && Math.abs(l.std - direct) <= 1e-5 * direct,
        `${model.name} ${l.name}: ${l.std} vs ${direct}`,
      );
    }
    // The same 48 images in batches of 16 (the merge across batches) give the same stds.
    const batched = await responseStudy(tf, model, testData(dataset, 48, 16));
    for (let i = 0; i < names.length; i++) {
      assert.ok(
        Math.abs(batched.layers[i].std - r.layers[i].std) <= 1e-6 * r.layers[i].std,
        `${model.name} ${names[i]}: ${batched.layers[i].std} in batches vs ${r.layers[i].std}`,
      );
    }
  }
  x.dispose();
  resnetB.dispose();
});

test("the trainer's analyze command: events, files, errors", async () => {
  const events: TrainerEvent[] = [];
  await analyze(
    { type: 'analyze', runDir, analysis: 'lesion', lesioned: ['stage1/block1'], checkpoint: 'latest', backend: 'wasm' },
    (e) => events.push(e),
  );
  const lesion = events.find((e) => e.type === 'lesion');
  assert.ok(lesion?.type === 'lesion', JSON.stringify(events));
  assert.equal(lesion.runDir, runDir);
  assert.deepEqual(lesion.result.custom?.lesioned, ['stage1/block1/add']);
  assert.ok(!fs.existsSync(path.join(runDir, 'lesion.json')), 'one clicked set does not replace the stored study');

  const failures: TrainerEvent[] = [];
  await analyze(
    { type: 'analyze', runDir, analysis: 'lesion', lesioned: ['nope'], checkpoint: 'latest', backend: 'wasm' },
    (e) => failures.push(e),
  );
  const failed = failures.at(-1)!;
  assert.ok(
    failed.type === 'failed' && /no block "nope"/.test(failed.message) && failed.runDir === runDir,
    JSON.stringify(failed),
  );
  const empty = path.join(tmp, 'empty');
  fs.mkdirSync(empty);
  const none: TrainerEvent[] = [];
  await analyze({ type: 'analyze', runDir: empty, analysis: 'responses', checkpoint: 'latest', backend: 'wasm' }, (e) =>
    none.push(e),
  );
  assert.ok(none.at(-1)?.type === 'failed' && /not a run folder/.test((none.at(-1) as { message: string }).message));
});

test('CLI: lesion --json and responses --json print results that parse, and write them to the run folder', async () => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: root, stdio: 'inherit' });
  const l = await cli(['lesion', runDir, '--json', '--draws', '2', '--backend', 'wasm']);
  assert.equal(l.code, 0, l.stderr);
  const lesion = LesionResultSchema.strict().parse(JSON.parse(l.stdout.trim().split('\n').pop()!));
  // The intact net's error is the trainer's own last test error: same data, same pixel mean.
  const final = (JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8')) as RunInfo).final!.testError;
  assert.equal(lesion.baselineError, final);
  assert.deepEqual(lesion, await lesionStudy(tf, trained, data, { draws: 2, seed: 5 }));
  const stored = LesionResultSchema.parse(JSON.parse(fs.readFileSync(path.join(runDir, 'lesion.json'), 'utf8')));
  assert.deepEqual(stored, lesion);

  const r = await cli(['responses', runDir, '--json', '--backend', 'wasm']);
  assert.equal(r.code, 0, r.stderr);
  const responses = ResponsesResultSchema.strict().parse(JSON.parse(r.stdout.trim().split('\n').pop()!));
  assert.equal(responses.testExamples, 64);
  assert.equal(responses.layers.length, 7);
  assert.ok(fs.existsSync(path.join(runDir, 'responses.json')));

  const table = await cli(['lesion', runDir, '--delete', 'stage2/block1', '--backend', 'wasm']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /with stage2\/block1\/add deleted: \d+\.\d\d%/);
  const bad = await cli(['lesion', runDir, '--delete', 'nope', '--backend', 'wasm']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /no block "nope"/);
});
