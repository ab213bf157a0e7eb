// The long run's distributions (longRunFixture.ts): the file stays under 20
// MB, and the Distributions tab shows ResNet-20's 19 kernels, fc and 9 block
// outputs from one message of a chart's width of records, soon after it is
// opened.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { DISTRIBUTIONS } from '../../src/core/runs/runFiles';
import { screenshot, waitFor, webviewFrame } from './workbench';

export async function checkDistributionsTab(page: Page, runDir: string): Promise<void> {
  const bytes = fs.statSync(path.join(runDir, DISTRIBUTIONS)).size;
  console.log(`distributions.jsonl: ${(bytes / 2 ** 20).toFixed(1)} MB`);
  assert.ok(bytes < 20 * 2 ** 20, `${bytes} bytes of distributions`);
  const panel = webviewFrame(page);
  const t0 = Date.now();
  await panel.locator('[data-tab="distributions"]').click();
  const charts = panel.locator('.dist-run .dist-chart');
  await waitFor(async () => (await charts.count()) === 29, 30_000, 'a chart per kernel (20) and block output (9)');
  const ms = Date.now() - t0;
  console.log(`distributions tab drawn ${ms} ms after the click`);
  assert.ok(ms < 3000, `the tab took ${ms} ms`);
  assert.match((await panel.locator('.dist-run h3').textContent()) ?? '', /1001 records, iteration 100000/);
  const largest = Number(await panel.locator('body').getAttribute('data-largest-message'));
  assert.ok(largest < 2_000_000, `largest message ${largest} bytes`);
  await screenshot(page, 'long-run-distributions-dark');
}
