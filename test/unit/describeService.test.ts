// The warm describe process (dist/describe-server.js) through its host-side
// client (src/extension/describeService.ts): it builds the unsaved text, not
// the file on disk; a model function with `while (true) {}` is stopped at the
// time limit with a clear message at the experiment's line, the process is
// replaced, and the next request describes normally; a process that dies is
// started again; queued requests of one experiment give way to the newest;
// a process left idle exits.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DescribeOutcome, DescribeService } from '../../src/extension/describeService';

const SCRIPT = path.resolve(__dirname, '..', '..', 'dist', 'describe-server.js');
const LIMIT_MS = 3000;

const resnet = (depth: number) =>
  [
    "import { experiment, resnetCifar, synthetic } from 'resnet-lab';",
    `export const net = experiment({ model: resnetCifar({ depth: ${depth}, widths: [4, 8, 8] }), data: synthetic(), epochs: 1 });`,
    '',
  ].join('\n');

const HANGS = [
  "import * as tf from '@tensorflow/tfjs';",
  "import { experiment } from 'resnet-lab';",
  '',
  'function spins(): tf.LayersModel {',
  '  while (true) {}',
  '}',
  '',
  'export const net = experiment({ model: spins, epochs: 1 });',
  '',
].join('\n');

function described(o: DescribeOutcome): Extract<DescribeOutcome, { status: 'described' }> {
  assert.equal(o.status, 'described', JSON.stringify(o).slice(0, 500));
  return o;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('warm describe process', () => {
  let dir: string;
  let file: string;
  let service: DescribeService;
  const log: string[] = [];

  before(() => {
    assert.ok(fs.existsSync(SCRIPT), `${SCRIPT} is missing: run node scripts/build.mjs`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-describe-'));
    file = path.join(dir, 'model.ts');
    fs.writeFileSync(file, resnet(8)); // on disk: ResNet-8
    service = new DescribeService(SCRIPT, { timeoutMs: () => LIMIT_MS, log: (l) => log.push(l) });
  });
  after(() => {
    service.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('builds the text it is given, not the file on disk, and keeps its process between requests', async () => {
    const disk = described(await service.describe({ file, experiment: 'net' }));
    assert.equal(disk.summary.depth, 8);
    assert.equal(disk.summary.shortcuts, 3);
    assert.equal(disk.summary.trainableParams, 2590);
    const pid = service.pid;
    const edited = described(await service.describe({ file, experiment: 'net', source: resnet(14) }));
    assert.equal(edited.summary.depth, 14);
    assert.equal(edited.summary.shortcuts, 6);
    assert.equal(edited.summary.trainableParams, 5262);
    assert.equal(edited.graph.nodes.length, edited.summary.layers.length);
    assert.equal(service.pid, pid, 'the same process answered both');
    assert.equal(service.starts, 1);
    // The same text asked for twice at once (the CodeLens facts and the preview): one build, one answer.
    const [x, y] = await Promise.all(
      [0, 1].map(() => service.describe({ file, experiment: 'net', source: resnet(20) })),
    );
    assert.equal(x, y);
    assert.equal(described(x).summary.depth, 20);
  });

  test('a model function with while (true) {} times out at the limit, the process is replaced, the next request describes', async () => {
    const before = service.pid!;
    const started = Date.now();
    const hang = await service.describe({ file, experiment: 'net', source: HANGS });
    const took = Date.now() - started;
    assert.equal(hang.status, 'failed');
    if (hang.status !== 'failed') return;
    assert.equal(hang.kind, 'timeout');
    assert.match(
      hang.message,
      /^.*model\.ts:8:1 building net did not finish in 3 s \(a model function that never returns\?\); the describe process was replaced$/,
    );
    assert.deepEqual(
      hang.diagnostics.map((d) => [d.file, d.line, d.column]),
      [[file, 8, 1]],
      'at the experiment line',
    );
    // Reported at the limit, not later (a generous margin for a loaded machine).
    assert.ok(took >= LIMIT_MS && took < LIMIT_MS + 10_000, `time-out reported after ${took} ms`);
    assert.equal(service.starts, 2, 'one replacement process');
    assert.notEqual(service.pid, before);
    await waitUntil(() => !alive(before), 'the hung process to be gone');

    const next = described(await service.describe({ file, experiment: 'net', source: resnet(20) }));
    assert.equal(next.summary.depth, 20);
    assert.equal(next.summary.shortcuts, 9);
  });

  test('a process that dies is started again for the next request', async () => {
    const pid = service.pid!;
    process.kill(pid, 'SIGKILL');
    await waitUntil(() => !alive(pid), 'the killed process to be gone');
    await waitUntil(() => service.pid !== undefined && service.pid !== pid, 'a new process, before any request');
    const again = described(await service.describe({ file, experiment: 'net', source: resnet(8) }));
    assert.equal(again.summary.shortcuts, 3);
    assert.notEqual(service.pid, pid);
  });

  test('a build error comes back at its line; queued requests of one key give way to the newest', async () => {
    // An `add` of two shapes that cannot be added, on line 4, inside the model function.
    const broken = [
      "import * as tf from '@tensorflow/tfjs';",
      "import { DataInfo, experiment, resnetCifar } from 'resnet-lab';",
      'function build(info: DataInfo): tf.LayersModel {',
      '  tf.layers.add().apply([tf.input({ shape: [32, 32, 16] }), tf.input({ shape: [16, 16, 32] })]);',
      '  return resnetCifar({ depth: 8 })(info);',
      '}',
      'export const net = experiment({ model: build, epochs: 1 });',
    ].join('\n');
    const bad = await service.describe({ file, experiment: 'net', source: broken });
    assert.equal(bad.status, 'failed');
    if (bad.status === 'failed') {
      assert.equal(bad.kind, 'build');
      assert.deepEqual(
        bad.diagnostics.map((d) => [d.file, d.line]),
        [[file, 4]],
        JSON.stringify(bad),
      );
      assert.match(bad.diagnostics[0].message, /cannot combine .*\[batch, 32, 32, 16\] and .*\[batch, 16, 16, 32\]/);
    }
    // The first is sent at once; the second and third wait behind it, and the third replaces the second.
    const [a, b, c] = await Promise.all(
      [8, 14, 20].map((d) => service.describe({ file, experiment: 'net', source: resnet(d), key: 'net' })),
    );
    assert.equal(described(a).summary.depth, 8);
    assert.deepEqual(b, { status: 'superseded' });
    assert.equal(described(c).summary.depth, 20);
  });
});

test('an idle process exits; the next request starts another', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-describe-idle-'));
  const file = path.join(dir, 'model.ts');
  fs.writeFileSync(file, resnet(8));
  const service = new DescribeService(SCRIPT, { timeoutMs: () => LIMIT_MS, idleMs: 300 });
  try {
    assert.equal(described(await service.describe({ file, experiment: 'net' })).summary.shortcuts, 3);
    const pid = service.pid!;
    await waitUntil(() => service.pid === undefined && !alive(pid), 'the idle process to exit');
    assert.equal(
      described(await service.describe({ file, experiment: 'net', source: resnet(14) })).summary.shortcuts,
      6,
    );
    assert.equal(service.starts, 2);
  } finally {
    service.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

async function waitUntil(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
