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
import { openFile, pickItem, runCommand, screenshot, setColorTheme, waitFor, webviewFrame } from './workbench';

/**
 * Live stays live: the time from the trainer appending an iteration record to
 * metrics.jsonl (seen by polling the file here, every 5 ms) to the chart
 * drawing that iteration (its canvas's data-last-iteration, polled through the
 * page). Records reach the panel only through the run folder.
 */
async function recordLatency(panel: ReturnType<typeof webviewFrame>, workspace: string): Promise<void> {
  const runsDir = path.join(workspace, '.resnet-lab', 'runs');
  const [runDir] = fs.readdirSync(runsDir).map((d) => path.join(runsDir, d));
  const metrics = path.join(runDir, 'metrics.jsonl');
  const written = new Map<number, number>();
  let size = 0;
  const read = () => {
    const st = fs.statSync(metrics, { throwIfNoEntry: false });
    if (!st || st.size === size) return;
    const now = Date.now();
    const text = fs.readFileSync(metrics, 'utf8');
    size = Buffer.byteLength(text);
    for (const line of text.split('\n')) {
      if (!line.startsWith('{"type":"iteration"')) continue;
      const it = (JSON.parse(line) as { iteration: number }).iteration;
      if (!written.has(it)) written.set(it, now);
    }
  };
  read();
  // Records already in the file when measuring began have no write time of their own.
  const before = new Set(written.keys());
  const tail = setInterval(read, 5);
  const shown = new Map<number, number>();
  const chart = panel.locator('#error-chart');
  const start = Date.now();
  try {
    while (shown.size - before.size < 20 && Date.now() - start < 120_000) {
      const last = Number(await chart.getAttribute('data-last-iteration'));
      const now = Date.now();
      // Every iteration up to the one drawn is on the chart from now on.
      for (const it of written.keys()) if (it <= last && !shown.has(it)) shown.set(it, now);
    }
  } finally {
    clearInterval(tail);
  }
  const latencies = [...shown]
    .filter(([it]) => !before.has(it))
    .map(([it, at]) => at - written.get(it)!)
    .sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  console.log(
    `      record to chart: ${latencies.length} iterations, p50 ${p(0.5)} ms, p95 ${p(0.95)} ms, max ${latencies.at(-1)} ms (goal p95 < 500 ms; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})`,
  );
  assert.ok(latencies.length >= 10, `only ${latencies.length} iterations timed`);
  assert.ok(p(0.95) < 500, `p95 ${p(0.95)} ms from metrics.jsonl to the chart`);
}

/**
 * The charts shrink with the panel: with the window narrowed so that the
 * panel is about 500 px wide, nothing in it is wider than the panel (no
 * horizontal scroll bar, the chart inside the view).
 */
async function checkNarrowPanel(page: Workbench['page'], panel: ReturnType<typeof webviewFrame>): Promise<void> {
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: 1000, height: size.height });
  let seen = {};
  try {
    await waitFor(
      async () => {
        const m = await panel.locator('body').evaluate(() => {
          const doc = document.documentElement;
          const chart = document.getElementById('error-chart')!.getBoundingClientRect();
          const widest = [...document.querySelectorAll<HTMLElement>('body *')]
            .filter((e) => e.getBoundingClientRect().right > doc.clientWidth + 1)
            .slice(0, 3)
            .map(
              (e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}:${Math.round(e.getBoundingClientRect().right)}`,
            );
          return { view: doc.clientWidth, scroll: doc.scrollWidth, chartRight: Math.round(chart.right), widest };
        });
        seen = m;
        return m.view < 620 && m.scroll <= m.view + 1 && m.chartRight <= m.view + 1;
      },
      20_000,
      'the panel to fit its narrower view',
    );
    await screenshot(page, 'panel-narrow-dark');
  } catch (e) {
    throw new Error(`${(e as Error).message}: ${JSON.stringify(seen)}`);
  } finally {
    await page.setViewportSize(size);
  }
}

for (const theme of ['dark', 'light'] as const)
  describe(`${theme} theme`, () => {
    let wb: Workbench;
    let workspace: string;

    before(async () => {
      workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-e2e-'));
      fs.cpSync(path.join(REPO_ROOT, 'examples'), workspace, { recursive: true });
      wb = await openWorkbench({ extensionPath: REPO_ROOT, workspace, settings: { 'resnetLab.backend': 'wasm' } });
      await setColorTheme(wb.page, theme === 'dark' ? 'Dark Modern' : 'Light Modern');
      if (theme === 'dark') {
        // A new user's first look: the walkthrough, then its file. VS Code counts a step's completion
        // events only once its walkthrough service runs (from the first walkthrough or Welcome page shown).
        await runCommand(wb.page, 'Welcome: Open Walkthrough...');
        await pickItem(wb.page, 'Get Started with ResNet Lab');
        await wb.page.locator('button.getting-started-step').first().waitFor({ state: 'attached', timeout: 30_000 });
        // Its step page is a webview that keeps the keyboard: focus the workbench before the palette.
        await wb.page.locator('.activitybar [aria-label^="Explorer"]').first().click();
        await runCommand(wb.page, 'View: Close All Editors');
      }
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
      if (theme === 'dark') await recordLatency(panel, workspace);
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
      if (theme === 'dark') await checkNarrowPanel(page, panel);

      await panel.locator('#stop').click();
      await waitFor(
        async () => /stopped/.test((await panel.locator('[data-stat="status"] .v').textContent()) ?? ''),
        120_000,
        'the run to stop',
      );
      const stoppedAt = await points();
      assert.ok(stoppedAt >= first + 3);
      // A stopped run offers Resume alone; Pause and Stop have nothing to act on.
      assert.deepEqual(await Promise.all(['#pause', '#stop', '#resume'].map((b) => panel.locator(b).isVisible())), [
        false,
        false,
        true,
      ]);
      await screenshot(page, `panel-stopped-${theme}`);
      if (theme === 'light') {
        // Resume on the stopped run, from the panel: it trains on from its checkpoint and the curve keeps its start.
        const status = async () => (await panel.locator('[data-stat="status"] .v').textContent()) ?? '';
        assert.equal(await panel.locator('#resume').isDisabled(), false, 'Resume is offered for a stopped run');
        await panel.locator('#resume').click();
        await waitFor(async () => /running/.test(await status()), 120_000, 'the run to resume');
        await waitFor(async () => (await points()) > stoppedAt + 2, 120_000, 'the resumed run to add iterations');
        await panel.locator('#stop').click();
        await waitFor(async () => /stopped/.test(await status()), 120_000, 'the resumed run to stop');
        return;
      }

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

    // Failed before the steps also completed on context keys: a command run from a CodeLens did not tick its step.
    test(`${theme}: the walkthrough ticks its Train step after ▶ Train from the CodeLens`, { skip: once }, async () => {
      const { page } = wb;
      await runCommand(page, 'Welcome: Open Walkthrough...');
      await pickItem(page, 'Get Started with ResNet Lab');
      const step = page.locator('button.getting-started-step[data-step-id$="train"]');
      await step.waitFor({ state: 'attached', timeout: 30_000 });
      await waitFor(async () => (await step.getAttribute('aria-checked')) === 'true', 15_000, 'the Train step ticked');
      await screenshot(page, `walkthrough-${theme}`);
    });
  });
