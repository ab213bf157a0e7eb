// native/'s C++ follows native/.clang-format, checked with the clang-format
// that npm test's provisioning installs from PyPI into the TensorFlow venv (clang-format==21.1.8;
// other versions format a little differently). Found as $CLANG_FORMAT, beside
// the TensorFlow venv's Python, or on PATH; skipped, with the reason printed,
// when none of them is that version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tfPython } from '../../src/core/export/tfPython';

const VERSION = '21.1.8';
const root = path.resolve(__dirname, '..', '..');
const sources = fs
  .readdirSync(path.join(root, 'native', 'graph'))
  .filter((f) => /\.(cc|h)$/.test(f))
  .map((f) => path.join('native', 'graph', f));

function version(binary: string): string | undefined {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? /clang-format version (\S+)/.exec(r.stdout)?.[1] : undefined;
}

const candidates = [process.env.CLANG_FORMAT, path.join(path.dirname(tfPython()), 'clang-format'), 'clang-format'];
const found = candidates.filter((c): c is string => !!c).map((binary) => ({ binary, version: version(binary) }));
const clangFormat = found.find((c) => c.version === VERSION)?.binary;
const skip = clangFormat
  ? false
  : `clang-format ${VERSION} not found (${found.map((c) => `${c.binary}: ${c.version ?? 'none'}`).join(', ')}); pip install clang-format==${VERSION}`;
if (skip) console.log(`clangFormat.test.ts skipped: ${skip}`);

test(`native/ sources are formatted by clang-format ${VERSION} with native/.clang-format`, { skip }, () => {
  assert.ok(sources.length >= 3, `sources: ${sources.join(', ')}`);
  const r = spawnSync(clangFormat!, ['--dry-run', '--Werror', ...sources], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, `run ${clangFormat} -i native/graph/*.cc native/graph/*.h; it reports:\n${r.stderr}`);
});

test('the check uses native/.clang-format: a misformatted snippet comes out in its style', { skip }, () => {
  const r = spawnSync(clangFormat!, ['--assume-filename=native/graph/example.cc'], {
    cwd: root,
    encoding: 'utf8',
    input: 'namespace rlg {\nint   answer( ){return 42;}\n}\n',
  });
  assert.equal(r.status, 0, r.stderr);
  // Google's style as configured: two-space indent, short functions only inline, the namespace comment.
  assert.equal(r.stdout, 'namespace rlg {\nint answer() {\n  return 42;\n}\n}  // namespace rlg\n');
});
