// The fault table of issue 11, as seen from the command line: the real
// dist/cli.js with a time limit per call, so a hang fails its test instead of
// the suite. Every failure must be one line and a non-zero exit, never a
// stack trace (those go to a log file).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli, CliResult, REPO, STACK_FRAME } from './support/cli';

const fixture = path.join(REPO, 'test', 'fixtures', 'unit', 'fault-models.ts');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-faults-'));
const env = { ...process.env, RESNET_LAB_LOG_DIR: path.join(tmp, 'logs') };
const run = (args: string[], timeoutMs = 30_000) => cli(args, undefined, { timeoutMs, env });

before(() => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: REPO, stdio: 'inherit' });
});

/** Failed quickly, with exactly one "error: ..." line and no stack trace. */
function assertOneLineError(r: CliResult, pattern: RegExp): void {
  assert.equal(r.timedOut, false, `the CLI hung; stderr so far:\n${r.stderr}`);
  assert.notEqual(r.code, 0, 'exit code');
  assert.doesNotMatch(r.stderr, STACK_FRAME, 'no stack trace on stderr');
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
  assert.equal(errors.length, 1, `one error line:\n${r.stderr}`);
  assert.match(errors[0], pattern);
}

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
  assertOneLineError(r, /adam-model\.ts:5:\d+ optimizer type "adam" is not supported: ResNet Lab trains with SGD \+ momentum/);
});
