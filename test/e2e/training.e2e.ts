// End to end, as a person would: open the examples workspace in a real VS
// Code (code-server) in Chromium, click ▶ Train, watch the curves grow and
// the diagram draw every shortcut, press Stop, open the side view. Screenshots
// of each step go to test-results/ (the README shows them).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openWorkbench, REPO_ROOT, Workbench } from '../harness/codeServer';
import { openFile, runCommand, screenshot, setColorTheme, waitFor, webviewFrame } from './workbench';

for (const theme of ['dark', 'light'] as const)
  describe(`${theme} theme`, () => {
    let wb: Workbench;
    let workspace: string;

    before(async () => {
      workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-e2e-'));
      fs.cpSync(path.join(REPO_ROOT, 'examples'), workspace, { recursive: true });
      wb = await openWorkbench({ extensionPath: REPO_ROOT, workspace, settings: { 'resnetLab.backend': 'wasm' } });
      await setColorTheme(wb.page, theme === 'dark' ? 'Dark Modern' : 'Light Modern');
    });
    after(async () => {
      await wb?.close();
    });

    test(`${theme}: ▶ Train on the quickstart shows growing curves, the diagram's shortcuts, and Stop works`, async () => {
      const { page } = wb;
      await openFile(page, 'quickstart.ts');
      const lens = page.locator('.codelens-decoration a', { hasText: 'Train' }).first();
      await lens.waitFor({ state: 'visible', timeout: 60_000 });
      await lens.click();

      const panel = webviewFrame(page);
      const points = async () => Number(await panel.locator('#error-chart').getAttribute('data-points'));
      await waitFor(async () => (await points()) >= 3, 180_000, 'the first iterations on the chart');
      const first = await points();
      await waitFor(async () => (await points()) >= first + 3, 180_000, 'the chart to grow');
      // ResNet-8 has three residual blocks: three add layers, three shortcut arcs.
      const svg = panel.locator('svg.diagram');
      assert.equal(await svg.getAttribute('data-shortcuts'), '3', 'shortcuts the diagram found in the graph');
      assert.equal(await panel.locator('svg.diagram path.shortcut').count(), 3, 'shortcut arcs drawn in the diagram');
      assert.equal(
        await panel.locator('svg.diagram path.shortcut-padding').count(),
        2,
        'option-A (zero-padding) arcs where the shape changes',
      );
      assert.match((await panel.locator('[data-stat="status"] .v').textContent()) ?? '', /running/);
      await screenshot(page, `panel-training-${theme}`);

      await panel.locator('#stop').click();
      await waitFor(
        async () => /stopped/.test((await panel.locator('[data-stat="status"] .v').textContent()) ?? ''),
        120_000,
        'the run to stop',
      );
      const stoppedAt = await points();
      assert.ok(stoppedAt >= first + 3);
      await screenshot(page, `panel-stopped-${theme}`);
      if (theme === 'light') return;

      // Gradient flow: one heatmap row per layer with trainable weights
      // (ResNet-8: conv1, bn1, 3 blocks x (conv1, bn1, conv2, bn2), fc = 15).
      await panel.locator('[data-tab="gradients"]').click();
      const heatmap = panel.locator('canvas.heatmap-canvas').first();
      await heatmap.waitFor({ state: 'visible', timeout: 30_000 });
      assert.equal(await heatmap.getAttribute('data-rows'), '15');
      assert.ok(Number(await heatmap.getAttribute('data-cols')) >= 1);
      await screenshot(page, `gradient-flow-${theme}`);

      // Lesion study on the stopped run's checkpoint: one bar per residual block.
      await panel.locator('[data-tab="lesion"]').click();
      await panel.locator('#run-lesion').click();
      const bars = panel.locator('#lesion-charts canvas[data-blocks]');
      await bars.waitFor({ state: 'attached', timeout: 180_000 });
      assert.equal(await bars.getAttribute('data-blocks'), '3');
      await screenshot(page, `lesion-${theme}`);
    });

    const once = theme === 'light' ? 'checked once, in the dark theme' : false;
    test(`${theme}: after "Reload Window" the panel comes back from the run folder`, { skip: once }, async () => {
      const { page } = wb;
      await runCommand(page, 'Developer: Reload Window');
      await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 60_000 });
      const panel = webviewFrame(page);
      await waitFor(
        async () => Number(await panel.locator('#error-chart').getAttribute('data-points')) >= 6,
        90_000,
        'the restored panel to show the run',
      );
      assert.match((await panel.locator('[data-stat="status"] .v').textContent()) ?? '', /stopped/);
      assert.equal(await panel.locator('svg.diagram').getAttribute('data-shortcuts'), '3');
    });

    test(`${theme}: the side view lists the run with its status`, async () => {
      const { page } = wb;
      await page.locator('.activitybar [aria-label^="ResNet Lab"]').first().click();
      const side = page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
      await waitFor(async () => (await side.locator('li.run').count()) >= 1, 60_000, 'the run list');
      assert.match((await side.locator('li.run .run-meta').first().textContent()) ?? '', /stopped/);
      await screenshot(page, `side-view-${theme}`);
    });
  });
