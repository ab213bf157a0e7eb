// The second fault table (issue 24): a run folder is data, never code; nothing
// outside it is touched; every seed reproduces. Each test names its row of the
// issue's table; the CLI ones run the real dist/cli.js under a time limit.
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
import { lrChanges } from '../../src/core/report/htmlReport';
import { loadRun } from '../../src/core/runs/runData';
import { readRunInfo } from '../../src/core/runs/runFolder';
import type { TrainerEvent } from '../../src/protocol/trainer';
import { TrainerClient } from '../../src/trainer/client';
import { cli, REPO, STACK_FRAME } from './support/cli';
import { assertOneLineError, env, fixture, lastJson, run, tmp } from './support/faults';

const models = path.join(REPO, 'test', 'fixtures', 'unit', 'second-fault-models.ts');
const runsDir = path.join(tmp, 'second-runs');
const train = (experiment: string, args: string[] = [], timeoutMs = 60_000) =>
  run(['train', models, experiment, '--runs-dir', runsDir, '--backend', 'wasm', '--workers', '1', ...args], timeoutMs);

/** The run folders `train` made so far. */
const runFolders = () => (fs.existsSync(runsDir) ? fs.readdirSync(runsDir) : []);

before(() => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: REPO, stdio: 'inherit' });
});

/** A finished run of fault-models.ts' `quick` (16 iterations, latest and best checkpoints), copied to `name`. */
let finished: string | undefined;
async function finishedRun(name: string): Promise<string> {
  if (!finished) {
    const r = await run(
      ['train', fixture, 'quick', '--json', '--runs-dir', runsDir, '--backend', 'wasm', '--workers', '1'],
      60_000,
    );
    assert.equal(r.code, 0, r.stderr);
    finished = lastJson(r).runDir;
  }
  const dir = path.join(tmp, 'second-copies', name);
  fs.cpSync(finished, dir, { recursive: true });
  return dir;
}

/** Every file under `dir` with its bytes, to see that nothing there changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    const p = path.join(dir, f);
    out[f] = fs.statSync(p).isDirectory() ? 'dir' : fs.readFileSync(p).toString('base64');
  }
  return out;
}

for (const [what, link] of [
  ['checkpoints/', 'checkpoints'],
  ['metrics.jsonl', 'metrics.jsonl'],
] as const) {
  test(`row 1: ${what} a symbolic link out of the run: resume refuses in one line, the link's target untouched`, async () => {
    const dir = await finishedRun(`symlink-${link}`);
    // Eight iterations more to train, so that a resume writes checkpoints and records.
    const info = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'));
    Object.assign(info, { status: 'stopped', totalIterations: 24, epochs: 3 });
    info.recipe.iterations = 24;
    fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify(info));
    const outside = path.join(tmp, 'second-outside', link);
    fs.mkdirSync(path.dirname(outside), { recursive: true });
    fs.renameSync(path.join(dir, link), outside);
    fs.symlinkSync(outside, path.join(dir, link));
    const before = fs.statSync(outside).isDirectory() ? snapshot(outside) : fs.readFileSync(outside, 'utf8');
    const r = await run(['resume', dir, '--backend', 'wasm'], 60_000);
    assertOneLineError(r, new RegExp(`${link} in .* is a symbolic link to ${outside}, outside the run folder`));
    assert.deepEqual(fs.statSync(outside).isDirectory() ? snapshot(outside) : fs.readFileSync(outside, 'utf8'), before);
    assert.equal(fs.existsSync(path.join(dir, 'trainer.lock')), false, 'nothing written in the run either');
  });
}

for (const analysis of ['lesion', 'responses']) {
  test(`row 2: ${analysis} of a run folder from elsewhere naming a .ts file: not run; says what code it would need`, async () => {
    const dir = await finishedRun(`foreign-${analysis}`);
    // A folder from elsewhere: its checkpoints hold a layer class only its "model file" could define.
    const marker = path.join(tmp, `ran-${analysis}`);
    const notes = path.join(tmp, 'elsewhere', `notes-${analysis}.ts`);
    fs.mkdirSync(path.dirname(notes), { recursive: true });
    fs.writeFileSync(notes, `import * as fs from 'node:fs';\nfs.writeFileSync(${JSON.stringify(marker)}, 'ran');\n`);
    const info = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ ...info, file: notes }));
    for (const kind of ['latest', 'best']) {
      const file = path.join(dir, 'checkpoints', kind, 'model.json');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"class_name":"Conv2D"', '"class_name":"Mystery"'));
    }
    const r = await run([analysis, dir, '--backend', 'wasm', '--examples', '8'], 60_000);
    assertOneLineError(
      r,
      new RegExp(`it would need to run ${notes}, and it is not inside ${REPO}: a run folder is data`),
    );
    assert.equal(fs.existsSync(marker), false, 'the file named by run.json was not run');
  });
}

test('row 11: metrics.jsonl out of order, with NaN/Infinity literals and a torn line: sorted, read, the skipped line counted and said', async () => {
  const dir = await finishedRun('jumbled-metrics');
  const file = path.join(dir, 'metrics.jsonl');
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  const expected = lrChanges(lines.map((l) => JSON.parse(l)));
  // Python's json writes NaN and Infinity bare; a killed writer leaves half a line.
  const nan = lines[2]
    .replace(/"loss":[^,]+/, '"loss":NaN')
    .replace(/"imagesPerSec":[^,}]+/, '"imagesPerSec":Infinity');
  const jumbled = [...lines.slice(3).reverse(), nan, lines[1], lines[0], '{"type":"iteration","iter'];
  fs.writeFileSync(file, jumbled.join('\n') + '\n');

  const r = await run(['export-csv', dir, '--out', path.join(dir, 'csv')], 10_000);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /note: metrics\.jsonl of .*: 1 line could not be read \(torn or not a record\) and was skipped/,
  );
  const rows = fs
    .readFileSync(path.join(dir, 'csv', 'metrics.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  assert.equal(rows.length, lines.length, 'every whole record, the NaN one too');
  const iterations = rows.map((row) => Number(row.split(',')[0]));
  assert.deepEqual(
    iterations,
    [...iterations].sort((a, b) => a - b),
    'in iteration order',
  );
  const report = await run(['report', dir], 10_000);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stderr, /1 line could not be read/);
  assert.equal(lrChanges(loadRun(dir).metrics), expected, "the report's learning-rate line");
});

/**
 * A CLI whose file system is full under $FULL_DIR (a write stores a little,
 * then fails with ENOSPC and no path, as write(2) does) and read-only under
 * $READ_ONLY_DIR (mkdir fails with EROFS): preloaded with --require.
 */
function brokenDiskCli(args: string[], dirs: { full?: string; readOnly?: string }) {
  const preload = path.join(tmp, 'broken-disk.js');
  fs.writeFileSync(
    preload,
    `const fs = require('fs');
const full = process.env.FULL_DIR, readOnly = process.env.READ_ONLY_DIR;
const write = fs.writeFileSync, mkdir = fs.mkdirSync;
fs.writeFileSync = function (file, data, ...rest) {
  if (full && typeof file === 'string' && file.startsWith(full)) {
    write.call(fs, file, String(data).slice(0, 10), ...rest);
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
  }
  return write.call(fs, file, data, ...rest);
};
fs.mkdirSync = function (dir, ...rest) {
  if (readOnly && String(dir).startsWith(readOnly))
    throw Object.assign(new Error("EROFS: read-only file system, mkdir '" + dir + "'"), { code: 'EROFS', errno: -30, syscall: 'mkdir', path: String(dir) });
  return mkdir.call(fs, dir, ...rest);
};\n`,
  );
  return cli(args, undefined, {
    timeoutMs: 20_000,
    env: {
      ...env,
      NODE_OPTIONS: `--require ${preload}`,
      FULL_DIR: dirs.full ?? '',
      READ_ONLY_DIR: dirs.readOnly ?? '',
    },
  });
}

test('row 12: a full disk during report / plot / export-csv: one line naming the file and the cause, nothing half-written', async () => {
  const dir = await finishedRun('full-disk');
  const out = path.join(tmp, 'full-disk-out');
  fs.mkdirSync(out, { recursive: true });
  for (const [args, file] of [
    [['report', dir], path.join(dir, 'report.html')],
    [['report', dir, '--out', path.join(out, 'r.html')], path.join(out, 'r.html')],
    [['plot', 'curves', dir], path.join(dir, 'curves.svg')],
    [['export-csv', dir, '--out', out], path.join(out, 'metrics.csv')],
  ] as [string[], string][]) {
    const r = await brokenDiskCli(args, { full: path.dirname(file) });
    assertOneLineError(r, new RegExp(`^error: cannot write ${file}: no space left on device$`));
    assert.deepEqual(
      fs.readdirSync(path.dirname(file)).filter((f) => f.startsWith(path.basename(file))),
      [],
      `${args[0]}: no half-written ${file}`,
    );
  }
});

test('row 12: an export to a read-only folder: one line naming the folder and the cause', async () => {
  const dir = await finishedRun('read-only');
  const ro = path.join(tmp, 'read-only');
  const r = await brokenDiskCli(['export-csv', dir, '--out', path.join(ro, 'csv')], { readOnly: ro });
  assertOneLineError(r, new RegExp(`^error: cannot create folder ${path.join(ro, 'csv')}: read-only file system$`));
  const plot = await brokenDiskCli(['plot', 'loss', dir, '--out', path.join(ro, 'svg', 'loss.svg')], { readOnly: ro });
  assertOneLineError(plot, new RegExp(`^error: cannot create folder ${path.join(ro, 'svg')}: read-only file system$`));
});

test('row 17: under an address-space limit (ulimit -v) the compiler says it ran out of memory compiling the file, and the limit', async () => {
  const limitKb = 4_000_000;
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }>((resolve) => {
    const child = spawn(
      'bash',
      [
        '-c',
        `ulimit -v ${limitKb} && exec "$0" "$@"`,
        process.execPath,
        path.join(REPO, 'dist', 'cli.js'),
        'summary',
        fixture,
        'quick',
      ],
      { cwd: REPO, env },
    );
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
  assertOneLineError(
    r,
    new RegExp(
      `^error: out of memory compiling ${fixture}: .*address-space limit of 4\\.1 GB \\(ulimit -v ${limitKb}\\); raise the limit`,
    ),
  );
  assert.doesNotMatch(r.stderr, /details:/, 'nothing more to tell: no log');
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
  // An epoch record whose test loss was NaN, as JSON carries it (null).
  const epoch = {
    type: 'epoch',
    iteration: 4,
    epoch: 1,
    trainLoss: 2.3,
    trainError: 0.9,
    testLoss: null,
    testError: 0.9,
    seconds: 1,
  };
  const script = path.join(tmp, 'sends-null.js');
  fs.writeFileSync(
    script,
    `process.on('message', () => process.send(${JSON.stringify(epoch)}, undefined, {}, () => process.disconnect()));\n`,
  );
  const seen: TrainerEvent[] = [];
  const client = new TrainerClient(script, { onEvent: (e) => seen.push(e) });
  client.send({ type: 'stop' });
  await client.exited;
  assert.deepEqual(seen, [
    {
      type: 'log',
      level: 'warn',
      message:
        'a message from the trainer could not be read and was dropped (epoch; testLoss: Expected number, received null)',
    },
  ]);
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

for (const [experiment, message, line] of [
  ['timerThrows', 'the timer of the model file failed', 33],
  ['promiseRejects', 'a promise nobody awaited', 41],
] as const) {
  test(`row 13: ${experiment} while training: the user's message at file:line, run failed with a checkpoint`, async () => {
    const r = await train(experiment, ['--json']);
    assertOneLineError(r, new RegExp(`second-fault-models\\.ts:${line}:\\d+ .*${message}`));
    const dir = r.stderr.match(/run folder: (.*)/)![1];
    const info = readRunInfo(dir);
    assert.equal(info.status, 'failed');
    assert.match(info.error ?? '', new RegExp(message));
    assert.ok(fs.existsSync(path.join(dir, 'checkpoints', 'latest', 'state.json')), 'a checkpoint');
  });
}

test('row 14: build() rejecting asynchronously: the user error and its line', async () => {
  const r = await run(['summary', models, 'rejects'], 30_000);
  assertOneLineError(r, /second-fault-models\.ts:49:\d+ the weights server is down/);
  assertOneLineError(await train('rejects'), /second-fault-models\.ts:49:\d+ the weights server is down/);
});

test('row 15: an output of shape [N, 32, 32, 10] is refused before a run folder exists, naming the layer', async () => {
  const before = runFolders().length;
  const r = await train('pixelOutput');
  assertOneLineError(r, /layer "per_pixel".*\[batch, 32, 32, 10\].*one score per class: \[batch, 10\]/);
  assert.equal(runFolders().length, before, 'no run folder');
  assert.doesNotMatch(r.stderr, STACK_FRAME);
});
