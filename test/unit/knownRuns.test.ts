// Webview -> host `run/open` (issue 11): the host opens only runs it listed
// itself or the user picked, by id; a path made up by a webview is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { KnownRuns } from '../../src/extension/knownRuns';
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

test('only runs the host offered resolve; an absolute path a webview sends does not', () => {
  const known = new KnownRuns();
  const listed = path.join(runsDir, '20261130-120000-resnet20');
  known.allowViews([
    { id: listed, runDir: listed },
    { id: 'run-17-2', runDir: path.join(runsDir, '20261130-130000-plain20') },
    { id: 'run-18-3' },
  ]);
  assert.equal(known.resolve(listed), listed);
  assert.equal(known.resolve('run-17-2'), path.join(runsDir, '20261130-130000-plain20'));
  assert.equal(known.resolve('run-18-3'), undefined, 'a live run without a folder yet');
  for (const forged of [
    '/etc',
    os.homedir(),
    path.join(runsDir, '..', '..', '..'),
    `${listed}/../../../../etc`,
    path.join(runsDir, 'never-listed'),
  ]) {
    assert.equal(known.resolve(forged), undefined, forged);
  }
  assert.deepEqual(known.resolveAll(['/etc', 'run-17-2', listed]), [
    path.join(runsDir, '20261130-130000-plain20'),
    listed,
  ]);
});
