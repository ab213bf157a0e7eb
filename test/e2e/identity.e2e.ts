// End to end, as a person would: open an identity experiment file in a real
// VS Code (code-server), run "ResNet Lab: Run Identity Experiment" from the
// palette, and see the plain and the residual stack side by side in the
// identity panel; then switch the theme and see the figure follow it.
// Screenshots in both themes go to media/screenshots/ (the README shows them).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openWorkbench, REPO_ROOT, Workbench } from '../harness/codeServer';
import { openFile, runCommand, screenshot, setColorTheme, waitFor, webviewFrame } from './workbench';

let wb: Workbench;
let workspace: string;

before(async () => {
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-e2e-identity-'));
  // The shipped file with a shorter budget: the command runs the file in the active editor.
  const shipped = fs.readFileSync(path.join(REPO_ROOT, 'media', 'experiments', 'identity.ts'), 'utf8');
  const short = shipped.replace(/iterations: 500,/, 'iterations: 80,');
  assert.notEqual(short, shipped, 'the shipped file sets iterations: 500');
  fs.writeFileSync(path.join(workspace, 'identity.ts'), short);
  wb = await openWorkbench({ extensionPath: REPO_ROOT, workspace, settings: { 'resnetLab.backend': 'wasm' } });
  await setColorTheme(wb.page, 'Dark Modern');
});
after(async () => {
  await wb?.close();
  fs.rmSync(workspace, { recursive: true, force: true });
});

async function keep(name: string): Promise<void> {
  const file = await screenshot(wb.page, name);
  fs.copyFileSync(file, path.join(REPO_ROOT, 'media', 'screenshots', `${name}.png`));
}

test('"Run Identity Experiment" trains both stacks in a trainer process and shows them side by side, in both themes', async () => {
  const { page } = wb;
  await openFile(page, 'identity.ts');
  await runCommand(page, 'ResNet Lab: Run Identity Experiment');

  const panel = webviewFrame(page);
  const figure = panel.locator('#identity-figure svg.identity');
  await figure.waitFor({ state: 'attached', timeout: 300_000 });
  // iteration 0, then every iteration of 80 (recordEvery rounds 80 / 200 up to 1)
  assert.equal(await panel.locator('body').getAttribute('data-identity-records'), '81');
  assert.equal(await figure.locator('path.identity-loss').count(), 2, 'a loss curve per stack');
  assert.equal(await figure.locator('path.identity-distance.plain').count(), 4, 'a distance curve per plain block');
  assert.equal(
    await figure.locator('path.identity-distance.residual').count(),
    4,
    'a distance curve per residual block',
  );
  const summary = (await panel.locator('#identity-summary').textContent()) ?? '';
  assert.match(summary, /4 blocks of width 12, 80 iterations of batch 16 at lr 0\.01, seed 1/);
  const final = (name: string) => Number(new RegExp(`^${name} +[\\d.]+ → ([\\d.]+)$`, 'm').exec(summary)?.[1]);
  assert.ok(final('residual') < final('plain'), `residual ${final('residual')} below plain ${final('plain')}`);
  assert.match(summary, /the residual stack reached the plain stack's final loss at iteration \d+ of 80/);
  // The panel names the run folder, never its path: it is in the workspace's runs folder.
  const folder = ((await panel.locator('#identity-run').textContent()) ?? '').replace('run folder: ', '');
  assert.ok(!folder.includes('/'), `a folder name, not a path: ${folder}`);
  const runFolder = path.join(workspace, '.resnet-lab', 'runs', folder);
  assert.ok(fs.existsSync(path.join(runFolder, 'identity.json')), `${runFolder}/identity.json`);
  assert.ok(fs.existsSync(path.join(runFolder, 'identity.svg')), `${runFolder}/identity.svg`);
  const dark = await figure.locator('rect.background').getAttribute('fill');
  await keep('identity-dark');

  await setColorTheme(page, 'Light Modern');
  await waitFor(
    async () => (await figure.locator('rect.background').getAttribute('fill')) !== dark,
    20_000,
    'the figure to take the light theme',
  );
  await keep('identity-light');
});
