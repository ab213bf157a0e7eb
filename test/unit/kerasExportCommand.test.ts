// The trainer's `export-keras` command, which the extension's "Export
// Experiment to Keras" sends (src/extension/exportKeras.ts): the project is
// written by dist/trainer.js, answered with `exported` and its files; a model
// with a layer Keras has no counterpart for is one `failed` line naming the
// layer, and nothing is written. No Python needed.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TrainerClient } from '../../src/launch/trainerClient';
import type { TrainerEvent } from '../../src/protocol/trainer';
import { REPO } from './support/cli';
import { tempDir } from '../support/tempDir';

const tmp = tempDir('export-command');
before(() => execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: REPO, stdio: 'inherit' }));

function exportVia(file: string, experiment: string, outDir: string): Promise<TrainerEvent[]> {
  return new Promise((resolve) => {
    const events: TrainerEvent[] = [];
    const client = new TrainerClient(path.join(REPO, 'dist', 'trainer.js'), {
      onEvent: (e) => events.push(e),
      onExit: () => resolve(events),
    });
    client.send({ type: 'export-keras', file, experiment, outDir });
  });
}

test(
  'export-keras through the trainer: the project is written and the answer lists it',
  { timeout: 120_000 },
  async () => {
    const out = path.join(tmp, 'quickstart-keras');
    const events = await exportVia(path.join(REPO, 'examples', 'quickstart.ts'), 'quickstart', out);
    const done = events.find((e) => e.type === 'exported');
    assert.ok(done && done.type === 'exported', JSON.stringify(events.filter((e) => e.type === 'failed')));
    assert.equal(done.outDir, out);
    assert.deepEqual(done.files, fs.readdirSync(out).sort());
    for (const f of [
      'model.py',
      'train.py',
      'weights.bin',
      'weights.json',
      'README.md',
      'run_template.json',
      'tfjs_model.json',
      'data',
    ])
      assert.ok(done.files.includes(f), f);
    assert.match(done.weightsFrom, /^initial, as training starts them \(seed \d+\)$/);
    // The user's code ran under the build timer, announced to the parent as any build is.
    assert.deepEqual(
      events.filter((e) => e.type === 'building' || e.type === 'built').map((e) => e.type),
      ['building', 'built'],
    );
  },
);

test(
  'export-keras through the trainer of a model with a custom layer: one failed line naming it, nothing written',
  { timeout: 120_000 },
  async () => {
    const file = path.join(__dirname, '..', 'fixtures', 'unit', 'custom-layer.ts');
    const out = path.join(tmp, 'custom-keras');
    const events = await exportVia(file, 'custom', out);
    const failed = events.filter((e) => e.type === 'failed');
    assert.deepEqual(
      failed.map((e) => e.type === 'failed' && [e.kind, e.message]),
      [['export', 'cannot export custom to Keras: layer double_it (Double) has no Keras counterpart']],
    );
    assert.equal(
      events.some((e) => e.type === 'exported'),
      false,
    );
    assert.deepEqual(
      fs.readdirSync(tmp).filter((f) => f.startsWith('custom-keras')),
      [],
    );
  },
);
