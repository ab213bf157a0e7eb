// The runs table (issue 23, part 1), as a person uses it in a real VS Code
// (code-server): 500 generated runs, two of them in an exported Keras
// project's runs folder, open from the palette (timed from Enter, best of
// two: under 1 s, and against an empty webview's start); sorting and filtering
// show what the fixture's formulas say; two picked runs give their config
// diff and are overlaid in the training panel; the parallel-coordinates view
// draws a line per shown run; a run is archived
// and another deleted after the confirmation, and a run that is training
// cannot be picked for either. Screenshots in both themes go to test-results/
// and docs/images/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { openWorkbench, REPO_ROOT, Workbench } from '../harness/codeServer';
import { runCommand, screenshot, setColorTheme, waitFor, webviewFrame } from './workbench';
import { formatCell } from '../../src/core/runsTable/columns';
import { expectedRun, writeManyRuns } from './manyRunsFixture';

const COUNT = 500;
/** Runs moved into an exported Keras project's own runs folder (train.py's default). */
const IN_KERAS_PROJECT = [3, 13];
const TITLE = 'ResNet Lab: Show Runs Table';
const EMPTY_TITLE = 'Test Fixture: Open Empty Webview';

let wb: Workbench;
let workspace: string;
let runsDir: string;

before(async () => {
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-e2e-runs-table-'));
  runsDir = path.join(workspace, '.resnet-lab', 'runs');
  writeManyRuns(runsDir, COUNT);
  const kerasRuns = path.join(workspace, 'resnet56-keras', 'runs');
  fs.mkdirSync(kerasRuns, { recursive: true });
  for (const i of IN_KERAS_PROJECT)
    fs.renameSync(path.join(runsDir, expectedRun(i).folder), path.join(kerasRuns, expectedRun(i).folder));
  // Run 6 is training: run.json says so, with this (live) process as its trainer on this machine.
  const live = path.join(runsDir, expectedRun(6).folder, 'run.json');
  const info = JSON.parse(fs.readFileSync(live, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(live, JSON.stringify({ ...info, status: 'running', pid: process.pid, host: os.hostname() }));
  wb = await openWorkbench({
    extensionPath: REPO_ROOT,
    workspace,
    settings: { 'resnetLab.backend': 'wasm' },
    copyExtensions: [path.join(REPO_ROOT, 'test', 'fixtures', 'emptyWebviewExtension')],
  });
  await setColorTheme(wb.page, 'Dark Modern');
});
after(async () => {
  await wb?.close();
  fs.rmSync(workspace, { recursive: true, force: true });
});

async function keep(name: string): Promise<void> {
  const file = await screenshot(wb.page, name);
  fs.copyFileSync(file, path.join(REPO_ROOT, 'docs', 'images', `${name}.png`));
}

/**
 * Milliseconds from Enter on a palette command to each of the `stamps` its webview put on its body (epoch ms), read
 * once the last stamp is there and `done` says the page shows what it should.
 */
async function openFromPalette(
  page: Page,
  title: string,
  stamps: string[],
  done: (body: Locator) => Promise<boolean> = async () => true,
): Promise<Record<string, number>> {
  await page.keyboard.press('Control+Shift+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title }).waitFor({ timeout: 60_000 });
  const t0 = Date.now();
  await page.keyboard.press('Enter');
  const body = webviewFrame(page).locator('body');
  const last = stamps.at(-1)!;
  await waitFor(
    async () => (await body.getAttribute(last, { timeout: 200 })) !== null && (await done(body)),
    30_000,
    `${title}: ${last}`,
  );
  const at: Record<string, number> = {};
  for (const s of stamps) at[s] = Number(await body.getAttribute(s)) - t0;
  return at;
}

/** Opens the table from the palette: Enter to the first screen of rows, and the table's own share of it. */
interface Opening {
  /** Enter to the first screen of rows drawn (stamped by the webview). */
  total: number;
  /** From the webview's script starting (VS Code has made the webview) to the rows drawn. */
  own: number;
}

async function openTable(page: Page): Promise<Opening> {
  // The first opening of a window can show the runs of our runs folder before those of the Keras project (found by a
  // search of the workspace once the page is ready): timed when all of them are there.
  const all = async (body: Locator) => (await body.getAttribute('data-rows')) === String(COUNT);
  const at = await openFromPalette(
    page,
    TITLE,
    ['data-script-start', 'data-rows-arrived-at', 'data-rendered-at', 'data-complete-at'],
    all,
  );
  const body = webviewFrame(page).locator('body');
  const [readMs, renderMs] = [await body.getAttribute('data-read-ms'), await body.getAttribute('data-render-ms')];
  console.log(
    `runs table: webview script started ${at['data-script-start']} ms, rows arrived ${at['data-rows-arrived-at']} ms, first screen of rows drawn ${at['data-rendered-at']} ms, all ${COUNT} rows in ${at['data-complete-at']} ms after Enter (host read ${readMs} ms, first screen drawn in ${renderMs} ms)`,
  );
  return { total: at['data-rendered-at'], own: at['data-rendered-at'] - at['data-script-start'] };
}

/** The baseline: Enter to the script start of a webview with nothing in it (test/fixtures/emptyWebviewExtension). */
async function openEmptyWebview(page: Page): Promise<number> {
  return (await openFromPalette(page, EMPTY_TITLE, ['data-script-start']))['data-script-start'];
}

/**
 * Unregisters the service workers that closed webviews left (VS Code's webview page registers one per webview, at
 * one scope in code-server), so the next webview starts as a session's first does. Returns how many there were.
 */
async function forgetWebviewWorkers(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const regs = await navigator.serviceWorker.getRegistrations();
    const webviews = regs.filter((r) => r.scope.includes('/webview/browser/pre/'));
    await Promise.all(webviews.map((r) => r.unregister()));
    return webviews.length;
  });
}

async function closeAll(page: Page): Promise<void> {
  await runCommand(page, 'View: Close All Editors');
  // The opening is timed, not the closing: let the workbench finish disposing the webview first.
  await new Promise((r) => setTimeout(r, 2000));
}

const rowOf = (frame: FrameLocator, i: number) => frame.locator(`tr[title="${expectedRun(i).folder}"]`);
const cellTexts = async (frame: FrameLocator, i: number) =>
  (await rowOf(frame, i).locator('td').allTextContents()).slice(1);
const pick = (frame: FrameLocator, i: number) => rowOf(frame, i).locator('input[type=checkbox]').check();

test("500 runs: under 1 s from Enter when code-server does not first replace the last webview's service worker, and under 300 ms beyond an empty webview when it does; the rows say what the run folders hold", async () => {
  const { page } = wb;
  // Every webview after a session's first waits ~1 s in VS Code's webview page while Chromium swaps the last
  // webview's service worker for its own (docs/user-guide.md#the-runs-table). Measured both ways, best of two:
  // after another webview, against an empty webview opened the same way (they take turns, the empty one first so
  // that neither is the session's first webview); and with that worker gone, as for a session's first webview.
  const first = await openEmptyWebview(page);
  await closeAll(page);
  const openings: Opening[] = [];
  const empty: number[] = [];
  for (let attempt = 0; attempt < 2; attempt++) {
    openings.push(await openTable(page));
    await closeAll(page);
    empty.push(await openEmptyWebview(page));
    await closeAll(page);
  }
  const unswapped: Opening[] = [];
  for (let attempt = 0; attempt < 2; attempt++) {
    if (attempt) await closeAll(page);
    assert.ok((await forgetWebviewWorkers(page)) > 0, 'the last webview left its service worker');
    unswapped.push(await openTable(page)); // the second stays open for the tests below
  }
  const best = Math.min(...openings.map((o) => o.total));
  const ownBest = Math.min(...[...openings, ...unswapped].map((o) => o.own));
  const emptyBest = Math.min(...empty);
  const unswappedBest = Math.min(...unswapped.map((o) => o.total));
  const ms = (xs: number[]) => `${xs.join(' ms, ')} ms`;
  console.log(
    `runs table: ${COUNT} runs drawn ${ms(openings.map((o) => o.total))} after Enter following another webview, ${ms(unswapped.map((o) => o.total))} without its service worker to replace (the table's own share ${ms([...openings, ...unswapped].map((o) => o.own))}); an empty webview's script started ${ms(empty)} after Enter (${first} ms as the session's first webview); load ${(os.loadavg()[0] / os.cpus().length).toFixed(1)} per core`,
  );
  console.log(
    `runs table: best of two from Enter ${best} ms after another webview (an empty webview's best ${emptyBest} ms), ${unswappedBest} ms without the worker swap`,
  );
  // The bound, from Enter, on the path where code-server adds nothing of its own: the command, the panel,
  // its page and bundle, the host's read of 500 summaries, the message, the first screen of rows drawn.
  assert.ok(unswappedBest < 1000, `Enter to rows without the worker swap: ${unswappedBest} ms`);
  // After another webview: what the table adds to code-server's start of any webview, and its own share.
  assert.ok(best - emptyBest < 300, `Enter to rows ${best} ms, an empty webview's start ${emptyBest} ms`);
  assert.ok(ownBest < 300, `the table's own share of the best opening: ${ownBest} ms`);

  const frame = webviewFrame(page);
  const headers = await frame.locator('thead th').allTextContents();
  assert.deepEqual(headers.slice(1, 4), ['experiment', 'file', 'depth']);
  // Run 11: ResNet-56, option B, lr 0.1, batch 64, seed 5, 12 epochs of 50 iterations on tfjs.
  const r = expectedRun(11);
  const cells = await cellTexts(frame, 11);
  assert.deepEqual(cells.slice(0, 4), ['resnet56B', 'grid.ts', '56', 'B']);
  assert.match(cells[5], /^\d{3},\d{3}$/, 'parameters');
  assert.deepEqual([cells[4], ...cells.slice(6, 11)], ['basic', '0.1', '64', '5', '600', 'tensorflow · graph']);
  assert.equal(cells[11], `${(r.trainErrors.at(-1)! * 100).toFixed(2)}%`);
  assert.equal(cells[12], `${(r.testErrors.at(-1)! * 100).toFixed(2)}%`);
  assert.equal(cells[13], `${(Math.min(...r.testErrors) * 100).toFixed(2)}%`);
  assert.equal(cells[14], formatCell('seconds', r.epochs * r.epochSeconds));
  assert.equal(cells[15], 'finished');
  // The Keras project's runs are listed with their engine.
  assert.equal((await cellTexts(frame, 13))[10], 'keras · jax · 1× NVIDIA H200');
  assert.equal((await cellTexts(frame, 6))[15], 'running');
});

test('sorting by best test error and filtering by column', async () => {
  const frame = webviewFrame(wb.page);
  await frame.locator('th[data-key="bestTestError"]').click();
  const best = Array.from({ length: COUNT }, (_, i) => Math.min(...expectedRun(i).testErrors));
  const firstBest = (await frame.locator('tbody tr').first().locator('td').nth(14).textContent()) ?? '';
  assert.equal(firstBest, `${(Math.min(...best) * 100).toFixed(2)}%`);

  await frame.locator('#filter').fill('depth>=44 none');
  const plainDeep = Array.from({ length: COUNT }, (_, i) => expectedRun(i)).filter(
    (x) => x.depth >= 44 && x.variant === 'plain',
  ).length;
  await waitFor(
    async () => (await frame.locator('body').getAttribute('data-rows')) === String(plainDeep),
    10_000,
    `${plainDeep} plain runs of depth 44 and 56`,
  );
  assert.match(
    (await frame.locator('#runs-title').textContent()) ?? '',
    new RegExp(`Runs \\(${plainDeep} of ${COUNT}\\)`),
  );
  await waitFor(
    async () => (await frame.locator('svg.parallel path.pc-run').count()) === plainDeep,
    10_000,
    'a line per shown run in the parallel-coordinates view',
  );
  await frame.locator('#filter').fill('');
  await waitFor(async () => (await frame.locator('body').getAttribute('data-rows')) === String(COUNT), 10_000, 'all');
});

test('config diff of two picked runs; Compare overlays them in the training panel; screenshots in both themes', async () => {
  const { page } = wb;
  const frame = webviewFrame(page);
  // Picked runs stay picked while the filter changes.
  await frame.locator('#filter').fill('grid4');
  await pick(frame, 4);
  await frame.locator('#filter').fill('grid11');
  await pick(frame, 11);
  await frame.locator('#diff').click();
  const diff = frame.locator('#diff-result');
  await diff.waitFor({ state: 'visible', timeout: 10_000 });
  const lines = await diff.locator('li').allTextContents();
  assert.ok(lines.includes('depth 20 → 56'), lines.join('; '));
  assert.ok(lines.includes('shortcut A → B'), lines.join('; '));
  assert.ok(lines.includes('batch 128 → 64'), lines.join('; '));
  assert.ok(!lines.some((l) => l.startsWith('lr ')), 'both at lr 0.1');
  await frame.locator('#filter').fill('');
  await waitFor(async () => (await frame.locator('body').getAttribute('data-rows')) === String(COUNT), 10_000, 'all');
  await waitFor(
    async () => (await frame.locator('svg.parallel path.pc-run.picked').count()) === 2,
    10_000,
    'the picked runs drawn on top in the parallel-coordinates view',
  );
  // The table's columns, not the Explorer, in the pictures.
  await runCommand(page, 'View: Close Primary Side Bar');
  await keep('runs-table-dark');
  const dark = await frame.locator('svg.parallel rect.background').getAttribute('fill');
  await setColorTheme(page, 'Light Modern');
  await waitFor(
    async () => (await frame.locator('svg.parallel rect.background').getAttribute('fill')) !== dark,
    10_000,
    'the light theme',
  );
  await keep('runs-table-light');

  await frame.locator('#compare').click();
  await page.locator('.tab', { hasText: 'Compare 2 runs' }).waitFor({ timeout: 30_000 });
});

async function confirm(page: Page, button: string): Promise<void> {
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 10_000 });
  await dialog.locator('.monaco-button', { hasText: button }).first().click();
}

test('archive and delete ask first and remove only the run folder; a run in training cannot be picked for either', async () => {
  const { page } = wb;
  await page.locator('.tab', { hasText: 'ResNet Lab: Runs' }).click();
  const frame = webviewFrame(page);
  await pick(frame, 6);
  assert.equal(await frame.locator('#delete').isDisabled(), true);
  assert.equal(await frame.locator('#archive').isDisabled(), true);
  assert.match((await frame.locator('#notice').textContent()) ?? '', /still training/);
  await rowOf(frame, 6).locator('input[type=checkbox]').uncheck();
  for (const i of [4, 11]) await rowOf(frame, i).locator('input[type=checkbox]').uncheck();

  await pick(frame, 20);
  await frame.locator('#archive').click();
  await confirm(page, 'Archive');
  const rows = (n: number) => async () => (await frame.locator('body').getAttribute('data-rows')) === String(n);
  await waitFor(rows(COUNT - 1), 10_000, 'one run fewer');
  assert.ok(fs.existsSync(path.join(workspace, '.resnet-lab', 'archive', expectedRun(20).folder, 'run.json')));
  assert.equal(fs.existsSync(path.join(runsDir, expectedRun(20).folder)), false);

  await pick(frame, 21);
  await frame.locator('#delete').click();
  await confirm(page, 'Delete');
  await waitFor(rows(COUNT - 2), 10_000, 'two runs fewer');
  assert.equal(fs.existsSync(path.join(runsDir, expectedRun(21).folder)), false);
  assert.ok(fs.existsSync(path.join(runsDir, expectedRun(22).folder, 'run.json')), 'its neighbour is untouched');
});
