// `npm run sandbox` (test/harness/sandbox.ts): edits stay unsaved, as the live
// preview needs, and the trainer finds the native backend setup-native built
// although code-server runs with a throw-away XDG_CACHE_HOME.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { nativeRoot } from '../../src/core/native/detectNative';
import { REPO_ROOT } from '../harness/codeServer';
import { sandboxOptions } from '../harness/sandboxOptions';

test('the sandbox turns auto-save off and names the native backend the user built', () => {
  const o = sandboxOptions({});
  assert.equal(o.settings['files.autoSave'], 'off');
  assert.equal(o.workspace, path.join(REPO_ROOT, 'examples'));
  assert.equal(o.env.RESNET_LAB_NATIVE_DIR, nativeRoot());
  assert.equal(o.port, undefined);
  assert.deepEqual(sandboxOptions({ RESNET_LAB_NATIVE_DIR: '/opt/native', PORT: '8080' }).env, {
    RESNET_LAB_NATIVE_DIR: '/opt/native',
  });
  assert.equal(sandboxOptions({ PORT: '8080' }).port, 8080);
});
