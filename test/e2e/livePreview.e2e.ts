// The live preview end to end, as a person types: open a model file in a real
// VS Code (code-server) in Chromium, show its diagram, change `depth: 8` to
// `depth: 14` and see the layer and shortcut-arc counts change within 2 s of
// the last keystroke; add an `add` of two shapes that cannot be added and see
// the last diagram greyed plus a Problems entry at that line; delete it and
// see the diagram come back. Screenshots of each state go to test-results/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { openWorkbench, REPO_ROOT, Workbench } from '../harness/codeServer';
import { openFile, RESULTS, screenshot, setColorTheme, waitFor, webviewFrame } from './workbench';

const MODEL = [
  '// Edit me: the diagram beside follows as you type.',
  "import * as tf from '@tensorflow/tfjs';",
  "import { DataInfo, experiment, resnetCifar, synthetic } from 'resnet-lab';",
  '',
  'function net(info: DataInfo): tf.LayersModel {',
  '  const model = resnetCifar({ depth: 8, widths: [8, 16, 32] })(info);',
  '  return model;',
  '}',
  '',
  'export const live = experiment({ model: net, data: synthetic(), epochs: 1 });',
  '',
].join('\n');
/** The `return model;` line (1-based): the broken `add` is typed above it and takes its number. */
const BROKEN_LINE = MODEL.split('\n').indexOf('  return model;') + 1;
const BROKEN = 'tf.layers.add().apply([tf.input({ shape: [32, 32, 16] }), tf.input({ shape: [16, 16, 32] })]);';
/** The bar: the diagram shows the edit within 2 s of the last keystroke. */
const WITHIN_MS = 2000;

let wb: Workbench;
let workspace: string;

before(async () => {
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-e2e-live-'));
  fs.writeFileSync(path.join(workspace, 'live.ts'), MODEL);
  wb = await openWorkbench({
    extensionPath: REPO_ROOT,
    workspace,
    settings: {
      'resnetLab.backend': 'wasm',
      // Keystrokes land as typed: no auto-closed brackets or quotes, no suggestion accepted by Enter.
      'editor.autoClosingBrackets': 'never',
      'editor.autoClosingQuotes': 'never',
      'editor.autoSurround': 'never',
      'editor.autoIndent': 'none',
      'editor.quickSuggestions': { other: false, comments: false, strings: false },
      'editor.suggestOnTriggerCharacters': false,
      'editor.acceptSuggestionOnEnter': 'off',
      'editor.parameterHints.enabled': false,
      // code-server saves edits after a second by default: off, or the preview would not be of unsaved text.
      'files.autoSave': 'off',
    },
  });
  await setColorTheme(wb.page, 'Dark Modern');
});
after(async () => {
  await wb?.close();
});

interface DiagramState {
  layers: number;
  shortcuts: number;
  state: string;
  changed: number;
}

/** Read in one go inside the webview, so that no redraw falls between two of the numbers. */
async function diagramState(panel: FrameLocator): Promise<DiagramState> {
  return panel.locator('#diagram').evaluate(
    (host) => {
      const svg = host.querySelector('svg.diagram');
      return {
        layers: Number(svg?.getAttribute('data-layers')),
        shortcuts: Number(svg?.getAttribute('data-shortcuts')),
        state: host.getAttribute('data-state') ?? '',
        changed: host.querySelectorAll('svg.diagram g.node.changed').length,
      };
    },
    undefined,
    { timeout: 2000 },
  );
}

/** Polls often (not waitFor's 500 ms) so the time to the change is measured to ~50 ms. */
async function until(
  panel: FrameLocator,
  check: (s: DiagramState) => boolean,
  timeoutMs: number,
  what: string,
): Promise<DiagramState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await diagramState(panel).catch(() => undefined);
    if (s && check(s)) return s;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what} (last: ${JSON.stringify(s)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Selects the first match of `text` in the editor (find widget, then Escape keeps the selection). */
async function select(page: Page, text: string): Promise<void> {
  // The file's editor, not another Monaco (the Problems panel's): under load a click can land before the
  // editor has focus, and the find widget then opens disabled; so try again, three times at most.
  const editor = page.locator('.editor-group-container .monaco-editor .view-lines').first();
  const find = page.locator(
    '.editor-group-container .find-widget textarea, .editor-group-container .find-widget input',
  );
  for (let attempt = 1; ; attempt++) {
    await editor.click();
    await page.keyboard.press('Control+F');
    await find.first().waitFor({ state: 'visible' });
    if (await find.first().isEnabled()) break;
    if (attempt === 3) throw new Error(`the find widget stayed disabled (${attempt} tries)`);
    await page.keyboard.press('Escape');
    await new Promise((r) => setTimeout(r, 500));
  }
  await find.first().fill(text);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
}

/** The Problems panel's rows of ResNet Lab's own entries. */
async function problems(page: Page): Promise<string[]> {
  return page
    .locator('.markers-panel .monaco-list-row')
    .evaluateAll((rows) => rows.map((r) => r.textContent ?? '').filter((t) => /resnet-lab/.test(t)));
}

test('the diagram follows the edited text: deeper net, a broken add greyed with its Problems entry, recovery', async () => {
  const { page } = wb;
  await openFile(page, 'live.ts');
  await page.keyboard.press('Control+B'); // no side bar: room for the file and its diagram
  // The size on the lens means the warm describe process is up (it builds the lens's facts).
  await page
    .locator('.codelens-decoration', { hasText: 'ResNet-8 ·' })
    .first()
    .waitFor({ state: 'visible', timeout: 120_000 });
  await page.locator('.codelens-decoration a', { hasText: 'Diagram' }).first().click();
  const panel = webviewFrame(page);
  const resnet8 = await until(panel, (s) => s.shortcuts === 3 && s.state === 'live', 120_000, 'the ResNet-8 diagram');
  // The person collapses the last block and scrolls a little: the redraw must keep both.
  await panel.locator('svg.diagram g.node[data-id="stage3/block1/conv1"]').click();
  await panel.locator('svg.diagram g.node[data-id="group:stage3/block1"]').waitFor({ state: 'visible' });
  const scrollTop = () => panel.locator('body').evaluate(() => document.scrollingElement!.scrollTop);
  await panel.locator('body').evaluate(() => {
    document.scrollingElement!.scrollTop = 40;
  });
  const scrolled = await scrollTop();
  assert.ok(scrolled > 0, 'the diagram scrolls');
  await screenshot(page, 'live-preview-1-resnet8');

  // depth: 8 -> depth: 14, typed.
  await select(page, 'depth: 8');
  await page.keyboard.type('depth: 14', { delay: 60 });
  const typedAt = Date.now();
  const resnet14 = await until(panel, (s) => s.shortcuts === 6, 30_000, 'the ResNet-14 diagram');
  const took = Date.now() - typedAt;
  console.log(
    `# diagram updated ${took} ms after the last keystroke (ResNet-8: ${resnet8.layers} layers, ResNet-14: ${resnet14.layers})`,
  );
  assert.ok(took < WITHIN_MS, `the diagram changed ${took} ms after the last keystroke`);
  assert.ok(resnet14.layers > resnet8.layers, `layers ${resnet8.layers} -> ${resnet14.layers}`);
  assert.equal(
    resnet14.layers - resnet8.layers,
    3 * 7,
    'three more basic blocks of 7 layers (conv, bn, relu, conv, bn, add, relu)',
  );
  assert.ok(resnet14.changed >= 3, `the new blocks are highlighted (${resnet14.changed} boxes)`);
  assert.equal(
    await panel.locator('svg.diagram g.node[data-id="group:stage3/block1"]').count(),
    1,
    'the collapsed block stays collapsed',
  );
  assert.equal(
    await panel.locator('svg.diagram g.node[data-id="stage2/block2/conv1"]').count(),
    1,
    'a new block comes expanded, as most blocks were',
  );
  assert.equal(await scrollTop(), scrolled, 'the scroll position is kept');
  // The CodeLens's size follows from the same build (the picture: while the new blocks are still highlighted).
  await page
    .locator('.codelens-decoration', { hasText: 'ResNet-14 ·' })
    .first()
    .waitFor({ state: 'visible', timeout: 10_000 });
  await screenshot(page, 'live-preview-2-resnet14');

  // A broken add above `return model;`.
  await select(page, 'return model;');
  await page.keyboard.press('Home');
  await page.keyboard.type(BROKEN, { delay: 5 });
  await page.keyboard.press('Enter');
  await page.keyboard.type('  ');
  // (A pause while typing may preview a half-typed line first: its syntax error greys the diagram too.)
  const errorText = () => panel.locator('.diagram-error').textContent({ timeout: 1000 });
  await waitFor(async () => /cannot combine/.test((await errorText()) ?? ''), 30_000, 'the error of the broken add');
  const broken = await diagramState(panel);
  assert.equal(broken.state, 'stale');
  assert.equal(broken.shortcuts, 6, 'the last good diagram stays');
  assert.match(
    (await errorText()) ?? '',
    new RegExp(
      `live\\.ts:${BROKEN_LINE}:\\d+ layer .*cannot combine .*\\[batch, 32, 32, 16\\] and .*\\[batch, 16, 16, 32\\]`,
    ),
  );
  await page.keyboard.press('Control+Shift+M');
  await waitFor(
    async () => (await problems(page)).some((t) => t.includes('cannot combine') && t.includes(`[Ln ${BROKEN_LINE},`)),
    15_000,
    `a Problems entry at line ${BROKEN_LINE}`,
  );
  await screenshot(page, 'live-preview-3-broken');

  // Fixed: the line deleted again.
  await select(page, 'tf.layers.add()');
  await page.keyboard.press('Control+Shift+K');
  await page.keyboard.press('Home'); // scrolls the editor back from the long line's end
  const fixed = await until(panel, (s) => s.state === 'live', 30_000, 'the diagram to recover');
  assert.equal(fixed.shortcuts, 6);
  assert.equal(fixed.layers, resnet14.layers);
  await waitFor(async () => (await problems(page)).length === 0, 15_000, 'the Problems entry to clear');
  await page
    .locator('.codelens-decoration', { hasText: 'ResNet-14 ·' })
    .first()
    .waitFor({ state: 'visible', timeout: 10_000 });
  await screenshot(page, 'live-preview-4-fixed');

  // Each stage boundary's shape change stands clear of every layer box (it once ran under them).
  const overlaps = await panel.locator('svg.diagram').evaluate((svg) => {
    const boxes = [...svg.querySelectorAll('rect')].map((r) => r.getBoundingClientRect()).filter((r) => r.width > 100);
    return [...svg.querySelectorAll('.stage-label')].map((label) => {
      const l = label.getBoundingClientRect();
      const hits = boxes.filter((b) => l.left < b.right && b.left < l.right && l.top < b.bottom && b.top < l.bottom);
      return { text: label.textContent, hits: hits.length };
    });
  });
  assert.equal(overlaps.length, 2, 'ResNet-14 has two stage boundaries');
  assert.deepEqual(
    overlaps.filter((o) => o.hits > 0),
    [],
  );
  await panel.locator('.stage-label').first().scrollIntoViewIfNeeded();
  await screenshot(page, 'live-preview-5-stage-boundary');
  // Every diagram above was built from the editor's unsaved text: the file on disk never changed.
  assert.equal(fs.readFileSync(path.join(workspace, 'live.ts'), 'utf8'), MODEL, 'live.ts was never saved');
});

/** The README's picture: three of the screenshots side by side, captioned (test-results/live-preview.png). */
test('the three states as one picture', async () => {
  const frames = [
    ['live-preview-1-resnet8', 'ResNet-8: its diagram beside the file'],
    ['live-preview-2-resnet14', '<code>depth: 14</code> typed: 3 more blocks, highlighted'],
    ['live-preview-3-broken', 'a broken <code>add</code>: last diagram greyed, error in Problems'],
  ].map(([name, caption]) => {
    const png = fs.readFileSync(path.join(RESULTS, `${name}.png`)).toString('base64');
    // The workbench without its title and status bars, at 60%.
    return `<figure><div class="crop"><img src="data:image/png;base64,${png}"></div><figcaption>${caption}</figcaption></figure>`;
  });
  const page = await wb.browser.context.newPage();
  try {
    await page.setContent(`<style>
      body { margin: 0; background: #181818; font: 15px system-ui, sans-serif; color: #ccc; }
      #strip { display: flex; gap: 10px; padding: 10px; width: max-content; }
      figure { margin: 0; }
      .crop { width: 811px; height: 498px; overflow: hidden; border: 1px solid #333; }
      .crop img { width: 840px; margin: -22px 0 0 -29px; }
      figcaption { padding: 6px 2px 0; } code { color: #e2c08d; }
    </style><div id="strip">${frames.join('')}</div>`);
    await page.locator('#strip').screenshot({ path: path.join(RESULTS, 'live-preview.png') });
  } finally {
    await page.close();
  }
  assert.ok(fs.statSync(path.join(RESULTS, 'live-preview.png')).size > 10_000);
});
