// Issue 24's second fault table, training: every seed reproduces, and a model
// file that misbehaves (NaN at test time, a timer that throws, an async build
// that rejects, the wrong output shape) is one line at the user's line, with
// the run marked as it ended. The CLI ones run the real dist/cli.js.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as lib from '../../src/core/lib';
import type { DataInfo } from '../../src/core/lib/types';
import { findExperiments } from '../../src/core/experiments/findExperiments';
import { buildModel, buildModelAwaited, loadExperiment } from '../../src/core/train/userModel';
import { readRunInfo } from '../../src/core/runs/runFolder';
import type { TrainerEvent } from '../../src/protocol/trainer';
import { TrainerClient } from '../../src/launch/trainerClient';
import { CliResult, REPO, STACK_FRAME } from './support/cli';
import { assertOneLineError, env, fixture, lastJson, run, tmp } from './support/faults';

const models = path.join(REPO, 'test', 'fixtures', 'unit', 'second-fault-models.ts');
const runsDir = path.join(tmp, 'training-runs');
const train = (experiment: string, args: string[] = [], timeoutMs = 60_000) =>
  run(['train', models, experiment, '--runs-dir', runsDir, '--backend', 'wasm', '--workers', '1', ...args], timeoutMs);

/** The run folders `train` made so far. */
const runFolders = () => (fs.existsSync(runsDir) ? fs.readdirSync(runsDir) : []);

/** The 1-based line of the model file that holds `text`. */
const lineOf = (text: string) =>
  fs
    .readFileSync(models, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(text)) + 1;

before(() => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: REPO, stdio: 'inherit' });
});

test('row 6: a test loss that is NaN (eager) is reported, the run marked diverged; no epoch record dropped', async () => {
  const r = await train('nanAtTest', ['--json']);
  assertOneLineError(r, /the test loss became NaN at the end of epoch 1 \(iteration 4\)/);
  const dir = r.stderr.match(/run folder: (.*)/)![1];
  const info = readRunInfo(dir);
  assert.equal(info.status, 'diverged');
  assert.match(info.error ?? '', /test loss became NaN/);
  assert.doesNotMatch(r.stderr + r.stdout, /invalid message/);
});

test('row 6: a trainer message that does not read is never dropped silently: a warning names it', async () => {
  // The end of a run whose iteration count did not serialise (null), and a record sent over the
  // IPC, where records no longer travel (they are in the run folder): each refused by name.
  const finished = {
    type: 'finished',
    status: 'finished',
    runDir: '/r',
    iteration: null,
    trainError: 0.9,
    testError: 0.9,
  };
  const epoch = {
    type: 'epoch',
    iteration: 4,
    epoch: 1,
    trainLoss: 2.3,
    trainError: 0.9,
    testLoss: 2.3,
    testError: 0.9,
    seconds: 1,
  };
  const script = path.join(tmp, 'sends-null.js');
  fs.writeFileSync(
    script,
    `process.on('message', () => { process.send(${JSON.stringify(finished)}); process.send(${JSON.stringify(epoch)}, undefined, {}, () => process.disconnect()); });\n`,
  );
  const seen: TrainerEvent[] = [];
  const client = new TrainerClient(script, { onEvent: (e) => seen.push(e) });
  client.send({ type: 'stop' });
  await client.exited;
  assert.equal(seen.length, 2);
  assert.deepEqual(seen[0], {
    type: 'log',
    level: 'warn',
    message:
      'a message from the trainer could not be read and was dropped (finished; iteration: Expected number, received null)',
  });
  assert.match(
    seen[1].type === 'log' ? seen[1].message : '',
    /^a message from the trainer could not be read and was dropped \(epoch; type: Invalid discriminator value/,
  );
});

for (const seed of ['4294967296', '4294967297', '-4294967295', '-1']) {
  test(`row 7: --seed ${seed} is refused in one line, not taken mod 2^32`, async () => {
    assertOneLineError(await train('plain', ['--seed', seed], 10_000), /--seed.*whole number from 0 to 4294967295/);
  });
}

test('row 7: the largest seed trains and run.json records it as given', async () => {
  const r = await train('plain', ['--seed', '4294967295', '--iterations', '2', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readRunInfo(lastJson(r).runDir).recipe.seed, 4294967295);
});

test("row 7: an experiment's own seed past 32 bits is refused at its line", async () => {
  const before = runFolders().length;
  const file = path.join(REPO, 'test', 'fixtures', 'unit', 'huge-seed.ts');
  assertOneLineError(
    await run(['train', file, 'hugeSeed', '--runs-dir', runsDir], 30_000),
    /huge-seed\.ts:4:\d+ seed 4294967297 is not a whole number from 0 to 4294967295/,
  );
  assert.equal(runFolders().length, before, 'no run folder');
});

test('row 8: examples/handwritten.ts (tfjs default initializers) built twice with one seed: bitwise equal weights', async () => {
  await tf.setBackend('cpu');
  const file = path.join(REPO, 'examples', 'handwritten.ts');
  const loaded = await loadExperiment(tf, lib, file, 'handwritten');
  const info: DataInfo = { inputShape: [32, 32, 3], numClasses: 10 };
  const weightsOf = async (seed: number, build: 'sync' | 'awaited') => {
    lib.setInitSeed(seed);
    const model = build === 'sync' ? buildModel(tf, loaded, info) : await buildModelAwaited(tf, loaded, info);
    const values = model.getWeights().map((w) => Array.from(w.dataSync()));
    model.dispose();
    return values;
  };
  const first = await weightsOf(1, 'sync');
  assert.deepEqual(await weightsOf(1, 'sync'), first, 'the same seed, the same weights');
  assert.deepEqual(await weightsOf(1, 'awaited'), first, 'as the trainer builds');
  assert.notDeepEqual(await weightsOf(2, 'sync'), first, 'another seed, other weights');
  // The stem is a conv2d with tfjs' default (glorotUniform) kernel initializer: not all zeros.
  assert.ok(first[0].some((x) => x !== 0));
});

test('row 9: a batch larger than the training set: the effective batch is said and recorded', async () => {
  const r = await train('plain', ['--batch-size', '100000', '--limit-train', '32', '--iterations', '2', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /batch size 100000 is larger than the training set \(32 examples\): training with batches of 32/,
  );
  const info = readRunInfo(lastJson(r).runDir);
  assert.equal(info.recipe.batchSize, 32);
  assert.equal(info.overrides?.batchSize, 100000, 'what was asked stays in overrides');
});

test('row 10: an experiment named with any JavaScript identifier is found whole', async () => {
  const src = [
    "import { experiment, resnetCifar } from 'resnet-lab';",
    'export const résnet_ü = experiment({ model: resnetCifar({ depth: 8 }) });',
    'export const $δ2\u200d = experiment({ model: resnetCifar({ depth: 8 }) });',
    'export const 名前 = experiment({ model: resnetCifar({ depth: 8 }) });',
  ].join('\n');
  assert.deepEqual(
    findExperiments(src).map((e) => [e.name, e.line]),
    [
      ['résnet_ü', 1],
      ['$δ2\u200d', 2],
      ['名前', 3],
    ],
  );
  const file = path.join(tmp, 'unicode.ts');
  fs.writeFileSync(file, src);
  const r = await run(['list', file], 10_000);
  assert.equal(r.stdout, `${file}:2  résnet_ü\n${file}:3  $δ2\u200d\n${file}:4  名前\n`);
});

for (const [experiment, message] of [
  ['timerThrows', 'the timer of the model file failed'],
  ['promiseRejects', 'a promise nobody awaited'],
] as const) {
  test(`row 13: ${experiment} while training: the user's message at file:line, run failed with a checkpoint`, async () => {
    const r = await train(experiment, ['--json']);
    assertOneLineError(r, new RegExp(`second-fault-models\\.ts:${lineOf(message)}:\\d+ .*${message}`));
    const dir = r.stderr.match(/run folder: (.*)/)![1];
    const info = readRunInfo(dir);
    assert.equal(info.status, 'failed');
    assert.match(info.error ?? '', new RegExp(message));
    assert.ok(fs.existsSync(path.join(dir, 'checkpoints', 'latest', 'state.json')), 'a checkpoint');
  });
}

test('row 14: build() rejecting asynchronously: the user error and its line', async () => {
  const at = new RegExp(
    `second-fault-models\\.ts:${lineOf('the weights server is down')}:\\d+ the weights server is down`,
  );
  assertOneLineError(await run(['summary', models, 'rejects'], 30_000), at);
  assertOneLineError(await train('rejects'), at);
});

test('row 15: an output of shape [N, 32, 32, 10] is refused before a run folder exists, naming the layer', async () => {
  const before = runFolders().length;
  const r = await train('pixelOutput');
  assertOneLineError(r, /layer "per_pixel".*\[batch, 32, 32, 10\].*one score per class: \[batch, 10\]/);
  assert.equal(runFolders().length, before, 'no run folder');
  assert.doesNotMatch(r.stderr, STACK_FRAME);
});

/** The CLI under an address-space limit (`ulimit -v`, in KB). */
function underAddressLimit(limitKb: number, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const cliJs = path.join(REPO, 'dist', 'cli.js');
    const child = spawn('bash', ['-c', `ulimit -v ${limitKb} && exec "$0" "$@"`, process.execPath, cliJs, ...args], {
      cwd: REPO,
      env,
    });
    let stdout = '',
      stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut: signal === 'SIGKILL' });
    });
  });
}

test('row 17: under an address-space limit (ulimit -v) the compiler says it ran out of memory compiling the file, and the limit', async () => {
  const r = await underAddressLimit(4_000_000, ['summary', fixture, 'quick']);
  assertOneLineError(
    r,
    new RegExp(
      `^error: out of memory compiling ${fixture}: .*address-space limit of 4\\.1 GB \\(ulimit -v 4000000\\); raise the limit`,
    ),
  );
  assert.doesNotMatch(r.stderr, /details:/, 'nothing more to tell: no log');
  // The WASM backend is WebAssembly too: it names the limit as well.
  const wasm = await underAddressLimit(4_000_000, [
    'train',
    fixture,
    'quick',
    '--runs-dir',
    runsDir,
    '--backend',
    'wasm',
  ]);
  assertOneLineError(
    wasm,
    /backend "wasm" is not available: .* under this process's address-space limit of 4\.1 GB \(ulimit -v 4000000\): WebAssembly reserves about 10 GB/,
  );
});
