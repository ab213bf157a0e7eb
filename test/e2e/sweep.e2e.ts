// A sweep end to end: a 4-run sweep written in a model file (tiny nets,
// synthetic data), started from its `▶ Sweep (4 runs)` CodeLens; the window is
// reloaded half way and the queue continues in the new extension host; the
// sweep ends on its results view (figure, Table 6's layout, every run), with
// screenshots in both themes. Reloaded again, the window brings the results
// view back; with the sweep's folder gone, it closes it with a message.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { openWorkbench, REPO_ROOT, Workbench } from '../harness/codeServer';
import { readQueue, Queue } from '../../src/core/sweeps/queue';
import { openFile, runCommand, screenshot, setColorTheme, waitFor } from './workbench';

const MODEL = `import { experiment, plainCifar, resnetCifar, sweep, synthetic } from 'resnet-lab';

// Plain against residual at two depths: the paper's Fig. 6 in miniature.
export const grid = sweep({ depth: [8, 14], block: ['plain', 'residual'] }, (p) =>
  experiment({
    model: (p.block === 'plain' ? plainCifar : resnetCifar)({ depth: p.depth, widths: [4, 8, 16] }),
    data: synthetic({ trainSize: 512, testSize: 128 }),
    iterations: 30,
    batchSize: 16,
    optimizer: { lr: 0.05 },
  }),
);
`;

let wb: Workbench;
let workspace: string;

before(async () => {
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-e2e-sweep-'));
  fs.writeFileSync(path.join(workspace, 'grid.ts'), MODEL);
  wb = await openWorkbench({
    extensionPath: REPO_ROOT,
    workspace,
    settings: { 'resnetLab.backend': 'wasm', 'resnetLab.workers': 1 },
  });
  await setColorTheme(wb.page, 'Dark Modern');
});
after(async () => {
  await wb?.close();
  if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
});

function theQueue(): Queue | undefined {
  const dir = path.join(workspace, '.resnet-lab', 'sweeps');
  const [name] = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  try {
    return name ? readQueue(path.join(dir, name)) : undefined;
  } catch {
    return undefined;
  }
}

const finished = () => theQueue()?.runs.filter((r) => r.status === 'finished').length ?? 0;

/** The webview frame that holds `selector` (the training panel, the results view and the side view are all webviews). */
async function frameWith(page: Page, selector: string): Promise<FrameLocator | undefined> {
  const n = await page.locator('iframe.webview.ready').count();
  for (let i = 0; i < n; i++) {
    const f = page.frameLocator('iframe.webview.ready').nth(i).frameLocator('#active-frame');
    if ((await f.locator(selector).count()) > 0) return f;
  }
  return undefined;
}

test('▶ Sweep (4 runs) from its CodeLens; a reload half way; the queue goes on and ends on the results view', async () => {
  const { page } = wb;
  await openFile(page, 'grid.ts');
  const lens = page.locator('.codelens-decoration a', { hasText: '▶ Sweep (4 runs)' }).first();
  await lens.waitFor({ state: 'visible', timeout: 60_000 });
  await lens.click();

  await waitFor(async () => finished() >= 2, 240_000, 'two runs of the sweep to finish');
  const before = theQueue()!;
  assert.equal(before.owner, 'extension');
  assert.equal(before.runs.length, 4);
  // The side view lists the sweep with k of n while it runs.
  await page.locator('.activitybar [aria-label^="ResNet Lab"]').first().click();
  let side: FrameLocator | undefined;
  await waitFor(async () => !!(side = await frameWith(page, 'li.sweep')), 60_000, 'the sweep in the side view');
  assert.match((await side!.locator('li.sweep .sweep-progress').first().textContent()) ?? '', /\d of 4/);
  await screenshot(page, 'sweep-side-view-dark');

  await runCommand(page, 'Developer: Reload Window');
  await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 60_000 });
  const reloadedAt = finished();
  assert.ok(reloadedAt < 4, 'the window was reloaded before the sweep ended');

  await waitFor(async () => finished() === 4, 300_000, 'the queue to continue after the reload and finish');
  const done = theQueue()!;
  assert.deepEqual(
    done.runs.map((r) => [r.status, typeof r.testError]),
    Array.from({ length: 4 }, () => ['finished', 'number']),
  );
  // Each run that had finished before the reload kept its folder: nothing trained twice.
  for (const r of before.runs.filter((x) => x.status === 'finished'))
    assert.equal(done.runs[r.point].runDir, r.runDir, `run #${r.point} was not trained again`);
  const sweepDir = path.join(workspace, '.resnet-lab', 'sweeps', done.id);
  assert.ok(fs.existsSync(path.join(sweepDir, 'report.html')), 'the report is written when the sweep ends');

  let results: FrameLocator | undefined;
  await waitFor(async () => !!(results = await frameWith(page, 'table#table tr td')), 60_000, 'the results view');
  const rows = results!.locator('table#table tr');
  assert.equal(await rows.count(), 5, 'a header and one row per variant and depth');
  assert.deepEqual((await results!.locator('table#table tr td:first-child').allTextContents()).sort(), [
    'plain',
    'plain',
    'residual',
    'residual',
  ]);
  assert.equal(await results!.locator('#figure svg g.series').count(), 2, 'a line per variant');
  assert.match((await results!.locator('#progress').textContent()) ?? '', /^4 of 4/);
  await screenshot(page, 'sweep-results-dark');
  await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  console.log(
    'PROBLEMS: ' +
      (await page
        .locator('.markers-panel')
        .first()
        .textContent()
        .catch(() => 'none')),
  );
  await page.keyboard.press('Escape');

  await results!.locator('[data-export="csv"]').click();
  await waitFor(async () => fs.existsSync(path.join(sweepDir, 'results.csv')), 20_000, 'results.csv');
  await results!.locator('[data-export="png"]').click();
  await waitFor(async () => fs.existsSync(path.join(sweepDir, 'results.png')), 20_000, 'results.png');
  const png = fs.readFileSync(path.join(sweepDir, 'results.png'));
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  assert.equal(png.readUInt32BE(16), 1280, 'the figure at twice its width');

  await runCommand(page, 'Notifications: Clear All Notifications');
  await setColorTheme(page, 'Light Modern');
  await screenshot(page, 'sweep-results-light');
});

/** The results view's frame once it shows the whole sweep: Table 6's rows and a line per variant. */
async function resultsShown(page: Page): Promise<FrameLocator> {
  let results: FrameLocator | undefined;
  await waitFor(
    async () =>
      !!(results = await frameWith(page, '#figure svg g.series')) &&
      (await results.locator('#figure svg g.series').count()) === 2 &&
      (await results.locator('table#table tr').count()) === 5,
    60_000,
    "the results view's figure and table",
  );
  return results!;
}

async function reloadWindow(page: Page): Promise<void> {
  await runCommand(page, 'Developer: Reload Window');
  await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 60_000 });
}

test('Reload Window with the results view open brings it back on the same sweep; a sweep that is gone closes it with a message', async () => {
  const { page } = wb;
  const id = theQueue()!.id;
  await reloadWindow(page);
  const tab = page.locator('.tab', { hasText: 'Sweep grid' });
  await tab.waitFor({ timeout: 60_000 });
  // VS Code revives a restored webview only once its tab is shown: if another editor came back in front
  // (as on CI once), the user clicks the tab, and so does the test.
  await tab.first().click();
  const results = await resultsShown(page);
  assert.match((await results.locator('#progress').textContent()) ?? '', /^4 of 4/);
  assert.equal(await results.locator('table#table tr td:first-child').count(), 4);

  // Its folder moved away (as a user deleting it would): the reloaded window closes the view and says why.
  const sweeps = path.join(workspace, '.resnet-lab', 'sweeps');
  const away = path.join(workspace, 'moved-away');
  fs.renameSync(sweeps, away);
  try {
    await reloadWindow(page);
    await page
      .locator('.notification-toast', { hasText: `sweep ${id} is gone` })
      .first()
      .waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('.tab', { hasText: 'Sweep grid' }).count(), 0, 'the view was closed');
  } finally {
    fs.renameSync(away, sweeps);
  }
});
