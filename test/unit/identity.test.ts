// The identity experiment (He et al. 2015, Sec. 3.1): the distances from I
// and 0 on hand-made kernels, the inputs every channel of which carries an
// image, the stored result's schema, and one seeded run of the shipped file
// (through the trainer's command, in-process) in which the residual stack's
// loss falls faster than the plain one's; then the CLI end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  blockDistance,
  identityKernel,
  identityKernelProblem,
  relativeDistance,
} from '../../src/core/experiments/identityDistance';
import { firstIterationBelow, summarizeIdentity } from '../../src/core/experiments/identitySummary';
import { identityBatch } from '../../src/core/experiments/identityTraining';
import { identityExperiment, resolveIdentityConfig } from '../../src/core/lib/identity';
import { identitySvg } from '../../src/core/report/identitySvg';
import { LIGHT_THEME } from '../../src/core/report/svg/primitives';
import { IDENTITY_JSON, readIdentityResult, writeIdentityResult } from '../../src/core/runs/identityFile';
import { RunFolderError } from '../../src/core/runs/runErrors';
import { IdentityResult, IdentityResultSchema } from '../../src/protocol/identity';
import { parseCommand, TrainerEvent } from '../../src/protocol/trainer';
import { identity } from '../../src/trainer/identity';
import { cli, REPO } from './support/cli';
import { tempDir } from '../support/tempDir';

const tmp = tempDir('identity');
const shipped = path.join(REPO, 'media', 'experiments', 'identity.ts');

test('the identity kernel is a 1 at the centre tap from each channel to itself', () => {
  const k = identityKernel([3, 3, 2, 2]);
  assert.equal(k.length, 36);
  // [kh, kw, in, out] row-major: the centre tap (1, 1) starts at (1 * 3 + 1) * 4 = 16.
  assert.deepEqual(
    [...k].map((v, i) => (v ? i : -1)).filter((i) => i >= 0),
    [16, 19],
  );
  assert.equal(identityKernelProblem([3, 3, 4, 4]), undefined);
  assert.match(identityKernelProblem([3, 3, 2, 4])!, /from 2 to 4 channels cannot be the identity/);
  assert.match(identityKernelProblem([2, 2, 3, 3])!, /2x2 kernel has no centre tap/);
  assert.throws(() => identityKernel([3, 3]), /4 dimensions/);
});

test('distances on hand-made kernels: I is 0 from I, zeros are 0 from 0, and each is √c from the other', () => {
  const shape = [3, 3, 4, 4];
  const eye = { shape, values: identityKernel(shape) };
  const zeros = { shape, values: new Float32Array(144) };
  assert.equal(blockDistance([eye], 'identity'), 0);
  assert.equal(blockDistance([zeros], 'zero'), 0);
  assert.equal(blockDistance([zeros], 'identity'), 2); // ‖I‖_F = √4
  assert.equal(blockDistance([eye], 'zero'), 2);
  // A block's kernels count together: two identity kernels are √(4 + 4) from 0.
  assert.equal(blockDistance([eye, eye], 'zero'), Math.sqrt(8));
  // One off-centre weight of 0.5 beside I: 0.5 from I.
  const nudged = Float32Array.from(eye.values);
  nudged[0] = 0.5;
  assert.equal(blockDistance([{ shape, values: nudged }], 'identity'), 0.5);
  assert.equal(relativeDistance(0.5, 2), 0.25);
  assert.equal(relativeDistance(0, 0), 0);
  assert.equal(relativeDistance(0.3, 0), 0.3); // started at its target (zeros): given as it is
});

test('an input of width c is c channels of images: channel j is colour j % 3 of image ⌊j / 3⌋', () => {
  // Three 2x2 "images" whose pixel p, colour ch is 100 * image + 10 * p + ch.
  const images = new Uint8Array(3 * 4 * 3);
  for (let im = 0; im < 3; im++)
    for (let p = 0; p < 4; p++) for (let ch = 0; ch < 3; ch++) images[im * 12 + p * 3 + ch] = 100 * im + 10 * p + ch;
  const split = { images, labels: new Uint8Array(3), count: 3 };
  // Width 4 takes two images per input: picks [2, 0] -> channels 0..2 from image 2, channel 3 from image 0.
  const x = identityBatch(split, [2, 0], 4, 2);
  assert.equal(x.length, 4 * 4);
  const at = (p: number, c: number) => Math.round(x[p * 4 + c] * 255);
  assert.deepEqual([at(0, 0), at(0, 1), at(0, 2), at(0, 3)], [200, 201, 202, 0]);
  assert.deepEqual([at(3, 0), at(3, 3)], [230, 30]);
});

test('the config: defaults, overrides win, and a bad value is one clear line', () => {
  const c = resolveIdentityConfig({ blocks: 3 }, { iterations: 40 });
  assert.deepEqual(c, { blocks: 3, width: 12, iterations: 40, batchSize: 16, lr: 0.01, seed: 1, recordEvery: 1 });
  assert.equal(resolveIdentityConfig({}).recordEvery, 3); // about 200 points in 500 iterations
  assert.throws(
    () => identityExperiment({ blocks: 0 }),
    /identity experiment: blocks must be a whole number from 1 to 64, got 0/,
  );
  assert.throws(() => identityExperiment({ lr: -1 }), /lr must be a positive number, got -1/);
  assert.throws(() => identityExperiment({ seed: 2 ** 40 }), /seed 1099511627776 is not a whole number/);
  assert.throws(
    () => identityExperiment({ plain: 'relu' as never }),
    /identityExperiment\(\{ plain \}\) must be a block function/,
  );
});

function result(records: IdentityResult['records']): IdentityResult {
  return {
    kind: 'resnet-lab/identity',
    file: '/x/identity.ts',
    experiment: 'identity',
    backend: 'cpu',
    config: { blocks: 2, width: 3, iterations: 20, batchSize: 4, lr: 0.01, seed: 1, recordEvery: 10 },
    blocks: ['block1', 'block2'],
    initialDistance: { plain: [3, 3], residual: [2, 2] },
    evalImages: 64,
    records,
    status: 'finished',
    seconds: 1.5,
    createdAt: '2026-12-04T00:00:00.000Z',
  };
}

const rec = (iteration: number, plainLoss: number, residualLoss: number) => ({
  iteration,
  plainLoss,
  residualLoss,
  plainDistance: [1, 1],
  residualDistance: [1 - iteration / 100, 1],
});

test('schema and storage: identity.json reads back; a damaged one is a RunFolderError naming the file', () => {
  const good = result([rec(0, 0.4, 1.0), rec(10, 0.3, 0.1), rec(20, 0.2, 0.05)]);
  const dir = path.join(tmp, 'stored');
  fs.mkdirSync(dir);
  writeIdentityResult(dir, good);
  assert.deepEqual(readIdentityResult(dir), good);

  const short = { ...good, records: [{ ...rec(0, 1, 1), plainDistance: [1] }] };
  assert.equal(IdentityResultSchema.safeParse(short).success, false);
  fs.writeFileSync(path.join(dir, IDENTITY_JSON), JSON.stringify(short));
  assert.throws(
    () => readIdentityResult(dir),
    (e: Error) =>
      e instanceof RunFolderError &&
      e.message.includes(path.join(dir, IDENTITY_JSON)) &&
      /records\.0: expected 2 distances per stack/.test(e.message),
  );
  fs.writeFileSync(path.join(dir, IDENTITY_JSON), '{"kind": "resnet-lab/identity", ');
  assert.throws(() => readIdentityResult(dir), /identity\.json is not valid JSON/);
  assert.throws(() => readIdentityResult(tmp), /has no identity\.json: it is not an identity experiment's run folder/);
  // A command a parent could send is validated too.
  assert.throws(() => parseCommand({ type: 'identity', file: 'f.ts', runsDir: 'r', overrides: { blocks: 0 } }));
});

test("the summary: final losses and the first iteration the residual stack reached the plain one's final loss", () => {
  const r = result([rec(0, 0.4, 1.0), rec(10, 0.3, 0.25), rec(20, 0.2, 0.05)]);
  const s = summarizeIdentity(r);
  assert.equal(s.plainLoss, 0.2);
  assert.equal(s.residualLoss, 0.05);
  assert.equal(s.residualReachesPlainFinal, 20);
  assert.equal(
    firstIterationBelow(r.records, (x) => x.residualLoss, 0.3),
    10,
  );
  assert.equal(
    firstIterationBelow(r.records, (x) => x.plainLoss, 0.1),
    null,
  );
  assert.deepEqual(s.residualDistance, [0.8, 1]);
  const svg = identitySvg(r);
  assert.equal((svg.match(/class="series identity-loss/g) ?? []).length, 2);
  assert.equal((svg.match(/class="series identity-distance plain"/g) ?? []).length, 2);
  assert.equal((svg.match(/class="series identity-distance residual"/g) ?? []).length, 2);
});

test("a seeded run of the shipped file: the residual stack's loss falls faster, and only its weights head for their target", async () => {
  const events: TrainerEvent[] = [];
  const runsDir = path.join(tmp, 'runs');
  await identity(
    {
      type: 'identity',
      file: shipped,
      runsDir,
      backend: 'auto',
      overrides: { blocks: 3, width: 6, iterations: 40, seed: 1 },
    },
    (e) => events.push(e),
    () => false,
  );
  const last = events[events.length - 1];
  assert.equal(last.type, 'identity', JSON.stringify(last).slice(0, 500));
  if (last.type !== 'identity') return;
  const r = readIdentityResult(last.runDir);
  assert.deepEqual(r, last.result);
  assert.deepEqual(r.blocks, ['block1', 'block2', 'block3']);
  assert.equal(r.records.length, 41); // iteration 0, then every iteration (recordEvery 1 for 40 iterations)
  const [start, end] = [r.records[0], r.records[40]];
  // Both start from the same weights: at iteration 0 every distance is exactly 1.
  assert.deepEqual([...start.plainDistance, ...start.residualDistance], [1, 1, 1, 1, 1, 1]);
  // Measured (seed 1, tensorflow and cpu backends alike): plain 0.349 -> 0.104, residual 0.585 -> 0.034.
  assert.ok(Math.abs(start.plainLoss - 0.349) < 0.005, `plain starts at ${start.plainLoss}`);
  assert.ok(Math.abs(start.residualLoss - 0.585) < 0.005, `residual starts at ${start.residualLoss}`);
  assert.ok(
    end.residualLoss < 0.045 && end.plainLoss > 0.09,
    `end: plain ${end.plainLoss}, residual ${end.residualLoss}`,
  );
  // Faster: the residual stack gets below the plain stack's final loss in about a third of the run.
  const s = summarizeIdentity(r);
  assert.ok(
    s.residualReachesPlainFinal !== null && s.residualReachesPlainFinal <= 20,
    `${s.residualReachesPlainFinal}`,
  );
  assert.ok(r.records[10].residualLoss < r.records[10].plainLoss / 2);
  // The residual blocks' weights move toward 0 (block1 the most); the plain ones do not get closer to I.
  assert.ok(end.residualDistance[0] < 0.96, `residual block1 at ${end.residualDistance[0]}`);
  assert.ok(end.residualDistance.every((d) => d < 1));
  assert.ok(
    end.plainDistance.every((d) => d > 0.99),
    `plain at ${end.plainDistance}`,
  );
  assert.ok(events.some((e) => e.type === 'identity-progress'));
});

test('CLI: `resnet-lab identity` prints both losses and the per-block distances, and writes identity.json and the figure', async () => {
  const out = path.join(tmp, 'figure.svg');
  const r = await cli(
    [
      'identity',
      '--blocks',
      '2',
      '--width',
      '3',
      '--iterations',
      '10',
      '--runs-dir',
      path.join(tmp, 'cli-runs'),
      '--out',
      out,
      '--json',
    ],
    undefined,
    { timeoutMs: 120_000 },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /2 blocks of width 3, 10 iterations of batch 16 at lr 0\.01, seed 1/);
  assert.match(r.stdout, /^plain +\d\.\d{4} → \d\.\d{4}$/m);
  assert.match(r.stdout, /^residual +\d\.\d{4} → \d\.\d{4}$/m);
  assert.match(r.stdout, /^block2 +\d\.\d{3} +\d\.\d{3}$/m);
  const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as { runDir: string; figure: string };
  assert.equal(readIdentityResult(summary.runDir).records.length, 11);
  for (const f of [summary.figure, out]) assert.match(fs.readFileSync(f, 'utf8'), /^<svg [^>]*class="chart identity"/);
});

test('CLI: a bad flag or a file without an identity experiment is one line, no stack', async () => {
  const zero = await cli(['identity', '--blocks', '0']);
  assert.equal(zero.code, 1);
  assert.match(zero.stderr, /--blocks <k>' argument '0' is invalid\. expected a positive whole number/);
  const other = path.join(tmp, 'no-identity.ts');
  fs.writeFileSync(
    other,
    "import { experiment, resnetCifar } from 'resnet-lab';\nexport const r = experiment({ model: resnetCifar({ depth: 8 }) });\n",
  );
  const none = await cli(['identity', other, '--runs-dir', path.join(tmp, 'none-runs')], undefined, {
    timeoutMs: 120_000,
  });
  assert.equal(none.code, 1);
  assert.match(
    none.stderr,
    /^error: .*no-identity\.ts: exports no identity experiment: export const identity = identityExperiment/m,
  );
  assert.doesNotMatch(none.stderr, /^\s+at /m);
  assert.ok(!fs.existsSync(path.join(tmp, 'none-runs')), 'no run folder for a run that never started');
});

test('a file of your own: the export named, blocks of your own measured, a stop keeps the result so far', async () => {
  const file = path.join(tmp, 'mine.ts');
  fs.writeFileSync(
    file,
    [
      "import { add, conv3x3, identityExperiment, relu } from 'resnet-lab';",
      '// Two convs per block: both kernels count in the distance.',
      'const F = (x: any, name: string) => conv3x3(relu(conv3x3(relu(x, `${name}/r1`), `${name}/c1`), `${name}/r2`), `${name}/c2`);',
      'export const two = identityExperiment({ blocks: 2, width: 3, iterations: 30, plain: F, residual: (x, n) => add([x, F(x, n)], `${n}/add`) });',
      'export const other = identityExperiment({ blocks: 1 });',
      '',
    ].join('\n'),
  );
  const events: TrainerEvent[] = [];
  let steps = 0;
  await identity(
    { type: 'identity', file, experiment: 'two', runsDir: path.join(tmp, 'mine-runs'), backend: 'auto', overrides: {} },
    (e) => events.push(e),
    () => ++steps > 10, // asked before each iteration: stops after 10
  );
  const last = events[events.length - 1];
  assert.equal(last.type, 'identity', JSON.stringify(last).slice(0, 500));
  if (last.type !== 'identity') return;
  assert.equal(last.result.status, 'stopped');
  assert.equal(last.result.experiment, 'two');
  assert.match(path.basename(last.runDir), /-identity-two$/);
  assert.deepEqual(
    last.result.records.map((r) => r.iteration),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  // Two 3x3x3x3 kernels per block, both counted: 162 weights of std 0.5·√(2/27) give ‖W0‖ ≈ √3 from 0,
  // and ‖W0 − I‖ ≈ √(3 + 2·3) = 3 from I (each identity kernel adds ‖I‖² = 3).
  const { plain, residual } = last.result.initialDistance;
  assert.ok(
    residual.every((d) => d > 1.3 && d < 2.2),
    `from 0: ${residual}`,
  );
  assert.ok(
    plain.every((d) => d > 2.5 && d < 3.5),
    `from I: ${plain}`,
  );

  // Without a name, a file with two identity experiments is refused in one line.
  const refused: TrainerEvent[] = [];
  await identity(
    { type: 'identity', file, runsDir: path.join(tmp, 'mine-runs'), backend: 'auto', overrides: {} },
    (e) => refused.push(e),
    () => false,
  );
  const failed = refused[refused.length - 1];
  assert.equal(failed.type, 'failed');
  if (failed.type === 'failed')
    assert.match(failed.message, /exports 2 identity experiments \(other, two\): name one with --experiment/);
});

test('a learning rate too large: the stack that diverged is named, with the iteration, and no NaN is stored', async () => {
  const events: TrainerEvent[] = [];
  await identity(
    {
      type: 'identity',
      file: shipped,
      runsDir: path.join(tmp, 'diverged-runs'),
      backend: 'auto',
      overrides: { blocks: 2, width: 3, iterations: 30, lr: 5 },
    },
    (e) => events.push(e),
    () => false,
  );
  const last = events[events.length - 1];
  assert.equal(last.type, 'failed');
  if (last.type !== 'failed') return;
  assert.equal(last.kind, 'diverged');
  assert.match(
    last.message,
    /^the (plain|residual) stack diverged at iteration \d+: the loss became (NaN|Infinity)\. Lower the learning rate/,
  );
  assert.ok(last.runDir && !fs.existsSync(path.join(last.runDir, IDENTITY_JSON)));
});

test('a block that changes the width cannot be the identity: refused, naming the stack', async () => {
  const file = path.join(tmp, 'wide.ts');
  fs.writeFileSync(
    file,
    [
      "import * as tf from '@tensorflow/tfjs';",
      "import { identityExperiment } from 'resnet-lab';",
      'const wide = (x: tf.SymbolicTensor, name: string) =>',
      "  tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', name: `${name}/conv` }).apply(x) as tf.SymbolicTensor;",
      'export const identity = identityExperiment({ blocks: 1, width: 3, iterations: 5, plain: wide, residual: wide });',
      '',
    ].join('\n'),
  );
  const events: TrainerEvent[] = [];
  await identity(
    { type: 'identity', file, runsDir: path.join(tmp, 'wide-runs'), backend: 'auto', overrides: {} },
    (e) => events.push(e),
    () => false,
  );
  const last = events[events.length - 1];
  assert.equal(last.type, 'failed');
  if (last.type === 'failed')
    assert.match(
      last.message,
      /the plain stack's output is \[32, 32, 6\]; to give back its input it must be \[32, 32, 3\]/,
    );
});

test('no block is drawn in a loss colour, even with more blocks than the palette has colours (the editor has six)', () => {
  const six = { ...LIGHT_THEME, series: LIGHT_THEME.series.slice(0, 6) };
  const blocks = Array.from({ length: 9 }, (_, i) => `block${i + 1}`);
  const r: IdentityResult = {
    ...result([rec(0, 0.4, 1.0), rec(10, 0.3, 0.1)]),
    blocks,
    initialDistance: { plain: blocks.map(() => 3), residual: blocks.map(() => 2) },
  };
  r.records = r.records.map((d) => ({
    ...d,
    plainDistance: blocks.map(() => 1),
    residualDistance: blocks.map(() => 0.5),
  }));
  const svg = identitySvg(r, { theme: six });
  const strokes = (cls: string) =>
    [
      ...svg.matchAll(
        new RegExp(`<path[^>]*class="series ${cls}"[^>]*>|<path[^>]*stroke="([^"]+)"[^>]*class="series ${cls}"`, 'g'),
      ),
    ].map((m) => /stroke="([^"]+)"/.exec(m[0])![1]);
  const losses = new Set(strokes('identity-loss (?:plain|residual)'));
  assert.equal(losses.size, 2, 'plain and residual losses in two colours');
  const blockColours = strokes('identity-distance plain');
  assert.equal(blockColours.length, 9);
  for (const c of blockColours) assert.ok(!losses.has(c), `block colour ${c} is not a loss colour`);
  // Blocks 1-4 take the four colours left; block 5 starts round them again.
  assert.deepEqual(blockColours.slice(0, 5), [...six.series.slice(2, 6), six.series[2]]);
});
