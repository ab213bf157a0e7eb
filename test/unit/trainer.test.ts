// The trainer end to end: the CLI (node dist/cli.js) forking dist/trainer.js,
// run folders on disk, stop and resume, divergence, compile errors; and the
// training loop in-process for tensor leaks. Models and data are tiny
// (test/fixtures/unit/trainer-models.ts) and every run is seeded.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initWasm } from '../../src/core/backend/wasmConvGrads';
import { loadCheckpoint, TrainState } from '../../src/core/runs/checkpoint';
import { MetricRecord, readGradients, readMetrics, readRunInfo } from '../../src/core/runs/runFolder';
import { Control } from '../../src/core/train/control';
import { ModelGraphSchema, ModelSummarySchema } from '../../src/protocol/graph';
import { EpochEventSchema, IterationEventSchema, TrainerEvent } from '../../src/protocol/trainer';
import { TrainerClient } from '../../src/launch/trainerClient';
import * as session from '../../src/trainer/session';
import { cli, CliResult } from './support/cli';
import { tempDir } from '../support/tempDir';
import { trainingRun } from './support/trainingRun';

const root = path.join(__dirname, '..', '..');
// CI runs this file a second time on the native backend (npm run test:native).
const BACKEND = (process.env.RESNET_LAB_TEST_BACKEND ?? 'wasm') as 'wasm' | 'tensorflow';
// ... and a third time with graph mode off (RESNET_LAB_TEST_GRAPH=off): eager on the native backend.
const GRAPH = process.env.RESNET_LAB_TEST_GRAPH === 'off' ? ('off' as const) : undefined;
const backendArgs = ['--backend', BACKEND, ...(GRAPH ? ['--graph', GRAPH] : [])];
const fixture = path.join(root, 'test', 'fixtures', 'unit', 'trainer-models.ts');
const tmp = tempDir('trainer');

before(() => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: root, stdio: 'inherit' });
});

/** The JSON summary line `train --json` / `resume --json` print last. */
function lastJson(r: CliResult): {
  runDir: string;
  status: string;
  iteration: number;
  trainError: number | null;
  testError: number | null;
} {
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as ReturnType<typeof lastJson>;
  } catch {
    assert.fail(`no JSON summary (exit ${r.code}).\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
}

const iterations = (m: MetricRecord[]) => m.filter((r) => r.type === 'iteration');
const epochs = (m: MetricRecord[]) => m.filter((r) => r.type === 'epoch');
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

let straightResumable: MetricRecord[] | undefined;
/** The `resumable` experiment trained without interruption, once, for the resume tests. */
async function straightRun(): Promise<MetricRecord[]> {
  if (!straightResumable) {
    const r = await cli([
      'train',
      fixture,
      'resumable',
      '--json',
      '--runs-dir',
      path.join(tmp, 'straight'),
      ...backendArgs,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = lastJson(r);
    assert.deepEqual({ status: out.status, iteration: out.iteration }, { status: 'finished', iteration: 16 });
    straightResumable = readMetrics(out.runDir);
  }
  return straightResumable;
}

function assertSameCurve(resumed: MetricRecord[], straight: MetricRecord[]): void {
  const a = iterations(resumed),
    b = iterations(straight);
  assert.deepEqual(
    a.map((r) => r.iteration),
    Array.from({ length: 16 }, (_, i) => i + 1),
    'iterations 1..16 once each, in order',
  );
  assert.deepEqual(
    b.map((r) => r.iteration),
    a.map((r) => r.iteration),
  );
  for (let i = 0; i < a.length; i++) {
    assert.ok(
      Math.abs(a[i].loss! - b[i].loss!) < 1e-5,
      `iteration ${i + 1}: loss ${a[i].loss} resumed vs ${b[i].loss} straight`,
    );
    assert.equal(a[i].trainError, b[i].trainError, `iteration ${i + 1}: training error`);
    assert.equal(a[i].lr, b[i].lr, `iteration ${i + 1}: learning rate`);
    assert.equal(a[i].epoch, b[i].epoch, `iteration ${i + 1}: epoch`);
  }
  // The default schedule divides the lr by 10 at 50% and 75% of 16 iterations.
  assert.deepEqual([...new Set(a.map((r) => r.lr))], [0.05, 0.005000000000000001, 0.0005000000000000001]);
  const ea = epochs(resumed),
    eb = epochs(straight);
  assert.deepEqual(
    ea.map((r) => r.epoch),
    [1, 2],
    'one line per epoch',
  );
  for (let i = 0; i < ea.length; i++) {
    assert.ok(
      Math.abs(ea[i].testLoss! - eb[i].testLoss!) < 1e-5,
      `epoch ${i + 1}: test loss ${ea[i].testLoss} vs ${eb[i].testLoss}`,
    );
    assert.equal(ea[i].testError, eb[i].testError, `epoch ${i + 1}: test error`);
  }
}

test('(a) a short synthetic run learns; run.json, metrics.jsonl, gradients.jsonl and the checkpoint are complete', async () => {
  const r = await cli(['train', fixture, 'learns', '--json', '--runs-dir', path.join(tmp, 'learns'), ...backendArgs]);
  assert.equal(r.code, 0, r.stderr);
  const out = lastJson(r);
  assert.equal(out.status, 'finished');
  assert.equal(out.iteration, 64);
  assert.equal(path.dirname(out.runDir), path.join(tmp, 'learns'));
  assert.match(path.basename(out.runDir), /^\d{8}-\d{6}-learns$/);
  assert.match(r.stderr, new RegExp(`backend: ${BACKEND}`));

  const info = readRunInfo(out.runDir);
  assert.equal(info.status, 'finished');
  assert.equal(info.pid, undefined);
  assert.equal(info.experiment, 'learns');
  assert.equal(info.file, fixture);
  assert.equal(info.backend, BACKEND);
  // Native: one TensorFlow graph per step unless turned off; wasm: data-parallel workers (one per core) or this thread.
  const expectedMode =
    BACKEND === 'tensorflow'
      ? GRAPH === 'off'
        ? 'eager'
        : 'graph'
      : os.availableParallelism() > 1
        ? 'data-parallel'
        : 'eager';
  assert.equal(info.mode, expectedMode);
  assert.deepEqual(
    { ipe: info.iterationsPerEpoch, total: info.totalIterations, epochs: info.epochs },
    { ipe: 16, total: 64, epochs: 4 },
  );
  assert.deepEqual(info.dataset, {
    name: 'synthetic',
    source: 'generated',
    train: 256,
    test: 64,
    inputShape: [32, 32, 3],
    classNames: [
      'disc',
      'square',
      'triangle',
      'plus',
      'ring',
      'h-stripes',
      'v-stripes',
      'diagonal',
      'checker',
      'x-cross',
    ],
  });
  assert.equal(info.recipe.batchSize, 16);
  assert.equal(info.recipe.optimizer.lr, 0.05);
  assert.equal(info.recipe.augment, false);
  ModelSummarySchema.parse(info.summary);
  ModelGraphSchema.parse(info.graph);
  assert.deepEqual(
    {
      name: info.summary.name,
      depth: info.summary.depth,
      shortcuts: info.summary.shortcuts,
      params: info.summary.trainableParams,
    },
    { name: 'resnet8', depth: 8, shortcuts: 3, params: 2590 },
  );
  assert.equal(info.graph.nodes.length, info.summary.layers.length);
  assert.equal(info.final!.iteration, 64);
  assert.equal(info.final!.trainError, out.trainError);
  assert.equal(info.final!.testError, out.testError);

  const metrics = readMetrics(out.runDir);
  const its = iterations(metrics);
  assert.equal(metrics.length, 64 + 4);
  assert.deepEqual(
    its.map((m) => m.iteration),
    Array.from({ length: 64 }, (_, i) => i + 1),
  );
  for (const m of its) {
    IterationEventSchema.strict().parse(m); // exactly the documented fields
    assert.equal(m.epoch, Math.ceil(m.iteration / 16));
    assert.ok(m.loss! > 0 && Number.isFinite(m.loss));
    assert.equal(Math.round(m.trainError! * 16), m.trainError! * 16, 'an error count over a batch of 16');
    assert.equal(m.lr, 0.05);
    assert.ok(m.imagesPerSec! > 0);
  }
  const eps = epochs(metrics);
  assert.deepEqual(
    eps.map((e) => [e.epoch, e.iteration]),
    [
      [1, 16],
      [2, 32],
      [3, 48],
      [4, 64],
    ],
  );
  for (const e of eps) {
    EpochEventSchema.strict().parse(e);
    assert.equal(e.valError, undefined);
    assert.ok(e.testError! >= 0 && e.testError! <= 1 && Math.round(e.testError! * 64) === e.testError! * 64);
    assert.ok(e.testLoss! > 0);
    // The epoch line follows its last iteration.
    assert.equal(metrics.indexOf(e), metrics.indexOf(its[e.iteration - 1]) + 1);
    const own = its.slice(e.iteration - 16, e.iteration);
    assert.ok(Math.abs(e.trainError! - mean(own.map((m) => m.trainError!))) < 1e-9);
    assert.ok(Math.abs(e.trainLoss! - mean(own.map((m) => m.loss!))) < 1e-5);
  }
  assert.equal(out.testError, eps[3].testError);

  // Training error and loss fall: the first 16 iterations against the last 16.
  const first = its.slice(0, 16),
    last = its.slice(-16);
  const errFirst = mean(first.map((m) => m.trainError!)),
    errLast = mean(last.map((m) => m.trainError!));
  const lossFirst = mean(first.map((m) => m.loss!)),
    lossLast = mean(last.map((m) => m.loss!));
  assert.ok(errLast < errFirst - 0.1, `training error ${errFirst.toFixed(3)} -> ${errLast.toFixed(3)}`);
  assert.ok(lossLast < lossFirst - 0.3, `loss ${lossFirst.toFixed(3)} -> ${lossLast.toFixed(3)}`);
  assert.ok(errFirst > 0.8, `an untrained net is near chance (${errFirst})`);

  // Gradient norms every 8 iterations, for every layer with weights.
  const grads = readGradients(out.runDir);
  assert.deepEqual(
    grads.map((g) => g.iteration),
    [1, 9, 17, 25, 33, 41, 49, 57],
  );
  const weighted = info.summary.layers.filter((l) => l.params > 0 && !/^bn|\/bn/.test(l.name)).map((l) => l.name);
  for (const g of grads) {
    for (const name of weighted)
      assert.ok(
        g.layers.some((l) => l.name === name),
        `${name} has a gradient norm`,
      );
    assert.ok(g.layers.every((l) => Number.isFinite(l.norm) && l.norm >= 0));
  }

  // checkpoints/latest is a tfjs layers model that loads as is.
  const dir = path.join(out.runDir, 'checkpoints', 'latest');
  const modelJson = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
    format: string;
    modelTopology: object;
    weightsManifest: tf.io.WeightsManifestConfig;
  };
  assert.equal(modelJson.format, 'layers-model');
  const weights = fs.readFileSync(path.join(dir, 'weights.bin'));
  assert.equal(weights.length, info.summary.totalParams * 4);
  const loaded = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest[0].weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
  assert.equal(loaded.countParams(), info.summary.totalParams);
  const viaCheckpoint = await loadCheckpoint(tf, out.runDir);
  assert.deepEqual(viaCheckpoint.state, {
    iteration: 64,
    epoch: 4,
    batchInEpoch: 0,
    bestTestError: Math.min(...eps.map((e) => e.testError!)),
    warmupDone: false,
  });
  assert.equal(viaCheckpoint.optimizer!.length, info.summary.trainableParams);
  const x = tf.randomUniform([3, 32, 32, 3], 0, 1, 'float32', 1);
  const p1 = (loaded.predict(x) as tf.Tensor).arraySync() as number[][];
  const p2 = (viaCheckpoint.model.predict(x) as tf.Tensor).arraySync() as number[][];
  assert.deepEqual(p1, p2);
  for (const row of p1) assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-5);
  assert.ok(fs.existsSync(path.join(out.runDir, 'checkpoints', 'best', 'model.json')));
  tf.dispose([x]);
  loaded.dispose();
  viaCheckpoint.model.dispose();
});

test('(b) no tensor leaks across epochs in the training loop (with validation and gradient norms)', async () => {
  await initWasm(tf);
  // One thread: the velocities live on this thread's backend (with workers they live in shared memory; parallel.test.ts).
  const {
    dataset,
    model,
    result,
    events,
    tensorsBefore: before,
    tensorsAtEpoch: atEpoch,
  } = await trainingRun({
    data: { trainSize: 64, testSize: 16, seed: 2, validationSplit: 0.25 },
    model: { initSeed: 1 },
    recipe: { epochs: 3, batchSize: 16, gradientNormEvery: 2 },
    runDir: { in: tmp, prefix: 'leak-' },
    loop: { workers: 1 },
  });
  assert.equal(dataset.validation!.count, 16);
  assert.deepEqual({ status: result.status, iteration: result.iteration }, { status: 'finished', iteration: 9 });
  assert.equal(atEpoch.length, 3);
  assert.deepEqual(atEpoch, [atEpoch[0], atEpoch[0], atEpoch[0]], `tensors after each epoch: ${atEpoch}`);
  // Weights plus one velocity per trainable variable (and the velocities' initial zeros, see the next test).
  assert.ok(atEpoch[0] >= before + model.trainableWeights.length);
  const epochEvents = events.filter((e) => e.type === 'epoch');
  assert.ok(
    epochEvents.every((e) => e.type === 'epoch' && typeof e.valError === 'number'),
    'validation error reported',
  );
  assert.equal(events.filter((e) => e.type === 'gradients').length, 5); // iterations 1, 3, 5, 7, 9
  assert.deepEqual(
    events
      .filter((e) => e.type === 'checkpoint')
      .map((e) => e.type === 'checkpoint' && e.kind)
      .filter((k) => k === 'latest').length,
    3,
  );
  model.dispose();
});

test('(b) a finished run, and a resumed one, free everything they made (the optimizer state included)', async () => {
  await initWasm(tf);
  const first = await trainingRun({
    data: { trainSize: 32, testSize: 16, seed: 2 },
    model: { initSeed: 1 },
    recipe: { epochs: 1, batchSize: 16 },
    runDir: { in: tmp, prefix: 'leak-end-' },
  });
  const { dataset, model, runDir } = first;
  const leakedByRun = tf.memory().numTensors - first.tensorsBefore;

  const checkpoint = await loadCheckpoint(tf, runDir);
  const resumed = await trainingRun({
    data: dataset,
    model: checkpoint.model,
    recipe: { epochs: 2, batchSize: 16 },
    runDir,
    loop: { resumeFrom: { state: checkpoint.state, optimizer: checkpoint.optimizer } },
  });
  const leakedByResume = tf.memory().numTensors - resumed.tensorsBefore;
  checkpoint.model.dispose();
  model.dispose();
  assert.deepEqual(
    { leakedByRun, leakedByResume },
    { leakedByRun: 0, leakedByResume: 0 },
    `${model.trainableWeights.length} trainable variables; tensors left behind by runTraining`,
  );
});

test('(c) stop with Ctrl-C (SIGINT to the CLI), then `resume`: the same curve as an uninterrupted run', async () => {
  const straight = await straightRun();
  const runsDir = path.join(tmp, 'sigint');
  let signalled = false;
  const stopped = await cli(
    ['train', fixture, 'resumable', '--json', '--runs-dir', runsDir, ...backendArgs],
    (child) => {
      const poll = setInterval(() => {
        const run = fs.existsSync(runsDir) ? fs.readdirSync(runsDir)[0] : undefined;
        if (!run) return;
        const done = iterations(readMetrics(path.join(runsDir, run))).length;
        if (done >= 3) {
          clearInterval(poll);
          signalled = child.kill('SIGINT');
        }
      }, 25);
      child.on('exit', () => clearInterval(poll));
    },
  );
  assert.ok(signalled, 'SIGINT was sent');
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.match(stopped.stderr, /stopping after this iteration/);
  const s = lastJson(stopped);
  assert.equal(s.status, 'stopped');
  assert.ok(s.iteration >= 3 && s.iteration < 16, `stopped at ${s.iteration}`);
  const info = readRunInfo(s.runDir);
  assert.equal(info.status, 'stopped');
  assert.equal(info.final!.iteration, s.iteration);
  const state = JSON.parse(
    fs.readFileSync(path.join(s.runDir, 'checkpoints', 'latest', 'state.json'), 'utf8'),
  ) as TrainState;
  assert.equal(state.iteration, s.iteration);
  assert.equal(iterations(readMetrics(s.runDir)).length, s.iteration);

  const resumed = await cli(['resume', s.runDir, '--json', ...backendArgs]);
  assert.equal(resumed.code, 0, resumed.stderr);
  const r = lastJson(resumed);
  assert.deepEqual(
    { runDir: r.runDir, status: r.status, iteration: r.iteration },
    { runDir: s.runDir, status: 'finished', iteration: 16 },
  );
  assert.equal(readRunInfo(s.runDir).status, 'finished');
  assertSameCurve(readMetrics(s.runDir), straight);
});

test('(c) stopped in-process mid-epoch (Control.stop after 5 iterations) and resumed: same curve, same epoch lines', async () => {
  const straight = await straightRun();
  const runsDir = path.join(tmp, 'inprocess');
  const control = new Control();
  const events: TrainerEvent[] = [];
  await session.train(
    { file: fixture, experiment: 'resumable', runsDir, backend: BACKEND, overrides: { graph: GRAPH } },
    control,
    (e) => {
      events.push(e);
      if (e.type === 'iteration' && e.iteration === 5) control.stop();
    },
  );
  const fin = events.at(-1)!;
  assert.ok(fin.type === 'finished', JSON.stringify(fin));
  assert.deepEqual({ status: fin.status, iteration: fin.iteration }, { status: 'stopped', iteration: 5 });
  const runDir = fin.runDir;
  const resumedEvents: TrainerEvent[] = [];
  await session.resume(runDir, BACKEND, undefined, new Control(), (e) => resumedEvents.push(e), GRAPH);
  const started = resumedEvents.find((e) => e.type === 'started');
  assert.ok(started?.type === 'started' && started.startIteration === 5);
  assert.deepEqual(
    resumedEvents.filter((e) => e.type === 'iteration').map((e) => e.type === 'iteration' && e.iteration),
    [6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
  );
  const end = resumedEvents.at(-1)!;
  assert.ok(end.type === 'finished' && end.status === 'finished' && end.iteration === 16, JSON.stringify(end));
  const metrics = readMetrics(runDir);
  assertSameCurve(metrics, straight);
  // The epoch the stop fell in must report the whole epoch's training loss and error, as the straight run does.
  const [e1] = epochs(metrics),
    [s1] = epochs(straight);
  assert.equal(
    e1.trainError,
    s1.trainError,
    `epoch 1 training error: ${e1.trainError} after resume vs ${s1.trainError} straight`,
  );
  assert.ok(
    Math.abs(e1.trainLoss! - s1.trainLoss!) < 1e-5,
    `epoch 1 training loss: ${e1.trainLoss} after resume vs ${s1.trainLoss} straight`,
  );
});

test('(d) a model whose output is NaN fails with kind "diverged" at iteration 1; run.json says diverged (cpu backend, via the CLI)', async () => {
  const r = await cli([
    'train',
    fixture,
    'producesNaN',
    '--json',
    '--runs-dir',
    path.join(tmp, 'nan-cpu'),
    '--backend',
    'cpu',
  ]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /error: diverged at iteration 1: the loss became NaN\. Lower the learning rate/);
  const runDir = /run folder: (.*)\n/.exec(r.stderr.slice(r.stderr.indexOf('error: ')))?.[1];
  assert.ok(runDir && fs.existsSync(runDir), r.stderr);
  const info = readRunInfo(runDir);
  assert.equal(info.status, 'diverged');
  assert.match(info.error!, /diverged at iteration 1/);
  assert.deepEqual(iterations(readMetrics(runDir)), []);
});

for (const workers of [1, 2]) {
  test(`(d) the same NaN model on the wasm backend with ${workers} worker(s): the trainer emits failed/diverged (protocol, dist/trainer.js)`, async () => {
    const events: TrainerEvent[] = [];
    const exited = new Promise<number | null>((resolve) => {
      const client = new TrainerClient(path.join(root, 'dist', 'trainer.js'), {
        onEvent: (e) => events.push(e),
        onExit: (x) => resolve(x.code),
      });
      client.send({
        type: 'train',
        job: {
          file: fixture,
          experiment: 'producesNaN',
          runsDir: path.join(tmp, `nan-wasm-${workers}`),
          backend: 'wasm',
          overrides: { workers },
        },
      });
    });
    assert.equal(await exited, 0);
    const last = events.at(-1)!;
    assert.equal(last.type, 'failed', `the run ended with ${JSON.stringify(last)}`);
    assert.ok(last.type === 'failed');
    assert.equal(last.kind, 'diverged');
    assert.equal(last.iteration, 1);
    assert.match(last.message, /^diverged at iteration 1: the loss became NaN/);
    assert.equal(readRunInfo(last.runDir!).status, 'diverged');
    // The workers rebuild the model from its topology: a NaN constant initializer (null in JSON) must not break them.
    assert.equal(
      events.some((e) => e.type === 'log' && /data-parallel: 2 wasm workers/.test(e.message)),
      workers === 2,
    );
  });
}

test('--warmup-lr: the run starts at the warm-up lr and records it in run.json', async () => {
  const r = await cli([
    'train',
    fixture,
    'learns',
    '--json',
    '--iterations',
    '4',
    '--warmup-lr',
    '0.003',
    '--runs-dir',
    path.join(tmp, 'warmup'),
    ...backendArgs,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const s = lastJson(r);
  // learns' error starts near 0.9, so a 4-iteration run never leaves the warm-up (its threshold is 80%).
  assert.deepEqual(
    iterations(readMetrics(s.runDir)).map((m) => m.lr),
    [0.003, 0.003, 0.003, 0.003],
  );
  assert.deepEqual(readRunInfo(s.runDir).recipe.schedule.warmup, {
    lr: 0.003,
    untilTrainError: 0.8,
    maxIterations: 400,
  });
});

test('(e) a compile error in the model file: exit code 1 and file:line:col on stderr', async () => {
  const file = path.join(tmp, 'broken-model.ts');
  fs.writeFileSync(
    file,
    [
      "import { experiment, resnetCifar } from 'resnet-lab';",
      '',
      'export const broken = experiment({',
      '  model: resnetCifar({ depth: 8 }),,',
      '});',
    ].join('\n'),
  );
  const at = `${file}:4:${'  model: resnetCifar({ depth: 8 }),'.length + 1}`; // the second comma
  const r = await cli(['train', file, 'broken', '--runs-dir', path.join(tmp, 'broken-runs'), '--backend', 'wasm']);
  assert.equal(r.code, 1);
  assert.ok(r.stderr.includes(at), r.stderr);
  assert.ok(r.stderr.includes(`error: ${at} Expected identifier but found ","`), r.stderr);
  assert.ok(
    !fs.existsSync(path.join(tmp, 'broken-runs')) || fs.readdirSync(path.join(tmp, 'broken-runs')).length === 0,
    'no run folder for a file that does not compile',
  );
  const s = await cli(['summary', file, 'broken', '--json']);
  assert.equal(s.code, 1);
  assert.ok(s.stderr.includes(at), s.stderr);
  assert.equal(s.stdout, '');
});

test('(f) summary --json and list for examples/paper-cifar.ts', async () => {
  const example = path.join(root, 'examples', 'paper-cifar.ts');
  const r = await cli(['summary', example, 'resnet20', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as {
    name: string;
    params: number;
    depth: number;
    shortcuts: number;
    totalParams: number;
    layers: { name: string }[];
  };
  assert.deepEqual(
    { name: s.name, params: s.params, depth: s.depth, shortcuts: s.shortcuts },
    { name: 'resnet20', params: 269_722, depth: 20, shortcuts: 9 },
  );
  assert.equal(s.totalParams, 269_722 + 2 * (16 * 7 + 32 * 6 + 64 * 6));
  assert.equal(s.layers[0].name, 'input');
  assert.deepEqual(s.layers.at(-1), { name: 'fc', className: 'Dense', outputShape: [null, 10], params: 650 });

  const list = await cli(['list', example]);
  assert.equal(list.code, 0);
  const names = list.stdout
    .trim()
    .split('\n')
    .map((l) => /:(\d+) {2}(\w+)$/.exec(l)!.slice(1));
  assert.deepEqual(
    names.map(([, n]) => n),
    ['plain20', 'plain56', 'resnet20', 'resnet56', 'resnet110', 'preactResnet20'],
  );
  const text = fs.readFileSync(example, 'utf8').split('\n');
  for (const [line, name] of names) assert.ok(text[Number(line) - 1].startsWith(`export const ${name} =`));
});
