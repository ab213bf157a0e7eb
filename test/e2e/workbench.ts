// Helpers for driving the real VS Code workbench (code-server) like a person:
// the command palette, CodeLens clicks, webview frames, screenshots.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';

export const RESULTS = path.resolve(__dirname, '..', '..', 'test-results');

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Runs a command from the palette; retries while the extension is still registering its commands. */
export async function runCommand(page: Page, title: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await page.keyboard.press('Control+Shift+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 3_000 });
      await restPointerOn(input);
      await row.click();
      return;
    } catch {
      await page.keyboard.press('Escape');
    }
  }
  throw new Error(`command "${title}" never appeared in the palette`);
}

/**
 * Chooses the row of the open quick pick that shows `text` the way a keyboard user does: type, wait
 * until that row is the focused one, Enter. A click can miss: the pointer left over a row by the last
 * pick raises that row's hover, and the hover covers the row below it (it did on CI, for 30 s).
 */
export async function pickItem(page: Page, text: string, timeoutMs = 30_000): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(text);
  const focused = page.locator('.quick-input-list .monaco-list-row.focused', { hasText: text });
  await focused.waitFor({ state: 'visible', timeout: timeoutMs });
  await page.keyboard.press('Enter');
}

/** Moves the pointer onto an element with no hover of its own, so a hover raised where it rested closes. */
async function restPointerOn(target: Locator): Promise<void> {
  const box = await target.boundingBox();
  if (box) await target.page().mouse.move(box.x + box.width / 2, box.y + box.height / 2);
}

export async function openFile(page: Page, relative: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(relative);
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator('.monaco-editor .view-lines').first().waitFor({ state: 'visible' });
}

/** The content frame of the webview whose tab or view has this title. */
export function webviewFrame(page: Page, index = 0): FrameLocator {
  return page.frameLocator('iframe.webview.ready').nth(index).frameLocator('#active-frame');
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}

/**
 * Picks a colour theme the way a person does: Preferences: Color Theme, type,
 * Enter. The built-in themes register a few seconds after the workbench
 * shows, so the picker is reopened until the theme is listed.
 */
export async function setColorTheme(page: Page, label: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await runCommand(page, 'Preferences: Color Theme');
    await page.locator('.quick-input-widget input').fill(label);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 4_000 });
      await restPointerOn(page.locator('.quick-input-widget input'));
      await row.click();
      break;
    } catch (e) {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) throw e;
    }
  }
  const dark = /dark|black/i.test(label);
  await page.waitForSelector(dark ? '.monaco-workbench.vs-dark' : '.monaco-workbench.vs', { timeout: 10_000 });
}
