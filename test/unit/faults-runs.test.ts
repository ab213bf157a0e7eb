// The fault table of issue 11 for run folders, through the real CLI: a
// damaged run.json or checkpoint, a resume of a run still training, a parent
// killed mid-training, a model file changed under a run.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TrainState } from '../../src/core/runs/checkpoint';
import type { MetricRecord, RunInfo } from '../../src/core/runs/runFolder';
import { cli, REPO, STACK_FRAME } from './support/cli';
import { assertGone, assertOneLineError, childOf, env, fixture, lastJson, run, tmp, until } from './support/faults';

let finished = '';

before(async () => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: REPO, stdio: 'inherit' });
  const r = await run(
    ['train', fixture, 'quick', '--json', '--runs-dir', path.join(tmp, 'runs'), '--backend', 'wasm', '--workers', '1'],
    60_000,
  );
  assert.equal(r.code, 0, r.stderr);
  finished = lastJson(r).runDir;
});

/** A copy of the finished run, to damage. */
function copyOfRun(name: string): string {
  const dir = path.join(tmp, 'copies', name);
  fs.cpSync(finished, dir, { recursive: true });
  return dir;
}

for (const [name, damage, pattern] of [
  [
    'truncated',
    (t: string) => t.slice(0, t.length / 2),
    /run\.json is damaged \(.*JSON.*\): the run cannot be opened or resumed; train it again/,
  ],
  ['empty', () => '', /run\.json is empty: the run cannot be opened or resumed; train it again/],
  [
    'invalid',
    (t: string) => t.replace('"status": "finished"', '"status": "bogus"'),
    /run\.json is not a valid run record \(status: Invalid enum value.*\): .*train it again/,
  ],
] as [string, (t: string) => string, RegExp][]) {
  test(`a ${name} run.json: resume and report fail in one line naming the file and what to do`, async () => {
    const dir = copyOfRun(`runjson-${name}`);
    const file = path.join(dir, 'run.json');
    fs.writeFileSync(file, damage(fs.readFileSync(file, 'utf8')));
    assertOneLineError(await run(['resume', dir]), pattern);
    const report = await run(['report', dir]);
    assertOneLineError(report, pattern);
    assert.equal(fs.existsSync(path.join(dir, 'report.html')), false, 'no report written');
  });
}

test('a missing latest/weights.bin: resume says so and continues from the previous good checkpoint', async () => {
  const dir = copyOfRun('no-weights');
  fs.rmSync(path.join(dir, 'checkpoints', 'latest', 'weights.bin'));
  const best = (JSON.parse(fs.readFileSync(path.join(dir, 'checkpoints', 'best', 'state.json'), 'utf8')) as TrainState)
    .iteration;
  const r = await run(['resume', dir, '--json'], 60_000);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /skipped a damaged checkpoint: .*checkpoints\/latest\/weights\.bin is missing/);
  assert.match(r.stderr, new RegExp(`resuming from checkpoints/best at iteration ${best} \\(no optimizer state there`));
  assert.deepEqual(
    { status: lastJson(r).status, iteration: lastJson(r).iteration },
    { status: 'finished', iteration: 16 },
  );
});

test('no checkpoint loads: one line naming each damaged file', async () => {
  const dir = copyOfRun('no-checkpoint');
  fs.rmSync(path.join(dir, 'checkpoints', 'latest', 'weights.bin'));
  fs.writeFileSync(path.join(dir, 'checkpoints', 'best', 'weights.bin'), 'short');
  assertOneLineError(
    await run(['resume', dir]),
    /no usable checkpoint in .*: .*latest\/weights\.bin is missing; .*best\/weights\.bin is damaged: 5 bytes where model\.json needs \d+; train it again/,
  );
});

test('resume after the model file changed its architecture: resumes the checkpoint, says what the file builds now', async () => {
  const file = path.join(tmp, 'changing.ts');
  const source = (widths: string) => `import { experiment, resnetCifar, synthetic } from 'resnet-lab';
export const net = experiment({ model: resnetCifar({ depth: 8, widths: ${widths} }), data: synthetic({ trainSize: 64, testSize: 16 }), iterations: 8, batchSize: 16 });
`;
  fs.writeFileSync(file, source('[4, 8, 8]'));
  const first = await run(
    ['train', file, 'net', '--json', '--runs-dir', path.join(tmp, 'runs'), '--workers', '1'],
    60_000,
  );
  assert.equal(first.code, 0, first.stderr);
  const runDir = lastJson(first).runDir;
  fs.writeFileSync(file, source('[8, 16, 16]'));
  const r = await run(['resume', runDir, '--json'], 60_000);
  assert.equal(r.code, 0, r.stderr);
  const now = (
    JSON.parse(
      execFileSync(process.execPath, ['dist/cli.js', 'summary', file, 'net', '--json'], {
        cwd: REPO,
        encoding: 'utf8',
      }),
    ) as { totalParams: number }
  ).totalParams;
  assert.match(
    r.stderr,
    new RegExp(
      `changing\\.ts now builds a different model \\(\\d+ layers, ${now.toLocaleString('en-US')} parameters\\) than the checkpoint holds \\(\\d+ layers, [\\d,]+ parameters\\); resuming the checkpoint's model`,
    ),
  );
});

for (const signal of ['SIGKILL', 'SIGTERM'] as const)
  test(`CLI gets ${signal} mid-training: the trainer checkpoints, marks the run interrupted and exits; a resume meanwhile is refused`, async () => {
    const runsDir = path.join(tmp, `killed-${signal}`);
    let trainer = 0;
    let refused: Awaited<ReturnType<typeof run>> | undefined;
    const r = await cli(
      ['train', fixture, 'long', '--runs-dir', runsDir, '--workers', '1'],
      (child) => {
        void (async () => {
          trainer = await childOf(child.pid!);
          await until(
            () =>
              fs.existsSync(runsDir) &&
              fs
                .readdirSync(runsDir)
                .some((d) => fs.existsSync(path.join(runsDir, d, 'checkpoints', 'latest', 'state.json'))),
            60_000,
            'a first checkpoint',
          );
          const runDir = path.join(runsDir, fs.readdirSync(runsDir)[0]);
          refused = await run(['resume', runDir]);
          child.kill(signal);
        })();
      },
      { timeoutMs: 120_000, env },
    );
    assert.equal(r.timedOut, false);
    assert.ok(refused, 'resume was tried');
    assertOneLineError(refused, new RegExp(`run \\d{8}-\\d{6}-long is still training \\(pid ${trainer}\\)`));
    await assertGone(trainer, 30_000, `after ${signal} to the CLI`);
    const runDir = path.join(runsDir, fs.readdirSync(runsDir)[0]);
    // Raw run.json, not readRunInfo (which reads a dead "running" as interrupted too).
    const info = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8')) as RunInfo;
    assert.equal(info.status, 'interrupted');
    assert.equal(info.pid, undefined);
    const state = JSON.parse(
      fs.readFileSync(path.join(runDir, 'checkpoints', 'latest', 'state.json'), 'utf8'),
    ) as TrainState;
    assert.equal(state.iteration, info.final?.iteration, 'the checkpoint is where training stopped');
    const metrics = fs
      .readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as MetricRecord);
    assert.equal(metrics.filter((m) => m.type === 'iteration').at(-1)?.iteration, state.iteration);
    assert.equal(fs.existsSync(path.join(runDir, 'trainer.lock')), false, 'lock released');
    assert.doesNotMatch(r.stderr, STACK_FRAME);
  });
