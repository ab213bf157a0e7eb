// Webview -> host `run/open` (issue 11): the host opens only runs it named
// itself, by id (one shape for every run: run-<n>); a path made up by a
// webview is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunIds } from '../../src/extension/runIds';
import { PanelMessageSchema } from '../../src/protocol/panel';
import { SidebarMessageSchema } from '../../src/protocol/sidebar';

const parseWebviewMessage = (raw: unknown) => PanelMessageSchema.safeParse(raw).data;

const runsDir = path.join(os.tmpdir(), 'ws', '.resnet-lab', 'runs');

test('run/open carries a run id, not a path: the old { runDir } message is invalid', () => {
  assert.equal(parseWebviewMessage({ method: 'run/open', params: { runDir: '/etc' } }), undefined);
  assert.equal(parseWebviewMessage({ method: 'runs/compare', params: { runDirs: ['/etc', '/home'] } }), undefined);
  assert.deepEqual(parseWebviewMessage({ method: 'run/open', params: { id: 'run-1' } }), {
    method: 'run/open',
    params: { id: 'run-1' },
  });
});

test('each webview may send only its own messages: the side view cannot ask for an export or an analysis', () => {
  const sidebar = (raw: unknown) => SidebarMessageSchema.safeParse(raw).success;
  assert.equal(sidebar({ method: 'run/open', params: { id: 'run-1' } }), true);
  assert.equal(sidebar({ method: 'run/control', params: { id: 'run-1', action: 'stop' } }), true);
  assert.equal(sidebar({ method: 'webview/ready' }), true);
  assert.equal(sidebar({ method: 'export', params: { format: 'csv', chart: 'curves' } }), false);
  assert.equal(sidebar({ method: 'analysis/run', params: { id: 'run-1', analysis: 'lesion' } }), false);
  assert.equal(parseWebviewMessage({ method: 'export', params: { format: 'csv', chart: 'curves' } })?.method, 'export');
  assert.equal(parseWebviewMessage({ method: 'run/control', params: { id: 'run-1', action: 'rm -rf' } }), undefined);
});

test('only ids the host made resolve; an absolute path or a folder name a webview sends does not', () => {
  const ids = new RunIds();
  const listed = path.join(runsDir, '20261130-120000-resnet20');
  const listedId = ids.idOf(listed);
  assert.equal(ids.idOf(listed), listedId, 'one id per folder');
  assert.equal(ids.idOf(`${listed}/`), listedId, 'the same folder written otherwise');
  // A run of this window is named before its trainer makes its folder, and keeps the name.
  const live = ids.reserve();
  assert.equal(ids.dirOf(live), undefined, 'a live run without a folder yet');
  const liveDir = path.join(runsDir, '20261130-130000-plain20');
  ids.bind(live, liveDir);
  assert.equal(ids.dirOf(live), liveDir);
  assert.equal(ids.idOf(liveDir), live, "its folder is known by the run's id");
  for (const id of [listedId, live]) assert.match(id, /^run-\d+$/);
  assert.equal(ids.dirOf(listedId), listed);
  for (const forged of [
    '/etc',
    os.homedir(),
    listed,
    path.basename(listed),
    path.join(runsDir, '..', '..', '..'),
    `${listed}/../../../../etc`,
    'run-999',
  ]) {
    assert.equal(ids.dirOf(forged), undefined, forged);
  }
  assert.deepEqual(ids.dirsOf(['/etc', live, listedId]), [liveDir, listed]);
});
