// Issue 14, end to end: a run that another process writes is followed live.
// Two local Keras workers (`resnet-lab train --engine keras --workers 2`, the
// exported project's train.py under MultiWorkerMirroredStrategy on 127.0.0.1)
// write a run folder into the workspace; while they train, *Open Run* in a real
// VS Code (code-server) shows it, its chart grows with no trainer of ours
// attached, Stop/Pause are hidden, the side view shows it as the active run,
// and the panel says "finished" when run.json does. Needs the TensorFlow
// Python setup-native used (skipped, saying why, without it). Screenshots go
// to test-results/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openWorkbench, REPO_ROOT, Workbench } from '../harness/codeServer';
import { kerasUnavailable } from '../../src/core/export/tfPython';
import { pickItem, runCommand, screenshot, setColorTheme, waitFor, webviewFrame } from './workbench';

const skip = kerasUnavailable() ?? false;
if (skip) console.log(`followRun.e2e.ts skipped: ${skip}`);

// A tiny net on a small synthetic set: long enough (600 iterations, ~30-60 s here) to be opened while it trains.
const TINY = `import { experiment, resnetCifar, synthetic } from 'resnet-lab';
export const tinyKeras = experiment({
  model: resnetCifar({ depth: 8, widths: [8, 16, 32] }), data: synthetic({ trainSize: 1024, testSize: 128 }),
  batchSize: 32, iterations: 600, seed: 1, gradientNormEvery: 4, optimizer: { lr: 0.05 },
});
`;

describe('following a run written by two local Keras workers', { skip }, () => {
  let wb: Workbench;
  let workspace: string;
  let trainer: ChildProcess | undefined;
  let output = '';
  let exited: Promise<number | null>;

  before(async () => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-e2e-follow-'));
    fs.writeFileSync(path.join(workspace, 'tiny.ts'), TINY);
    wb = await openWorkbench({ extensionPath: REPO_ROOT, workspace, settings: { 'resnetLab.backend': 'wasm' } });
    await setColorTheme(wb.page, 'Dark Modern');
  });
  after(async () => {
    if (trainer && trainer.exitCode === null) trainer.kill('SIGINT');
    await wb?.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  test('Open Run follows the folder while it is written: the chart grows, no Stop/Pause, finished at the end', async () => {
    const { page } = wb;
    const runs = path.join(workspace, '.resnet-lab', 'runs');
    // Not the extension's trainer: a CLI in a terminal, as a user would start it.
    trainer = spawn(
      process.execPath,
      [
        path.join(REPO_ROOT, 'dist', 'cli.js'),
        'train',
        'tiny.ts',
        'tinyKeras',
        '--engine',
        'keras',
        // TensorFlow's workers, as this test was timed with (JAX's two processes: test/unit/kerasJax.test.ts).
        '--keras-backend',
        'tensorflow',
        '--workers',
        '2',
        '--runs-dir',
        runs,
      ],
      {
        cwd: workspace,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
      },
    );
    trainer.stdout!.on('data', (d) => (output += d));
    trainer.stderr!.on('data', (d) => (output += d));
    exited = new Promise((resolve) => trainer!.on('exit', resolve));
    const metrics = () => {
      const name = fs.existsSync(runs) ? fs.readdirSync(runs)[0] : undefined;
      const file = name && path.join(runs, name, 'metrics.jsonl');
      return file && fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
    };
    await waitFor(
      async () => metrics() >= 10 || trainer!.exitCode !== null,
      150_000,
      'the Keras workers to write their first records',
    );
    assert.equal(trainer.exitCode, null, `the workers ended early:\n${output}`);

    await runCommand(page, 'Open Run');
    await pickItem(page, 'tinyKeras');
    const panel = webviewFrame(page);
    const chart = panel.locator('#error-chart');
    const points = async () => Number(await chart.getAttribute('data-points'));
    const status = async () => (await panel.locator('[data-stat="status"] .v').textContent()) ?? '';
    await waitFor(async () => (await points()) > 0, 60_000, 'the followed run on the chart');
    const first = await points();
    assert.equal(await status(), 'running');
    // The engine as train.py reports it: two TensorFlow workers of one CPU replica each.
    assert.equal(
      await panel.locator('[data-stat="backend"] .v').textContent(),
      'keras · tensorflow · 2× CPU · 2 processes',
    );
    // No trainer of ours: nothing to stop or pause.
    assert.equal(await panel.locator('#stop').isVisible(), false, 'Stop is hidden');
    assert.equal(await panel.locator('#pause').isVisible(), false, 'Pause is hidden');
    assert.match(
      (await panel.locator('[data-stat="written by"] .v').textContent()) ?? '',
      /^process \d+, not this window$/,
    );
    assert.equal(await panel.locator('#message').isVisible(), false, 'no message box: nothing is wrong');
    await screenshot(page, 'follow-keras-running-dark');

    // The side view follows it too, while it is written (checked first: a fast machine trains 600 iterations quickly).
    await page.locator('.activitybar [aria-label^="ResNet Lab"]').first().click();
    const side = page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
    await waitFor(
      async () =>
        /tinyKeras: running .*followed from its folder/.test((await side.locator('#active-title').textContent()) ?? ''),
      30_000,
      'the side view to show the followed run',
    );
    await waitFor(
      async () => Number(await side.locator('#mini').getAttribute('data-points')) > 0,
      30_000,
      'the side view mini chart',
    );

    // The panel's chart grows as the workers append.
    await waitFor(async () => (await points()) >= first + 20, 90_000, 'the chart to grow as the workers append');
    const grown = await points();
    console.log(`followed: ${first} -> ${grown} points while the workers train (${metrics()} records on disk)`);
    await screenshot(page, 'follow-keras-side-view-dark');

    // run.json says finished: so does the panel, with every iteration on the chart.
    assert.equal(await exited, 0, output);
    await waitFor(
      async () => (await status()) === 'finished',
      30_000,
      `the panel to say finished (it says ${await status()})`,
    );
    assert.equal(await panel.locator('[data-stat="iteration"] .v').textContent(), '600 / 600');
    assert.ok((await points()) > grown);
    assert.equal(Number(await chart.getAttribute('data-test-points')), Math.ceil(600 / 32), 'a test point per epoch');
    assert.match(output, /finished at iteration 600/);
    assert.equal(await panel.locator('[data-stat="written by"]').count(), 0, 'nobody writes a finished run');
    await screenshot(page, 'follow-keras-finished-dark');
  });

  test("Export Experiment to Keras: from the trained run's checkpoint, and it says where it wrote", async () => {
    const { page } = wb;
    await runCommand(page, 'Export Experiment to Keras');
    const input = page.locator('.quick-input-widget input');
    const rows = page.locator('.quick-input-list .monaco-list-row');
    // Each pick once it is the one showing (the palette's list rows are reused as it closes), by typing
    // and Enter, as a hover over one row can cover the next.
    const pick = async (placeholder: string, text: string) => {
      await waitFor(
        async () => (await input.getAttribute('placeholder')) === placeholder,
        30_000,
        `the pick "${placeholder}"`,
      );
      await input.fill(text);
      await waitFor(
        async () => (await rows.count()) === 1 && ((await rows.first().textContent()) ?? '').includes(text),
        10_000,
        `only "${text}" listed`,
      );
      await page.keyboard.press('Enter');
    };
    await pick('Export which experiment to Keras?', 'tinyKeras');
    // The finished Keras run has a checkpoint in our format: offered as the weights.
    await pick('Export tinyKeras with which weights?', 'Trained:');
    await waitFor(async () => (await input.inputValue()).endsWith('tinyKeras-keras'), 10_000, 'the suggested folder');
    await page.keyboard.press('Enter');
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Exported tinyKeras to Keras' });
    await toast.waitFor({ state: 'visible', timeout: 90_000 });
    await new Promise((r) => setTimeout(r, 500)); // the toast slides in
    await screenshot(page, 'export-keras-dark');
    const text = (await toast.textContent()) ?? '';
    assert.match(
      text,
      /in tinyKeras-keras \(weights: from \.resnet-lab\/runs\/[\w-]+\/checkpoints\/latest, iteration 600\)/,
    );
    const out = path.join(workspace, 'tinyKeras-keras');
    for (const f of ['model.py', 'train.py', 'weights.bin', 'README.md'])
      assert.ok(fs.existsSync(path.join(out, f)), f);
    assert.match(fs.readFileSync(path.join(out, 'README.md'), 'utf8'), /iteration 600/);
  });
});
