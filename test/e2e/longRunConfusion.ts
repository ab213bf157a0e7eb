// The long run's confusion records (longRunFixture.ts: CIFAR-10's 10,000 test
// images at each of 256 epochs): with the distributions, the run's new files
// stay under 20 MB, and the Confusion tab opens on the last epoch soon after
// it is clicked, from a message that carries matrices, not predictions.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { CONFUSION, DISTRIBUTIONS, PREDICTIONS_BIN } from '../../src/core/runs/runFiles';
import { screenshot, waitFor, webviewFrame } from './workbench';

export async function checkConfusionTab(page: Page, runDir: string, epochs: number): Promise<void> {
  const sizes = [CONFUSION, PREDICTIONS_BIN, DISTRIBUTIONS].map((f) => fs.statSync(path.join(runDir, f)).size);
  const total = sizes.reduce((a, b) => a + b, 0);
  console.log(
    `new files of the 100k run: ${[CONFUSION, PREDICTIONS_BIN, DISTRIBUTIONS].map((f, i) => `${f} ${(sizes[i] / 2 ** 20).toFixed(1)} MB`).join(', ')}; ${(total / 2 ** 20).toFixed(1)} MB in all`,
  );
  assert.ok(total < 20 * 2 ** 20, `${total} bytes of confusion and distribution records`);
  const panel = webviewFrame(page);
  const t0 = Date.now();
  await panel.locator('[data-tab="confusion"]').click();
  const cells = panel.locator('svg.confusion-heatmap g.cell');
  await waitFor(async () => (await cells.count()) === 100, 30_000, "the heat map's 100 cells");
  const ms = Date.now() - t0;
  console.log(`confusion tab drawn ${ms} ms after the click`);
  assert.ok(ms < 3000, `the tab took ${ms} ms`);
  assert.match(
    (await panel.locator('#confusion-epoch-label').textContent()) ?? '',
    new RegExp(`^${epochs} of ${epochs}`),
  );
  const diagonal = await cells.evaluateAll((gs) =>
    gs.filter((g) => g.dataset.actual === g.dataset.predicted).map((g) => Number(g.dataset.count)),
  );
  assert.equal(diagonal.length, 10);
  assert.ok(
    diagonal.every((c) => c > 900),
    `the last epoch's test error is about 6 %: ${diagonal.join(' ')}`,
  );
  const largest = Number(await panel.locator('body').getAttribute('data-largest-message'));
  assert.ok(largest < 2_000_000, `largest message ${largest} bytes`);
  await screenshot(page, 'long-run-confusion-dark');
}
