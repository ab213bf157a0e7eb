// Distributions over time, end to end: ▶ Train on the quickstart, open the
// Distributions tab, see quantile bands for every kernel and block output (with
// the share of zeros beside each block's ReLU), click a layer in the diagram
// and see its own bands on top. Screenshots in the dark and the light theme.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openWorkbench, REPO_ROOT, Workbench } from '../harness/codeServer';
import { openFile, screenshot, setColorTheme, waitFor, webviewFrame } from './workbench';

let wb: Workbench;
let workspace: string;

before(async () => {
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-e2e-dist-'));
  fs.cpSync(path.join(REPO_ROOT, 'examples'), workspace, { recursive: true });
  wb = await openWorkbench({ extensionPath: REPO_ROOT, workspace, settings: { 'resnetLab.backend': 'wasm' } });
  await setColorTheme(wb.page, 'Dark Modern');
});
after(async () => {
  await wb?.close();
  fs.rmSync(workspace, { recursive: true, force: true });
});

/** Records in the run's distributions.jsonl so far. */
function recordsWritten(): number {
  const runsDir = path.join(workspace, '.resnet-lab', 'runs');
  if (!fs.existsSync(runsDir)) return 0;
  const file = path.join(runsDir, fs.readdirSync(runsDir)[0] ?? '', 'distributions.jsonl');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

test('the quickstart trains, the Distributions tab shows every layer, and a layer clicked in the diagram shows its bands', async () => {
  const { page } = wb;
  await openFile(page, 'quickstart.ts');
  const lens = page.locator('.codelens-decoration a', { hasText: 'Train' }).first();
  await lens.waitFor({ state: 'visible', timeout: 60_000 });
  await lens.click();
  // Iteration 0 and iteration 100 (the default distributionEvery).
  await waitFor(async () => recordsWritten() >= 2, 300_000, 'two distribution records');

  const panel = webviewFrame(page);
  await panel.locator('[data-tab="distributions"]').click();
  const charts = panel.locator('.dist-run .dist-chart');
  // ResNet-8: 8 kernels (conv1, 3 blocks x 2 convs, fc) and 3 block outputs.
  await waitFor(async () => (await charts.count()) === 11, 30_000, 'a chart per kernel and block output');
  assert.equal(await panel.locator('.dist-run .dist-chart[data-kind="activations"]').count(), 3);
  const block = panel.locator('.dist-run .dist-chart[data-layer="stage2/block1/relu2"]');
  assert.match((await block.textContent()) ?? '', /\d+\.\d% zeros/, 'the share of zeros beside the block output');
  assert.equal(await block.locator('polygon').count(), 4, 'four quantile bands');
  assert.equal(await panel.locator('.dist-spread svg[data-chart="spread-by-depth"] circle').count(), 3);

  await panel.locator('svg.diagram g.node[data-id="stage2/block1/conv1"]').click();
  const selected = panel.locator('.dist-selected[data-selected="stage2/block1/conv1"] .dist-chart');
  await selected.first().waitFor({ state: 'visible', timeout: 10_000 });
  assert.equal(await selected.count(), 1);
  assert.equal(await selected.getAttribute('data-kind'), 'weights');
  assert.equal(await selected.locator('polygon').count(), 4);
  const median = (await selected.locator('polyline.median').getAttribute('points')) ?? '';
  assert.ok(median.split(' ').length >= 2, `a median line over iterations: ${median}`);
  // The picture: the panel from its top (tabs, the spread by depth, the clicked layer's bands below it).
  const toTop = () => panel.locator('body').evaluate(() => window.scrollTo(0, 0));
  await toTop();
  await screenshot(page, 'distributions-dark');

  await setColorTheme(page, 'Light Modern');
  await waitFor(
    async () => (await panel.locator('.dist-selected .dist-chart').count()) === 1,
    20_000,
    'the tab redrawn in the light theme',
  );
  await toTop();
  await screenshot(page, 'distributions-light');
  await panel.locator('#stop').click();
  await waitFor(
    async () => /stopped|finished/.test((await panel.locator('[data-stat="status"] .v').textContent()) ?? ''),
    120_000,
    'the run to stop',
  );
});
