import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { findWorkspaceExperiments } from '../../src/extension/experimentIndex';
import { api, fixture } from './util';

export function registerExtensionSuite(): void {
  describe('ResNet Lab extension', () => {
    before(async () => { await api(); });

    it('registers its commands', async () => {
      const all = await vscode.commands.getCommands(true);
      for (const c of ['resnetLab.train', 'resnetLab.stop', 'resnetLab.showDiagram', 'resnetLab.openRun', 'resnetLab.compareRuns', 'resnetLab.newExperiment', 'resnetLab.setupNative']) {
        assert.ok(all.includes(c), `${c} is not registered`);
      }
    });

    it('puts Train, Diagram and Compare lenses above each experiment, not above commented-out ones', async () => {
      const doc = await vscode.workspace.openTextDocument(fixture('models.ts'));
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      const ours = lenses.filter((l) => l.command?.command.startsWith('resnetLab.'));
      assert.deepEqual(ours.map((l) => [l.range.start.line, l.command!.title]), [
        [5, '▶ Train'], [5, 'Diagram'], [5, 'Compare'],
        [14, '▶ Train'], [14, 'Diagram'], [14, 'Compare'],
      ]);
      assert.deepEqual(ours[0].command!.arguments, [{ file: doc.uri.fsPath, experiment: 'tinyResnet' }]);
    });

    it('moves the lenses when the code above them changes', async () => {
      const doc = await vscode.workspace.openTextDocument(fixture('models.ts'));
      const editor = await vscode.window.showTextDocument(doc);
      await editor.edit((e) => e.insert(new vscode.Position(0, 0), '// one\n// two\n'));
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      const lines = [...new Set(lenses.filter((l) => l.command?.command === 'resnetLab.train').map((l) => l.range.start.line))];
      assert.deepEqual(lines, [7, 16]);
      await vscode.commands.executeCommand('undo');
      await doc.save();
    });

    it('offers every experiment of the workspace in the Train ResNet quick pick, the open file first', async () => {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(fixture('models.ts')));
      const items = await findWorkspaceExperiments();
      assert.deepEqual(items.map((i) => i.experiment), ['tinyResnet', 'longPlain', 'broken']);
      assert.equal(items[0].line, 5);
    });
  });
}
