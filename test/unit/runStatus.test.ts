// What Resume does in each state of a run: the panel enables its button and
// the host acts by the same rule (src/protocol/runStatus.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RUN_STATUSES, resumeAction } from '../../src/protocol/runStatus';

test('Resume continues a paused run and restarts a stopped or interrupted one from its checkpoint; nothing else', () => {
  const actions = Object.fromEntries(RUN_STATUSES.map((s) => [s, resumeAction(s) ?? null]));
  assert.deepEqual(actions, {
    queued: null,
    starting: null,
    running: null,
    paused: 'continue',
    finished: null,
    stopped: 'from-checkpoint',
    failed: null,
    diverged: null,
    interrupted: 'from-checkpoint',
  });
  // A run another process writes has no trainer here: Resume is not ours to offer.
  for (const s of RUN_STATUSES) assert.equal(resumeAction(s, true), undefined, s);
});
