// The fault table of issue 11, as seen from the command line: the real
// dist/cli.js with a time limit per call, so a hang fails its test instead of
// the suite. Every failure must be one line and a non-zero exit, never a
// stack trace (those go to a log file).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TrainerCommand, TrainerEvent } from '../../src/protocol/trainer';
import { TrainerClient } from '../../src/launch/trainerClient';
import { cli, lastJson, REPO, STACK_FRAME } from './support/cli';
import { assertGone, assertOneLineError, childOf, env, fixture, run, tmp } from './support/faults';

before(() => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: REPO, stdio: 'inherit' });
});

for (const [args, pattern] of [
  [['train', fixture, 'resnet1202', '--backend', 'gpu'], /--backend.*'gpu'.*auto, tensorflow, wasm, cpu/],
  [['train', fixture, 'resnet1202', '--seed', 'abc'], /--seed.*'abc'.*whole number/],
  [['train', fixture, 'resnet1202', '--seed', '1.5'], /--seed.*'1\.5'.*whole number/],
  [['resume', tmp, '--backend', 'gpu'], /--backend.*'gpu'.*auto, tensorflow, wasm, cpu/],
  [['train', fixture, 'resnet1202', '--data', 'foo'], /--data.*'foo'.*synthetic, cifar10, mnist, fashion-mnist/],
  [['summary', fixture, 'resnet1202', '--data', 'foo'], /--data.*'foo'.*synthetic, cifar10, mnist, fashion-mnist/],
  [['train', fixture, 'resnet1202', '--epochs', '0'], /--epochs.*'0'.*positive whole number/],
  [['train', fixture, 'resnet1202', '--lr', 'fast'], /--lr.*'fast'.*positive number/],
  [['lesion', tmp, '--checkpoint', 'newest'], /--checkpoint.*'newest'.*latest, best/],
  [['degradation', '--budget', 'huge'], /--budget.*'huge'.*quick, cifar10/],
] as [string[], RegExp][]) {
  test(`bad input is refused in one line before a trainer starts: ${args.slice(3).join(' ') || args.join(' ')}`, async () => {
    const started = Date.now();
    const r = await run(args, 10_000);
    assertOneLineError(r, pattern);
    // No trainer process was started: that alone takes seconds (tfjs loads).
    assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
  });
}

test('resume of a folder that is not a run is one line naming run.json', async () => {
  const r = await run(['resume', path.join(tmp, 'nothing-here')]);
  assertOneLineError(r, /nothing-here.*run\.json/);
});

test('optimizer: { type: "adam" } is refused at its line, in one line', async () => {
  const adamFile = path.join(REPO, 'test', 'fixtures', 'unit', 'adam-model.ts');
  const r = await run(['summary', adamFile, 'adam']);
  assertOneLineError(
    r,
    /adam-model\.ts:5:\d+ optimizer type "adam" is not supported: ResNet Lab trains with SGD \+ momentum/,
  );
});

for (const command of ['summary', 'train']) {
  test(`${command}: a model function that never returns fails at its line after --build-timeout, trainer killed`, async () => {
    let trainer = 0;
    const r = await cli(
      [
        command,
        fixture,
        'hangs',
        '--build-timeout',
        '2',
        ...(command === 'train' ? ['--runs-dir', path.join(tmp, 'runs')] : []),
      ],
      (child) => void childOf(child.pid!).then((pid) => (trainer = pid)),
      { timeoutMs: 30_000, env },
    );
    assertOneLineError(r, /fault-models\.ts:9:1 building hangs did not finish in 2 s/);
    assert.ok(trainer > 0);
    await assertGone(trainer, 2_000, 'after the time limit');
  });
}

for (const signal of ['SIGINT', 'SIGKILL'] as const) {
  test(`a trainer stuck in a model function is not orphaned when the CLI gets ${signal}`, async () => {
    let trainer = 0;
    const r = await cli(
      ['train', fixture, 'hangs', '--runs-dir', path.join(tmp, 'runs')],
      (child) => {
        void childOf(child.pid!).then(async (pid) => {
          trainer = pid;
          await sleep(4_000); // tfjs loaded, the model function spinning
          child.kill(signal);
        });
      },
      { timeoutMs: 30_000, env },
    );
    assert.equal(r.timedOut, false);
    assert.ok(trainer > 0);
    await assertGone(trainer, 5_000, `after ${signal} to the CLI`);
    assert.doesNotMatch(r.stderr, STACK_FRAME);
  });
}

test("the paper's ResNet-1202 summarises: 1202 layers, 600 shortcuts, 19.4M parameters, the whole graph delivered", async () => {
  const r = await run(['summary', fixture, 'resnet1202', '--json'], 60_000);
  assert.equal(r.code, 0, r.stderr);
  const s = lastJson<{ depth: number; shortcuts: number; params: number; layers: unknown[] }>(r);
  assert.deepEqual(
    { depth: s.depth, shortcuts: s.shortcuts, params: s.params },
    { depth: 1202, shortcuts: 600, params: 19_421_274 },
  );
  assert.ok(s.layers.length > 3600, `${s.layers.length} layers listed`);
});

test('a model too large for memory: "out of memory building layer X (N parameters, ~M GB)" at its line', async () => {
  const r = await run(['summary', fixture, 'tooLarge']);
  assertOneLineError(
    r,
    /fault-models\.ts:14:\d+ out of memory building layer "huge_dense" \(3,072,000,000,000 parameters, ~12,288 GB/,
  );
});

test('a command the trainer cannot read is answered with "failed" and an exit, not ignored while the parent waits', async () => {
  const events: TrainerEvent[] = [];
  const exit = await new Promise<number | null>((resolve) => {
    const client = new TrainerClient(path.join(REPO, 'dist', 'trainer.js'), {
      onEvent: (e) => events.push(e),
      onExit: (x) => resolve(x.code),
    });
    const timer = setTimeout(() => client.kill(), 20_000);
    void client.exited.then(() => clearTimeout(timer));
    client.send({
      type: 'train',
      job: { file: fixture, experiment: 'quick', runsDir: tmp, backend: 'gpu' },
    } as unknown as TrainerCommand);
  });
  assert.equal(exit, 0, 'exited by itself');
  const failed = events.find((e) => e.type === 'failed');
  assert.ok(failed?.type === 'failed');
  assert.match(
    failed.message,
    /^invalid command from the parent process: job\.backend: Invalid enum value\. Expected 'auto' \| 'tensorflow' \| 'wasm' \| 'cpu', received 'gpu'$/,
  );
});
