// TrainerClient.runOnce against stand-in trainer scripts (plain Node, no
// tfjs): the answer it waits for, a failure, and a trainer that dies first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TrainerClient, TrainerExitError } from '../../src/launch/trainerClient';
import type { TrainerEvent } from '../../src/protocol/trainer';
import { tempDir } from '../support/tempDir';

const tmp = tempDir('client');

/** A trainer that answers its first command with `events`, then disconnects (or exits with `exitCode`). */
function fakeTrainer(name: string, events: object[], exitCode?: number): string {
  const file = path.join(tmp, `${name}.js`);
  const end = exitCode === undefined ? 'process.disconnect()' : `process.exit(${exitCode})`;
  fs.writeFileSync(
    file,
    `process.on('message', () => {
    const events = ${JSON.stringify(events)};
    let left = events.length;
    if (left === 0) return ${end};
    for (const e of events) process.send(e, undefined, {}, () => { if (--left === 0) ${end}; });
  });\n`,
  );
  return file;
}

const log = { type: 'log', level: 'info', message: 'backend: cpu' };
const lesion = {
  type: 'lesion',
  runDir: '/r',
  result: { testExamples: 10, baselineError: 0.2, blocks: [], random: [] },
};
const analyze = { type: 'analyze', runDir: '/r', analysis: 'lesion', checkpoint: 'latest', backend: 'cpu' } as const;
const isLesion = (e: TrainerEvent): e is Extract<TrainerEvent, { type: 'lesion' }> => e.type === 'lesion';

test('runOnce settles with the event it waits for; every event also reaches the handlers', async () => {
  const seen: string[] = [];
  const client = new TrainerClient(fakeTrainer('answers', [log, lesion]), { onEvent: (e) => seen.push(e.type) });
  const e = await client.runOnce(analyze, isLesion);
  assert.equal(e.type, 'lesion');
  assert.equal(e.type === 'lesion' && e.result.baselineError, 0.2);
  assert.deepEqual(seen, ['log', 'lesion']);
  await client.exited;
});

test('runOnce settles with a failed event: a failure answers every command', async () => {
  const failed = { type: 'failed', kind: 'run', message: '/r is not a run folder (no run.json)', diagnostics: [] };
  const client = new TrainerClient(fakeTrainer('fails', [failed]), { onEvent: () => undefined });
  const e = await client.runOnce(analyze, isLesion);
  assert.deepEqual(e, failed);
  await client.exited;
});

test('runOnce rejects with the exit code and the output tail when the trainer exits without an answer', async () => {
  const client = new TrainerClient(fakeTrainer('dies', [log], 3), { onEvent: () => undefined });
  await assert.rejects(client.runOnce(analyze, isLesion), (e: unknown) => {
    assert.ok(e instanceof TrainerExitError);
    assert.equal(e.exit.code, 3);
    assert.match(e.message, /^the trainer process exited \(3\)/);
    return true;
  });
});
