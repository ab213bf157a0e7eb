// The Keras engine's rows of the second fault table (issue 24, rows 3, 4, 5
// and 16): names that reach generated Python, a port taken between choosing
// and binding, signals to the launcher, a build that never ends, and a Python
// that is not one. Rows that run train.py need the Python with Keras and jax
// (skipped, with the reason printed, without it).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { kerasUnavailable } from '../../src/core/export/tfPython';
import { readRunInfo } from '../../src/core/runs/runFolder';
import { HOSTILE_NAME } from '../fixtures/unit/keras-fault-models';
import { cli, lastJson, REPO } from './support/cli';
import { tempDir } from '../support/tempDir';

const MODELS = path.join(REPO, 'test', 'fixtures', 'unit', 'keras-fault-models.ts');
const noJax = kerasUnavailable('jax') ?? false;
if (noJax) console.log(`faults-keras.test.ts: the rows that run train.py are skipped: ${noJax}`);

const tmp = tempDir('faults-keras');
before(() => execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: REPO, stdio: 'inherit' }));

/** The CLI with its own temporary folder, so what the launcher leaves there can be counted. */
function env(extra: NodeJS.ProcessEnv = {}): { env: NodeJS.ProcessEnv; tmpdir: string } {
  const tmpdir = fs.mkdtempSync(path.join(tmp, 'cli-tmp-'));
  return { env: { ...process.env, TMPDIR: tmpdir, TF_CPP_MIN_LOG_LEVEL: '3', ...extra }, tmpdir };
}

/** `train --engine keras` of an experiment of the fixture as two JAX processes. */
const twoJaxProcesses = (experiment: string, runs: string) => [
  'train',
  MODELS,
  experiment,
  '--engine',
  'keras',
  '--keras-backend',
  'jax',
  '--workers',
  '2',
  '--runs-dir',
  runs,
  '--json',
];

const userLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('error:'));

test('row 3: a model name with """, a newline, quotes, a backslash and non-ASCII reaches model.py as text, never as code', async () => {
  const out = path.join(tmp, 'hostile');
  const r = await cli(['export-keras', MODELS, 'hostile', '--out', out], undefined, { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  // Python reads model.py: its docstring holds the name exactly, and its statements are only the module's own.
  const p = spawnSync(
    'python3',
    [
      '-c',
      `import ast, json, sys
tree = ast.parse(open(sys.argv[1], encoding="utf-8").read())
kinds = [type(n).__name__ for n in tree.body]
classes = [n.name for n in tree.body if isinstance(n, ast.ClassDef)]
print(json.dumps({"doc": ast.get_docstring(tree, clean=False), "kinds": kinds, "classes": classes}))`,
      path.join(out, 'model.py'),
    ],
    { encoding: 'utf8', cwd: tmp },
  );
  assert.equal(p.status, 0, p.stderr);
  const parsed = JSON.parse(p.stdout) as { doc: string; kinds: string[]; classes: string[] };
  assert.ok(parsed.doc.startsWith(`${HOSTILE_NAME}: experiment 'hostile'`), parsed.doc.slice(0, 120));
  assert.deepEqual([...new Set(parsed.kinds)].sort(), [
    'Assign',
    'ClassDef',
    'Expr',
    'FunctionDef',
    'If',
    'Import',
    'ImportFrom',
  ]);
  assert.deepEqual(parsed.classes, ['ZeroPadShortcut'], "the template's one class");
  assert.equal(parsed.kinds.filter((k) => k === 'Expr').length, 1, 'the docstring is the only bare expression');
  assert.equal(fs.existsSync(path.join(tmp, 'PWNED')), false);
});

test('row 5: export-keras and train --engine keras of a model whose build never ends stop at --build-timeout, one line', async () => {
  for (const args of [
    ['export-keras', MODELS, 'forever', '--out', path.join(tmp, 'forever')],
    ['train', MODELS, 'forever', '--engine', 'keras'],
  ]) {
    const { env: e, tmpdir } = env();
    const started = Date.now();
    const r = await cli([...args, '--build-timeout', '3'], undefined, { timeoutMs: 60_000, env: e });
    assert.equal(r.timedOut, false, `${args[0]} hung`);
    assert.equal(r.code, 1);
    assert.deepEqual(userLines(r.stderr), [
      `error: ${MODELS}:19:1 building forever did not finish in 3 s (a model function that never returns?); the trainer was stopped`,
    ]);
    assert.ok(Date.now() - started < 30_000);
    assert.deepEqual(fs.readdirSync(tmpdir), [], 'the temporary project is removed');
  }
  assert.equal(fs.existsSync(path.join(tmp, 'forever')), false);
});

/** Whether a process has a child whose command line matches now (Linux: the parent pid is field 4 of /proc/<pid>/stat, after the name in parentheses). */
function hasChildProcess(pid: number, command: RegExp): boolean {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== pid) continue;
      if (command.test(fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8'))) return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}

test('row 4: Ctrl-C while train --engine keras still builds the model: one line, the trainer stopped, the temporary project removed', async () => {
  const { env: e, tmpdir } = env();
  const r = await cli(
    ['train', MODELS, 'forever', '--engine', 'keras', '--build-timeout', '120'],
    // Once the CLI has forked its trainer (its Ctrl-C handler is installed by then; the Keras probe
    // before it is another child): a fixed delay raced the CLI's start on a loaded machine, and
    // Node's default handler ended it with no message.
    (child) => {
      const poll = setInterval(() => {
        if (hasChildProcess(child.pid!, /trainer\.js/)) {
          clearInterval(poll);
          setTimeout(() => child.kill('SIGINT'), 500);
        }
      }, 100);
      child.on('exit', () => clearInterval(poll));
    },
    { timeoutMs: 60_000, env: e },
  );
  assert.equal(r.timedOut, false, 'hung');
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(userLines(r.stderr), ['error: stopped by SIGINT while exporting forever: nothing was trained']);
  assert.deepEqual(fs.readdirSync(tmpdir), [], 'the temporary project is removed');
});

test('row 16: a Keras Python that exits 0 at once, or is not executable: one line naming it and what it did', async () => {
  const notExecutable = path.join(tmp, 'python-not-executable');
  fs.writeFileSync(notExecutable, '#!/bin/sh\n');
  for (const [python, said] of [
    [
      '/bin/true',
      /^error: --engine keras: \/bin\/true ran the Keras probe but printed no answer \(is it a Python 3 interpreter\?\)$/,
    ],
    [notExecutable, /^error: --engine keras: .*python-not-executable cannot import Keras 3 \(spawnSync .* EACCES\)$/],
  ] as const) {
    const { env: e } = env({ RESNET_LAB_TF_PYTHON: python });
    const r = await cli(['train', MODELS, 'short', '--engine', 'keras'], undefined, { timeoutMs: 60_000, env: e });
    assert.equal(r.code, 1, r.stderr);
    const lines = userLines(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], said);
    assert.doesNotMatch(r.stderr, /argument must be of type string|\n\s+at /);
  }
});

test(
  'row 4: a coordinator port taken between choosing and binding: the workers start again on new ports',
  { skip: noJax, timeout: 300_000 },
  async () => {
    const taken = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => taken.once('listening', r));
    const port = (taken.address() as net.AddressInfo).port;
    const { env: e, tmpdir } = env({ RESNET_LAB_COORDINATOR_PORT: String(port) });
    const runs = path.join(tmp, 'runs-port');
    const r = await cli(twoJaxProcesses('short', runs), undefined, { timeoutMs: 240_000, env: e });
    taken.close();
    assert.equal(r.timedOut, false, 'hung');
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /a port chosen for the workers was taken meanwhile: starting them again on new ports \(1 of 2\)/,
    );
    const summary = lastJson<{ status: string; workers: number }>(r);
    assert.deepEqual([summary.status, summary.workers], ['finished', 2]);
    assert.deepEqual(fs.readdirSync(tmpdir), []);
  },
);

test(
  'row 4: SIGTERM to the launcher reaches every worker once: a checkpoint, status stopped, no worker left, temp folder gone',
  { skip: noJax, timeout: 300_000 },
  async () => {
    const { env: e, tmpdir } = env();
    const runs = path.join(tmp, 'runs-signal');
    let signalled = false;
    const r = await cli(
      twoJaxProcesses('long', runs),
      (child) => {
        const poll = setInterval(() => {
          const dir = fs.existsSync(runs) ? fs.readdirSync(runs)[0] : undefined;
          const metrics = dir && path.join(runs, dir, 'metrics.jsonl');
          if (
            !signalled &&
            metrics &&
            fs.existsSync(metrics) &&
            fs.readFileSync(metrics, 'utf8').split('\n').length > 3
          ) {
            signalled = true;
            clearInterval(poll);
            child.kill('SIGTERM');
          }
        }, 100);
        child.on('exit', () => clearInterval(poll));
      },
      { timeoutMs: 240_000, env: e },
    );
    assert.ok(signalled, r.stderr);
    assert.equal(r.code, 0, r.stderr);
    const summary = lastJson<{
      runDir: string;
      status: string;
      iteration: number;
    }>(r);
    assert.equal(summary.status, 'stopped');
    const info = readRunInfo(summary.runDir) as ReturnType<typeof readRunInfo> & { stoppedBy?: string };
    assert.equal(info.stoppedBy, 'SIGTERM');
    const state = JSON.parse(
      fs.readFileSync(path.join(summary.runDir, 'checkpoints', 'latest', 'state.json'), 'utf8'),
    ) as { iteration: number };
    assert.equal(state.iteration, summary.iteration);
    assert.ok(summary.iteration > 0 && summary.iteration < 400);
    assert.deepEqual(fs.readdirSync(tmpdir), [], 'the temporary project is removed');
    const left = spawnSync('pgrep', ['-f', tmpdir], { encoding: 'utf8' }).stdout.trim();
    assert.equal(left, '', 'no worker is left running');
  },
);
