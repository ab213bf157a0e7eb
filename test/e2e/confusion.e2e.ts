// End to end: ▶ Train the quickstart in a real VS Code (code-server), open the
// panel's Confusion tab after the first epoch, check the heat map against the
// run folder's confusion.jsonl, click a cell and see that cell's test images
// (with the model's top-3 on hover); then the light theme. Screenshots go to
// test-results/ (confusion-dark.png, confusion-light.png).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readConfusion } from '../../src/core/runs/confusionRecords';
import { openWorkbench, REPO_ROOT, Workbench } from '../harness/codeServer';
import { openFile, runCommand, screenshot, setColorTheme, waitFor, webviewFrame } from './workbench';

let wb: Workbench;
let workspace: string;

before(async () => {
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-e2e-confusion-'));
  fs.cpSync(path.join(REPO_ROOT, 'examples'), workspace, { recursive: true });
  wb = await openWorkbench({ extensionPath: REPO_ROOT, workspace, settings: { 'resnetLab.backend': 'wasm' } });
  await setColorTheme(wb.page, 'Dark Modern');
});
after(async () => {
  await wb?.close();
});

const runDir = () => {
  const runs = path.join(workspace, '.resnet-lab', 'runs');
  const [dir] = fs.existsSync(runs) ? fs.readdirSync(runs) : [];
  return dir ? path.join(runs, dir) : undefined;
};

test("the Confusion tab shows the quickstart's matrix per epoch, and a clicked cell's test images", async () => {
  const { page } = wb;
  await openFile(page, 'quickstart.ts');
  const lens = page.locator('.codelens-decoration a', { hasText: 'Train' }).first();
  await lens.waitFor({ state: 'visible', timeout: 60_000 });
  await lens.click();
  const panel = webviewFrame(page);
  await panel.locator('[data-tab="confusion"]').click();
  await waitFor(
    async () => (runDir() ? readConfusion(runDir()!).length >= 1 : false),
    300_000,
    "the first epoch's confusion record",
  );
  const cells = panel.locator('svg.confusion-heatmap g.cell');
  await waitFor(async () => (await cells.count()) === 100, 60_000, 'the 10×10 heat map');
  const record = readConfusion(runDir()!)[0];
  const counts = await cells.evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-count'))));
  assert.equal(
    counts.reduce((s, v) => s + v, 0),
    1000,
    'every test image counted once',
  );
  assert.deepEqual(counts, record.matrix.flat(), 'the matrix of confusion.jsonl');
  assert.equal(await panel.locator('svg.confusion-curves polyline.class-error').count(), 10, 'a curve per class');
  assert.match((await panel.locator('svg.confusion-heatmap').textContent()) ?? '', /triangle/, 'class names');

  // The fullest cell off the diagonal (a confusion), else the fullest one.
  const order = counts
    .map((count, k) => ({ count, actual: Math.floor(k / 10), predicted: k % 10 }))
    .sort(
      (a, b) =>
        Number(b.actual !== b.predicted && b.count > 0) - Number(a.actual !== a.predicted && a.count > 0) ||
        b.count - a.count,
    );
  const cell = order[0];
  await cells.nth(cell.actual * 10 + cell.predicted).click();
  const box = panel.locator('#confusion-cell');
  await waitFor(async () => (await box.getAttribute('data-total')) === String(cell.count), 30_000, "the cell's images");
  const thumbs = box.locator('canvas.thumb');
  assert.equal(await thumbs.count(), Math.min(cell.count, 60));
  const title = (await thumbs.first().getAttribute('title')) ?? '';
  assert.match(title, /^test image #\d+: \S+ \d+\.\d% · \S+ \d+\.\d% · \S+ \d+\.\d%$/, title);
  // The top guess of each image is the cell's predicted class.
  const predictedName = (await box.locator('h3').textContent())!.split(' predicted as ')[1].split(':')[0];
  assert.ok(title.includes(`: ${predictedName} `), `${title} starts with ${predictedName}`);
  // The thumbnail is the image itself, not a blank canvas.
  const lit = await thumbs.first().evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    return new Set(Array.from({ length: d.length / 4 }, (_, p) => d[4 * p] + 256 * d[4 * p + 1])).size;
  });
  assert.ok(lit > 3, `the thumbnail has ${lit} colours`);
  await screenshot(page, 'confusion-dark');

  // While the run trains, the slider follows it to each new epoch; Play steps through them from the first.
  const label = panel.locator('#confusion-epoch-label');
  await waitFor(async () => (await label.textContent()) === '2 of 2 (latest)', 300_000, 'epoch 2 to arrive');
  assert.deepEqual(
    await cells.evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-count')))),
    readConfusion(runDir()!)[1].matrix.flat(),
  );
  await panel.locator('#confusion-play').click();
  const shownEpochs = new Set<string>();
  await waitFor(
    async () => {
      shownEpochs.add((await panel.locator('body').getAttribute('data-confusion-epoch')) ?? '');
      return (await panel.locator('#confusion-play').textContent()) === 'Play' && shownEpochs.has('1');
    },
    30_000,
    'Play to step through the epochs',
  );
  assert.ok(shownEpochs.has('1') && shownEpochs.has('2'), [...shownEpochs].join());

  await setColorTheme(page, 'Light Modern');
  await waitFor(async () => (await cells.count()) === 100, 30_000, 'the heat map redrawn');
  await screenshot(page, 'confusion-light');

  // PNG of the heat map (an SVG, drawn into a canvas in the webview), saved where the save dialog suggests: the run folder.
  await panel.locator('[data-export="png"]').click();
  const saveAs = page.locator('.quick-input-widget input');
  await waitFor(async () => (await saveAs.inputValue()).endsWith('confusion.png'), 20_000, 'the save dialog');
  await page.keyboard.press('Enter');
  const pngFile = path.join(runDir()!, 'confusion.png');
  await waitFor(async () => fs.existsSync(pngFile) && fs.statSync(pngFile).size > 0, 20_000, 'confusion.png');
  const png = fs.readFileSync(pngFile);
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  const heatmapWidth = Number(await panel.locator('svg.confusion-heatmap').first().getAttribute('width'));
  assert.equal(png.readUInt32BE(16), heatmapWidth * 2, 'the heat map at twice its size');

  await panel.locator('#stop').click();
  await waitFor(
    async () => /stopped/.test((await panel.locator('[data-stat="status"] .v').textContent()) ?? ''),
    120_000,
    'the run to stop',
  );
});

test("Compare: two runs' matrices and per-class errors side by side", async () => {
  const { page } = wb;
  // Wide enough for two matrices side by side (the panel is half the editor area).
  await page.setViewportSize({ width: 2200, height: 1000 });
  // A second run: a copy of the first (its folder is all a run is).
  const first = runDir()!;
  fs.cpSync(first, `${first}-copy`, { recursive: true, filter: (f) => path.basename(f) !== 'trainer.lock' });
  await page.locator('.activitybar [aria-label^="ResNet Lab"]').first().click();
  const side = page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
  await waitFor(async () => (await side.locator('li.run').count()) >= 2, 60_000, 'both runs in the side view');
  const boxes = side.locator('li.run input[type="checkbox"]');
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await side.locator('#compare').click();
  const panel = webviewFrame(page);
  await waitFor(async () => (await panel.locator('body.compare').count()) === 1, 60_000, 'the comparison');
  await panel.locator('[data-tab="confusion"]').click();
  const columns = panel.locator('.confusion-body.compare .confusion-run');
  await waitFor(
    async () => (await columns.locator('svg.confusion-heatmap').count()) === 2,
    60_000,
    'a heat map per run',
  );
  assert.equal(await columns.locator('svg.confusion-curves').count(), 2, 'per-class error curves per run');
  assert.equal(await panel.locator('#confusion-cell').isHidden(), true, "the last view's cell is gone");
  const boxesOf = await columns.evaluateAll((cs) =>
    cs.map((c) => {
      const r = c.getBoundingClientRect();
      return `${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}px of ${document.documentElement.clientWidth}px`;
    }),
  );
  assert.equal(
    boxesOf[0].split(' ')[0].split(',')[1],
    boxesOf[1].split(' ')[0].split(',')[1],
    `side by side, not stacked: ${boxesOf.join('; ')}`,
  );
  await screenshot(page, 'confusion-compare-light');

  // After a window reload the panel comes back from the run folders, and so does the tab's data.
  await runCommand(page, 'Developer: Reload Window');
  await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 60_000 });
  // The side view is open too: the panel is whichever webview shows the comparison.
  let restored: ReturnType<typeof webviewFrame> | undefined;
  await waitFor(
    async () => {
      const frames = await page.locator('iframe.webview.ready').count();
      for (let i = 0; i < frames && !restored; i++)
        if ((await webviewFrame(page, i).locator('body.compare').count()) === 1) restored = webviewFrame(page, i);
      return !!restored;
    },
    90_000,
    'the restored comparison',
  );
  const frame = restored!;
  await frame.locator('[data-tab="confusion"]').click();
  await waitFor(
    async () => (await frame.locator('svg.confusion-heatmap').count()) === 2,
    60_000,
    'both matrices after the reload',
  );
});
