// A full disk while training (issue 11): simulated by making every write
// under the run folder fail with ENOSPC once the first checkpoint is on disk.
// The trainer must say so in one line, keep run.json whole, leave no
// temporaries, and the run must resume from the intact checkpoint.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TrainState } from '../../src/core/runs/checkpoint';
import { RunInfo, writeFileAtomic } from '../../src/core/runs/runFolder';
import { Control } from '../../src/core/train/control';
import type { TrainerEvent } from '../../src/protocol/trainer';
import * as session from '../../src/trainer/session';
import { tempDir } from '../support/tempDir';

const fixture = path.join(__dirname, '..', 'fixtures', 'unit', 'fault-models.ts');
// The module object itself (an `import * as` namespace is a copy whose methods cannot be replaced).
const nodeFs = require('node:fs') as typeof fs;
const tmp = tempDir('disk');

function noSpace(file: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOSPC: no space left on device, write '${file}'`), {
    code: 'ENOSPC',
    errno: -28,
    syscall: 'write',
    path: file,
  });
}

/** From `full()` on, writes under `dir` fail as on a full disk (half written, then ENOSPC); `restore()` undoes it. */
function diskUnder(dir: string) {
  let full = false;
  for (const name of ['writeFileSync', 'appendFileSync'] as const) {
    const original = nodeFs[name] as (...a: unknown[]) => unknown;
    mock.method(nodeFs, name, (file: unknown, ...rest: unknown[]) => {
      if (full && typeof file === 'string' && file.startsWith(dir)) {
        // As a real full disk does: the file is created and part of the data gets written.
        const data = rest[0] as string | Uint8Array;
        original.call(nodeFs, file, data.slice(0, Math.floor(data.length / 2)), ...rest.slice(1));
        throw noSpace(file);
      }
      return original.call(nodeFs, file, ...rest);
    });
  }
  return {
    full: () => {
      full = true;
    },
    restore: () => mock.restoreAll(),
  };
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' });
}

test('writeFileAtomic on a full disk: the old file stays, no temporary, no 0-byte file', () => {
  const file = path.join(tmp, 'report.html');
  const disk = diskUnder(tmp);
  try {
    disk.full();
    assert.throws(() => writeFileAtomic(file, '<html>'), /ENOSPC/);
    assert.deepEqual(fs.readdirSync(tmp), []);
  } finally {
    disk.restore();
  }
});

test('disk full while training: one clear line, run.json whole, temporaries removed, resumes from the intact checkpoint', async () => {
  const runsDir = path.join(tmp, 'runs');
  const disk = diskUnder(runsDir);
  const events: TrainerEvent[] = [];
  try {
    await session.train(
      { file: fixture, experiment: 'quick', runsDir, backend: 'wasm', overrides: { workers: 1 } },
      new Control(),
      (e) => {
        events.push(e);
        // The latest checkpoint at iteration 8 is written; the best one that follows finds the disk full.
        if (e.type === 'checkpoint' && e.kind === 'latest') disk.full();
      },
    );
  } finally {
    disk.restore();
  }
  const failed = events.at(-1)!;
  assert.ok(failed.type === 'failed', JSON.stringify(failed));
  const runDir = failed.runDir!;
  assert.equal(failed.kind, 'run');
  assert.equal(
    failed.message,
    `no space left on device writing checkpoints/best.tmp/model.json (run folder ${runDir}); the last checkpoint at iteration 8 is intact: free some space and resume`,
  );
  assert.equal(failed.message.split('\n').length, 1);
  assert.deepEqual(
    filesUnder(runDir).filter((f) => f.includes('.tmp')),
    [],
    'no temporaries left',
  );
  // run.json could not be rewritten: its last whole version says "running" with this pid, read as interrupted once it is gone.
  const info = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8')) as RunInfo;
  assert.deepEqual({ status: info.status, pid: info.pid }, { status: 'running', pid: process.pid });
  assert.equal(
    (JSON.parse(fs.readFileSync(path.join(runDir, 'checkpoints', 'latest', 'state.json'), 'utf8')) as TrainState)
      .iteration,
    8,
  );

  const resumed: TrainerEvent[] = [];
  await session.resume(runDir, 'wasm', undefined, new Control(), (e) => resumed.push(e));
  const end = resumed.at(-1)!;
  assert.ok(end.type === 'finished' && end.status === 'finished' && end.iteration === 16, JSON.stringify(end));
});

test('disk full before run.json could be written: one line, and no empty run folder left behind', async () => {
  const runsDir = path.join(tmp, 'runs-full');
  const disk = diskUnder(runsDir);
  disk.full();
  const events: TrainerEvent[] = [];
  try {
    await session.train(
      { file: fixture, experiment: 'quick', runsDir, backend: 'wasm', overrides: { workers: 1 } },
      new Control(),
      (e) => events.push(e),
    );
  } finally {
    disk.restore();
  }
  const failed = events.at(-1)!;
  assert.ok(failed.type === 'failed', JSON.stringify(failed));
  assert.match(
    failed.message,
    /^no space left on device writing .*-quick\/trainer\.lock: free some space and run again$/,
  );
  assert.equal(failed.runDir, undefined);
  assert.deepEqual(fs.readdirSync(runsDir), []);
});
