// The packaged extension, as a user gets it: the .vsix (npm run package's own
// code, or $RESNET_LAB_VSIX) installed into code-server's extensions folder,
// no development path, no npm packages. ▶ Train on the quickstart must draw
// curves and the diagram; then the same with the native backend that
// setup-native built outside the extension (skipped, with the reason, when
// there is none on this machine).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openWorkbench, REPO_ROOT, Workbench } from '../harness/codeServer';
import { nativeBackendAvailable, nativeRoot } from '../../src/core/native/detectNative';
import type { RunInfo } from '../../src/core/runs/runFolder';
import { openFile, runCommand, screenshot, waitFor, webviewFrame } from './workbench';
import { packageVsix } from '../../scripts/package.mjs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-vsix-e2e-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let vsix = process.env.RESNET_LAB_VSIX ?? '';
before(() => {
  if (!vsix) vsix = packageVsix({ outFile: path.join(tmp, 'resnet-lab.vsix'), quiet: true }).vsix;
  console.log(`installing ${vsix} (${(fs.statSync(vsix).size / 1048576).toFixed(2)} MB)`);
});

/** Command lines of running processes that start a trainer from `dir`. */
function trainersIn(dir: string): string[] {
  const out = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(path.join(dir, '')) && l.includes('trainer.js'));
}

function trainAndCheck(backend: 'wasm' | 'tensorflow', skip: string | false) {
  describe(`installed .vsix, ${backend} backend`, { skip }, () => {
    let wb: Workbench;
    let workspace: string;
    before(async () => {
      workspace = fs.mkdtempSync(path.join(tmp, `ws-${backend}-`));
      fs.copyFileSync(path.join(REPO_ROOT, 'examples', 'quickstart.ts'), path.join(workspace, 'quickstart.ts'));
      wb = await openWorkbench({
        workspace,
        installExtensions: [vsix],
        settings: { 'resnetLab.backend': backend, 'workbench.colorTheme': 'Default Dark Modern' },
        // The server's XDG_CACHE_HOME is a throw-away folder: say where setup-native built the binding.
        env: { RESNET_LAB_NATIVE_DIR: nativeRoot() },
      });
    });
    after(async () => {
      await wb?.close();
    });

    test(`▶ Train on the quickstart from the installed extension draws curves and the diagram (${backend})`, async () => {
      const installed = fs.readdirSync(wb.server.extensionsDir).filter((d) => d.startsWith('resnet-lab.resnet-lab-'));
      assert.equal(installed.length, 1, `installed extensions: ${fs.readdirSync(wb.server.extensionsDir).join(', ')}`);
      const extDir = path.join(wb.server.extensionsDir, installed[0]);
      // Nothing from npm: the one node_modules folder is the TypeScript server plugin, which tsserver loads by package name.
      const modules = fs.existsSync(path.join(extDir, 'node_modules'))
        ? fs.readdirSync(path.join(extDir, 'node_modules'))
        : [];
      assert.deepEqual(modules, ['resnet-lab-ts-plugin'], 'the installed extension ships no npm packages');

      const { page } = wb;
      await openFile(page, 'quickstart.ts');
      const lens = page.locator('.codelens-decoration a', { hasText: 'Train' }).first();
      await lens.waitFor({ state: 'visible', timeout: 90_000 });
      await lens.click();
      const panel = webviewFrame(page);
      const points = async () => Number(await panel.locator('#error-chart').getAttribute('data-points'));
      await waitFor(async () => (await points()) >= 3, 240_000, 'the first iterations on the chart');
      // The trainer that is running is the installed one.
      assert.ok(trainersIn(extDir).length >= 1, `no trainer from ${extDir}`);
      const svg = panel.locator('svg.diagram');
      assert.equal(await svg.getAttribute('data-shortcuts'), '3', 'shortcuts in the diagram');
      assert.equal(await panel.locator('svg.diagram path.shortcut').count(), 3, 'shortcut arcs drawn');
      await screenshot(page, `vsix-${backend}`);
      await panel.locator('#stop').click();
      await waitFor(
        async () => /stopped/.test((await panel.locator('[data-stat="status"] .v').textContent()) ?? ''),
        120_000,
        'the run to stop',
      );

      const runs = path.join(workspace, '.resnet-lab', 'runs');
      const [run] = fs.readdirSync(runs);
      const info = JSON.parse(fs.readFileSync(path.join(runs, run, 'run.json'), 'utf8')) as RunInfo;
      assert.equal(info.backend, backend, 'the backend the run used');
    });

    test(
      'IntelliSense from the shipped declarations: New ResNet Experiment type-checks, and a wrong type is reported',
      { skip: backend !== 'wasm' && 'checked once' },
      async () => {
        const { page } = wb;
        await runCommand(page, 'ResNet Lab: New ResNet Experiment');
        await page
          .locator('.tab.active', { hasText: 'resnet-experiment.ts' })
          .first()
          .waitFor({ state: 'visible', timeout: 30_000 });
        // No tsconfig.json: the shipped TypeScript server plugin (node_modules/resnet-lab-ts-plugin) resolves the imports.
        assert.ok(!fs.existsSync(path.join(workspace, 'tsconfig.json')), 'the command wrote no tsconfig.json');
        // A line that is only an error if tf's types are real (with no types, tf would be `any`).
        await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
        await page.keyboard.press('Control+End');
        // Inserted, not typed key by key: typed, `tf.inp` opens completions and `(` may commit
        // one of them (InputSpec), which turns the planted error into another.
        await page.keyboard.press('Enter');
        await page.keyboard.insertText('export const wrong: string = tf.input({ shape: [1] });');
        await page.keyboard.press('Enter');
        await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
        const problems = page.locator('.markers-panel');
        try {
          await waitFor(
            async () => /not assignable to type 'string'/.test(await problems.innerText()),
            120_000,
            'the type error in the Problems panel',
          );
        } catch (e) {
          await screenshot(page, 'vsix-intellisense-failed');
          throw new Error(
            `${(e as Error).message}; Problems panel: ${await problems.innerText().catch(() => '(none)')}`,
          );
        }
        const text = await problems.innerText();
        assert.match(text, /Type 'SymbolicTensor' is not assignable to type 'string'/);
        assert.doesNotMatch(text, /Cannot find module/, 'resnet-lab and @tensorflow/tfjs resolve');
        await screenshot(page, 'vsix-intellisense');
      },
    );
  });
}

trainAndCheck('wasm', false);
trainAndCheck(
  'tensorflow',
  nativeBackendAvailable() ? false : `no native backend in ${nativeRoot()} (run "resnet-lab setup-native")`,
);
