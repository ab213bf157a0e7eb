// The live preview in the extension host: edits to an open model file are
// built from the unsaved text; a model function that never returns times out
// at resnetLab.previewTimeout with a Problems entry at the experiment's line,
// the describe process is replaced, and the next edit previews normally and
// clears the entry.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { ERROR_HOLD_MS, type PreviewResult } from '../../src/extension/livePreview';
import { api, fixture, until } from './util';

const GOOD = '  return resnetCifar({ depth: 8, widths: [4, 8, 8] })(info);';
const HANG = '  while (true) {}';
const source = [
  "import * as tf from '@tensorflow/tfjs';",
  "import { DataInfo, experiment, resnetCifar } from 'resnet-lab';",
  '',
  'function net(info: DataInfo): tf.LayersModel {',
  GOOD,
  '}',
  '',
  'export const spinning = experiment({ model: net, epochs: 1 });',
  '',
].join('\n');

export function registerLivePreviewSuite(): void {
  describe('live preview', function () {
    this.timeout(120_000);
    const uri = fixture('preview-model.ts');
    const config = () => vscode.workspace.getConfiguration();
    before(async () => {
      fs.writeFileSync(uri.fsPath, source);
      await config().update('resnetLab.previewTimeout', 3, vscode.ConfigurationTarget.Global);
      await config().update('files.autoSave', 'off', vscode.ConfigurationTarget.Global);
    });
    after(async () => {
      // The unsaved edits are dropped before saving comes back on, and the file removed.
      await vscode.window.showTextDocument(uri);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      fs.rmSync(uri.fsPath, { force: true });
      await config().update('resnetLab.previewTimeout', undefined, vscode.ConfigurationTarget.Global);
      await config().update('files.autoSave', undefined, vscode.ConfigurationTarget.Global);
    });

    it('a while (true) {} typed into the model function times out with a Problems entry; the process is replaced; the fix previews', async () => {
      const { preview, describer } = await api();
      const doc = await vscode.workspace.openTextDocument(uri);
      const editor = await vscode.window.showTextDocument(doc);
      const results: PreviewResult[] = [];
      const sub = preview.onDidPreview((r) => results.push(r));
      const setBody = (line: string) => editor.edit((e) => e.replace(doc.lineAt(4).range, line));
      const next = (version: number) =>
        until(() => results.find((r) => r.version === version), 60_000, `the preview of version ${version}`);
      try {
        await setBody(GOOD.replace('depth: 8', 'depth: 14'));
        const built = await next(doc.version);
        assert.equal(built.outcome.status, 'described', JSON.stringify(built.outcome).slice(0, 300));
        if (built.outcome.status === 'described')
          assert.equal(built.outcome.summary.shortcuts, 6, 'the unsaved depth: 14');
        const pid = describer.pid;
        const starts = describer.starts;

        await setBody(HANG);
        const hung = await next(doc.version);
        assert.equal(hung.outcome.status, 'failed');
        if (hung.outcome.status === 'failed') {
          assert.equal(hung.outcome.kind, 'timeout');
          assert.match(
            hung.outcome.message,
            /preview-model\.ts:8:1 building spinning did not finish in 3 s \(a model function that never returns\?\); the describe process was replaced/,
          );
        }
        assert.equal(describer.starts, starts + 1, 'one new process');
        assert.notEqual(describer.pid, pid);
        const problems = () => vscode.languages.getDiagnostics(uri).filter((d) => d.source?.startsWith('resnet-lab'));
        const entry = await until(() => problems()[0], 10_000, 'the Problems entry');
        assert.equal(entry.range.start.line, 7, 'at the experiment (line 8)');
        assert.match(entry.message, /did not finish in 3 s/);

        await setBody(GOOD);
        const fixed = await next(doc.version);
        assert.equal(fixed.outcome.status, 'described');
        if (fixed.outcome.status === 'described') assert.equal(fixed.outcome.summary.shortcuts, 3);
        await until(() => problems().length === 0, 10_000, 'the Problems entry to clear');
        assert.ok(doc.isDirty, 'all of it from the unsaved text');
      } finally {
        sub.dispose();
      }
    });

    it('an error of half-typed text is not shown when the typing goes on (held, then dropped on the next edit)', async () => {
      const { preview } = await api();
      const doc = await vscode.workspace.openTextDocument(uri);
      const editor = await vscode.window.showTextDocument(doc);
      const results: PreviewResult[] = [];
      const sub = preview.onDidPreview((r) => results.push(r));
      const problems = () => vscode.languages.getDiagnostics(uri).filter((d) => d.source?.startsWith('resnet-lab'));
      let seen = 0;
      const watch = setInterval(() => (seen += problems().length), 20);
      const built = (what: string) => until(() => results.find((r) => r.version === doc.version), 60_000, what);
      try {
        // Half a line, built (a pause long enough for the preview, as under load)...
        await editor.edit((e) => e.replace(doc.lineAt(4).range, '  return resnetCifar({ depth: 8, widths: [4, 8'));
        assert.equal((await built('the half-typed preview')).outcome.status, 'failed');
        // ...and the typing goes on at once: that error is never shown.
        await editor.edit((e) => e.replace(doc.lineAt(4).range, GOOD));
        assert.equal((await built('the finished line')).outcome.status, 'described');
        await new Promise((r) => setTimeout(r, ERROR_HOLD_MS + 300));
        assert.equal(seen, 0, 'no Problems entry for the half-typed line');
      } finally {
        clearInterval(watch);
        sub.dispose();
      }
    });

    it('the diagram stays on the experiment it shows when the cursor moves into another, unless resnetLab.previewFollowsCursor', async () => {
      const { panel } = await api();
      const two = fixture('two-experiments.ts');
      const text = [
        "import { experiment, resnetCifar } from 'resnet-lab';",
        '',
        'export const small = experiment({ model: resnetCifar({ depth: 8, widths: [4, 8, 8] }), epochs: 1 });',
        '',
        'export const larger = experiment({ model: resnetCifar({ depth: 14, widths: [4, 8, 8] }), epochs: 1 });',
        '',
      ].join('\n');
      fs.writeFileSync(two.fsPath, text);
      try {
        const doc = await vscode.workspace.openTextDocument(two);
        const editor = await vscode.window.showTextDocument(doc);
        await vscode.commands.executeCommand('resnetLab.showDiagramLive', { file: two.fsPath, experiment: 'small' });
        await until(() => panel.shownModel?.experiment === 'small' && panel.diagram, 60_000, "small's diagram");
        const moveTo = async (line: number) => {
          editor.selection = new vscode.Selection(line, 5, line, 5);
          await new Promise((r) => setTimeout(r, 1500)); // past the preview's debounce
        };
        await moveTo(4);
        assert.equal(panel.shownModel?.experiment, 'small', 'the cursor alone does not switch the diagram');
        await config().update('resnetLab.previewFollowsCursor', true, vscode.ConfigurationTarget.Global);
        await moveTo(2);
        await moveTo(4);
        await until(() => panel.shownModel?.experiment === 'larger', 30_000, 'the diagram to follow the cursor');
      } finally {
        await config().update('resnetLab.previewFollowsCursor', undefined, vscode.ConfigurationTarget.Global);
        await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
        fs.rmSync(two.fsPath, { force: true });
      }
    });
  });
}
