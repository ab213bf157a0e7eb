// Issue 27, end to end: a short ResNet-8 run (trained by the CLI, as a user
// would in a terminal) opened with *Open Run*; the diagram's Unravel toggle
// draws its 2^3 paths and names a hovered path's length; the Paths tab
// measures the gradient by path length in a trainer process and draws Veit
// et al.'s Fig. 6. Screenshots in both themes go to test-results/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { openWorkbench, REPO_ROOT, Workbench } from '../harness/codeServer';
import { pickItem, runCommand, screenshot, setColorTheme, waitFor, webviewFrame } from './workbench';
import type { PathsResult } from '../../src/protocol/trainer';

/**
 * Moves the mouse onto a path of the unraveled view where it is alone: half
 * way down the middle block, in its own lane (the drawing's points are input,
 * then in and out of each block, then output).
 */
async function hoverPath(page: Page, panel: FrameLocator, mask: number): Promise<void> {
  const svg = await panel.locator('svg.unravel-paths').boundingBox();
  assert.ok(svg, 'the unraveled view is on the page');
  const at = await panel.locator(`.unravel g.path[data-mask="${mask}"] path.line`).evaluate((p) => {
    const xy = [...(p.getAttribute('d') ?? '').matchAll(/(-?[\d.]+),(-?[\d.]+)/g)].map((m) => [+m[1], +m[2]]);
    const owner = (p as SVGPathElement).ownerSVGElement!;
    const scale = owner.getBoundingClientRect().width / owner.viewBox.baseVal.width;
    return { x: xy[3][0] * scale, y: ((xy[3][1] + xy[4][1]) / 2) * scale };
  });
  await page.mouse.move(svg.x + at.x, svg.y + at.y);
}

describe('the unraveled diagram and the gradient by path length', () => {
  let wb: Workbench;
  let workspace: string;
  let runDir: string;

  before(async () => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-e2e-paths-'));
    fs.cpSync(path.join(REPO_ROOT, 'examples'), workspace, { recursive: true });
    const runs = path.join(workspace, '.resnet-lab', 'runs');
    execFileSync(
      process.execPath,
      [
        path.join(REPO_ROOT, 'dist', 'cli.js'),
        'train',
        'quickstart.ts',
        'quickstart',
        '--iterations',
        '24',
        '--runs-dir',
        runs,
      ],
      { cwd: workspace, stdio: 'ignore' },
    );
    runDir = path.join(runs, fs.readdirSync(runs)[0]);
    wb = await openWorkbench({ extensionPath: REPO_ROOT, workspace, settings: { 'resnetLab.backend': 'wasm' } });
    await setColorTheme(wb.page, 'Dark Modern');
  });
  after(async () => {
    await wb?.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  test('Unravel draws the 8 paths of ResNet-8; the Paths tab draws Fig. 6; both themes', async () => {
    const { page } = wb;
    await runCommand(page, 'Open Run');
    await pickItem(page, 'quickstart');
    const panel = webviewFrame(page);
    await panel.locator('svg.diagram').waitFor({ state: 'visible', timeout: 60_000 });

    // Unravel: three residual blocks, 2^3 paths, one line each.
    await panel.locator('#unravel').click();
    const view = panel.locator('.unravel');
    await view.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await view.getAttribute('data-blocks'), '3');
    assert.equal(await view.getAttribute('data-paths'), '8');
    assert.equal(await panel.locator('.unravel g.path').count(), 8);
    const lengths = await panel
      .locator('.unravel g.path')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-length')));
    assert.deepEqual(lengths, ['0', '1', '1', '1', '2', '2', '2', '3']);
    // Hover the path through every block: it is highlighted and its length named.
    await hoverPath(page, panel, 7);
    await waitFor(
      async () => /length 3 of 3/.test((await panel.locator('.unravel-info').textContent()) ?? ''),
      5_000,
      'the hovered path to be named',
    );
    assert.equal(await panel.locator('.unravel g.path.active').count(), 1);
    await screenshot(page, 'unravel-dark');

    // The Paths tab: the analysis in a trainer process, three charts of 4 lengths each.
    await panel.locator('[data-tab="paths"]').click();
    await panel.locator('#run-paths').click();
    const charts = panel.locator('#paths-charts canvas[data-lengths]');
    await waitFor(async () => (await charts.count()) === 3, 180_000, 'the three charts of Fig. 6');
    assert.equal(await charts.first().getAttribute('data-lengths'), '4');
    const stored = JSON.parse(fs.readFileSync(path.join(runDir, 'paths.json'), 'utf8')) as PathsResult;
    assert.equal(stored.blocks.length, 3);
    assert.equal(
      await charts.first().getAttribute('data-effective'),
      `${stored.effective.from}-${stored.effective.to}`,
    );
    assert.match((await panel.locator('#paths-status').textContent()) ?? '', /3 residual blocks, 2\^3 paths/);
    await screenshot(page, 'paths-dark');

    // The light theme: both views redrawn in its colours.
    await setColorTheme(page, 'Light Modern');
    await waitFor(async () => (await charts.count()) === 3, 30_000, 'the charts redrawn in the light theme');
    await screenshot(page, 'paths-light');
    await hoverPath(page, panel, 2);
    await waitFor(
      async () => /length 1 of 3/.test((await panel.locator('.unravel-info').textContent()) ?? ''),
      5_000,
      'the hovered path to be named',
    );
    await screenshot(page, 'unravel-light');
  });

  test('Compare: two residual runs on one chart of gradient shares, each its Fig. 6; a plain net is one path', async () => {
    const { page } = wb;
    // Two more runs, as a user would start them in a terminal: the quickstart with another seed, and its plain twin.
    fs.writeFileSync(
      path.join(workspace, 'plain.ts'),
      [
        "import { experiment, plainCifar, synthetic } from 'resnet-lab';",
        'export const plain8 = experiment({',
        '  model: plainCifar({ depth: 8, widths: [8, 16, 32] }),',
        '  data: synthetic({ trainSize: 4000, testSize: 1000 }),',
        '  batchSize: 64,',
        '  optimizer: { lr: 0.05 },',
        '});',
        '',
      ].join('\n'),
    );
    const runs = path.dirname(runDir);
    for (const args of [
      ['quickstart.ts', 'quickstart', '--seed', '2'],
      ['plain.ts', 'plain8'],
    ])
      execFileSync(
        process.execPath,
        [path.join(REPO_ROOT, 'dist', 'cli.js'), 'train', ...args, '--iterations', '24', '--runs-dir', runs],
        { cwd: workspace, stdio: 'ignore' },
      );
    await page.locator('.activitybar [aria-label^="ResNet Lab"]').first().click();
    const side = page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
    await waitFor(async () => (await side.locator('li.run').count()) >= 3, 60_000, 'the three runs in the side view');
    const boxes = side.locator('li.run input[type="checkbox"]');
    for (let i = 0; i < 3; i++) await boxes.nth(i).check();
    await side.locator('#compare').click();
    const panel = webviewFrame(page);
    await waitFor(async () => (await panel.locator('body.compare').count()) === 1, 60_000, 'the comparison');
    await panel.locator('[data-tab="paths"]').click();
    await panel.locator('#run-paths').click();
    const shares = panel.locator('#paths-charts canvas[data-runs]');
    const figures = panel.locator('#paths-charts canvas[data-lengths]');
    const notes = panel.locator('#paths-charts .paths-notes li');
    // One run at a time, each said in the status line until the last has answered.
    await waitFor(
      async () => /run \d of 3/.test((await panel.locator('#paths-status').textContent()) ?? ''),
      30_000,
      'the status naming the run under way',
    );
    await waitFor(
      async () =>
        (await shares.count()) === 1 &&
        (await figures.count()) === 6 &&
        (await notes.count()) === 1 &&
        /2 of 3 runs measured/.test((await panel.locator('#paths-status').textContent()) ?? ''),
      180_000,
      'one chart of shares, Fig. 6 for each residual run, a line for the plain one, and all three answered',
    );
    assert.equal(await shares.getAttribute('data-runs'), '2');
    assert.match((await notes.textContent()) ?? '', /plain8.*a plain net is a single path/);
    assert.match((await panel.locator('#paths-status').textContent()) ?? '', /2 of 3 runs measured/);
    // Two runs of one experiment are told apart by when they started, in the headings and the header.
    const headings = await panel.locator('#paths-charts h3').allTextContents();
    assert.equal(headings.length, 2);
    assert.ok(
      headings.every((h) => /^resnet8 \(8 layers\) · \d\d:\d\d:\d\d$/.test(h)),
      headings.join(' | '),
    );
    assert.notEqual(headings[0], headings[1]);
    assert.equal(new Set(await panel.locator('#stats .stat b').allTextContents()).size, 3);
    await screenshot(page, 'paths-compare-light');
  });
});
