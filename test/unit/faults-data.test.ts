// Issue 24's second fault table, run folders: a run folder is data, never
// code, and nothing outside it is ever touched; what cannot be read or written
// is said in one line. The real dist/cli.js, under a time limit per call.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lrChanges } from '../../src/core/report/htmlReport';
import { loadRun } from '../../src/core/runs/runData';
import type { MetricRecord, RunInfo } from '../../src/core/runs/runFolder';
import { cli, REPO } from './support/cli';
import { assertOneLineError, env, fixture, lastJson, run, tmp } from './support/faults';

const runsDir = path.join(tmp, 'data-runs');

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
  const dir = path.join(tmp, 'data-copies', name);
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
    const info = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')) as RunInfo;
    Object.assign(info, { status: 'stopped', totalIterations: 24, epochs: 3 });
    info.recipe.iterations = 24;
    fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify(info));
    const outside = path.join(tmp, 'data-outside', link);
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

for (const analysis of ['lesion', 'responses', 'paths']) {
  test(`row 2: ${analysis} of a run folder from elsewhere naming a .ts file: not run; says what code it would need`, async () => {
    const dir = await finishedRun(`foreign-${analysis}`);
    // A folder from elsewhere: its checkpoints hold a layer class only its "model file" could define.
    const marker = path.join(tmp, `ran-${analysis}`);
    const notes = path.join(tmp, 'elsewhere', `notes-${analysis}.ts`);
    fs.mkdirSync(path.dirname(notes), { recursive: true });
    fs.writeFileSync(notes, `import * as fs from 'node:fs';\nfs.writeFileSync(${JSON.stringify(marker)}, 'ran');\n`);
    const info = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')) as RunInfo;
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
  const expected = lrChanges(lines.map((l) => JSON.parse(l) as MetricRecord));
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
  assert.match(
    fs.readFileSync(path.join(dir, 'report.html'), 'utf8'),
    /metrics\.jsonl of .*: 1 line could not be read/,
  );
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
