// `resnet-lab paths` end to end without VS Code: a short ResNet-8 run on tiny
// seeded synthetic data, then the trainer's analyze job (in process) and the
// CLI (a trainer process): the same result as the library call, stored as
// paths.json, printed as a table, drawn by `plot paths`; a plain net is
// refused in one line.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { testData } from '../../src/core/analysis/lesion';
import { pathGradients } from '../../src/core/analysis/paths';
import { initWasm } from '../../src/core/backend/wasmConvGrads';
import { loadDataset } from '../../src/core/data';
import { extractGraph, summarize } from '../../src/core/graph/extract';
import { plainCifar, resnetCifar, setInitSeed, synthetic } from '../../src/core/lib';
import { resolveRecipe } from '../../src/core/lib/experiment';
import { htmlReport } from '../../src/core/report/htmlReport';
import { readPaths } from '../../src/core/runs/analyses';
import { RunInfo, writeRunInfo } from '../../src/core/runs/runFolder';
import { Control } from '../../src/core/train/control';
import { runTraining } from '../../src/core/train/loop';
import { PathsResultSchema, TrainerEvent } from '../../src/protocol/trainer';
import { analyze } from '../../src/trainer/analyze';
import { cli } from './support/cli';
import { tempDir } from '../support/tempDir';

const root = path.join(__dirname, '..', '..');
const fixture = path.join(root, 'test', 'fixtures', 'unit', 'trainer-models.ts');
const tmp = tempDir('paths-cli');

const recipe = resolveRecipe({
  data: synthetic({ trainSize: 64, testSize: 16, seed: 3 }),
  iterations: 8,
  batchSize: 16,
  augment: false,
  optimizer: { lr: 0.05 },
  schedule: { milestones: [] },
  seed: 5,
});

/** A finished run folder of `model`, as the trainer leaves it. */
async function runFolder(name: string, model: tf.LayersModel): Promise<string> {
  const dataset = await loadDataset(recipe.data);
  const runDir = path.join(tmp, name);
  fs.mkdirSync(runDir);
  const result = await runTraining({
    tf,
    model,
    dataset,
    recipe,
    runDir,
    emit: () => undefined,
    control: new Control(),
  });
  const graph = extractGraph(model);
  const info: RunInfo = {
    id: name,
    experiment: name,
    file: fixture,
    createdAt: new Date().toISOString(),
    status: 'finished',
    backend: 'wasm',
    recipe,
    overrides: {},
    graph,
    summary: summarize(model, graph),
    iterationsPerEpoch: 4,
    totalIterations: 8,
    epochs: 2,
    dataset: {
      name: 'synthetic',
      source: 'generated',
      train: 64,
      test: 16,
      inputShape: [32, 32, 3],
      classNames: dataset.classNames,
    },
    final: { iteration: result.iteration, trainError: result.trainError, testError: result.testError },
  };
  writeRunInfo(runDir, info);
  return runDir;
}

let resnet: tf.LayersModel;
let resnetDir: string;
let plainDir: string;

before(async () => {
  await initWasm(tf);
  setInitSeed(7);
  resnet = resnetCifar({ depth: 8, widths: [4, 8, 8] })({ inputShape: [32, 32, 3], numClasses: 10 });
  resnetDir = await runFolder('resnet', resnet);
  setInitSeed(7);
  plainDir = await runFolder(
    'plain',
    plainCifar({ depth: 8, widths: [4, 8, 8] })({ inputShape: [32, 32, 3], numClasses: 10 }),
  );
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: root, stdio: 'inherit' });
});

test("the trainer's analyze job: a paths event, paths.json beside the run; a plain net is refused in one line", async () => {
  const events: TrainerEvent[] = [];
  await analyze(
    {
      type: 'analyze',
      runDir: resnetDir,
      analysis: 'paths',
      samples: 2,
      examples: 8,
      checkpoint: 'latest',
      backend: 'wasm',
    },
    (e) => events.push(e),
  );
  const done = events.find((e) => e.type === 'paths');
  assert.ok(done?.type === 'paths', JSON.stringify(events.at(-1)));
  // The same numbers as the library on the same images and seed (the run's).
  const dataset = await loadDataset(recipe.data);
  const expected = await pathGradients(tf, resnet, testData(dataset, 8), { samples: 2, seed: 5 });
  assert.deepEqual(done.result, expected);
  assert.deepEqual(readPaths(resnetDir), expected);
  assert.deepEqual(
    done.result.lengths.map((l) => [l.k, l.paths, l.measured]),
    [
      [0, 1, 1],
      [1, 3, 2],
      [2, 3, 2],
      [3, 1, 1],
    ],
  );

  const refused: TrainerEvent[] = [];
  await analyze({ type: 'analyze', runDir: plainDir, analysis: 'paths', checkpoint: 'latest', backend: 'wasm' }, (e) =>
    refused.push(e),
  );
  const failed = refused.at(-1)!;
  assert.ok(
    failed.type === 'failed' && /no residual blocks: a plain net is a single path/.test(failed.message),
    JSON.stringify(failed),
  );
  assert.equal(readPaths(plainDir), undefined);
});

test('CLI: paths --json, the table, plot paths; bad input in one line', async () => {
  const j = await cli(['paths', resnetDir, '--json', '--samples', '3', '--examples', '4', '--backend', 'wasm']);
  assert.equal(j.code, 0, j.stderr);
  const result = PathsResultSchema.strict().parse(JSON.parse(j.stdout.trim().split('\n').pop()!));
  assert.equal(result.testExamples, 4);
  assert.ok(
    result.lengths.every((l) => l.exhaustive),
    'C(3, k) ≤ 3: every path measured',
  );
  assert.deepEqual(readPaths(resnetDir), result);

  const t = await cli(['paths', resnetDir, '--samples', '3', '--examples', '4', '--backend', 'wasm']);
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /3 residual blocks, 2\^3 paths/);
  assert.match(t.stdout, /^1 +3 +all 3 /m, 'length 1: 3 paths, all measured');
  assert.match(t.stdout, new RegExp(`lengths ${result.effective.from}–${result.effective.to} of 0–3`));
  assert.match(t.stdout, new RegExp(`peaks at length ${result.peak}`));

  const svg = path.join(tmp, 'paths.svg');
  const p = await cli(['plot', 'paths', resnetDir, '--out', svg]);
  assert.equal(p.code, 0, p.stderr);
  assert.match(fs.readFileSync(svg, 'utf8'), /class="chart paths" data-blocks="3"/);

  // The HTML report: a section with the figure, linked from its contents; none for a run without paths.json.
  const html = htmlReport(resnetDir);
  assert.match(html, /<a href="#paths">gradient by path length<\/a>/);
  assert.match(html, /<h2 id="paths">Gradient by path length<\/h2>[^]*?<svg [^>]*class="chart paths" data-blocks="3"/);
  assert.match(html, new RegExp(`comes from lengths ${result.effective.from}–${result.effective.to} \\(shaded\\)`));
  assert.doesNotMatch(htmlReport(plainDir), /id="paths"/);

  const plain = await cli(['paths', plainDir, '--backend', 'wasm']);
  assert.equal(plain.code, 1);
  assert.match(plain.stderr, /has no residual blocks: a plain net is a single path/);
  const none = await cli(['plot', 'paths', plainDir, '--out', svg]);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /paths\.json not found: run `resnet-lab paths/);
});
