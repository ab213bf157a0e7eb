import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { findWorkspaceExperiments } from '../../src/extension/experimentIndex';
import { api, fixture } from './util';

export function registerExtensionSuite(): void {
  describe('ResNet Lab extension', () => {
    before(async () => {
      await api();
    });

    it('registers its commands', async () => {
      const all = await vscode.commands.getCommands(true);
      for (const c of [
        'resnetLab.train',
        'resnetLab.stop',
        'resnetLab.showDiagram',
        'resnetLab.openRun',
        'resnetLab.compareRuns',
        'resnetLab.newExperiment',
        'resnetLab.setupNative',
      ]) {
        assert.ok(all.includes(c), `${c} is not registered`);
      }
    });

    it('puts Train, Diagram and Compare lenses above each experiment, not above commented-out ones', async () => {
      const doc = await vscode.workspace.openTextDocument(fixture('models.ts'));
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      const ours = lenses.filter((l) => l.command?.command.startsWith('resnetLab.'));
      assert.deepEqual(
        ours.map((l) => [l.range.start.line, l.command!.title]),
        [
          [5, '▶ Train'],
          [5, 'Diagram'],
          [5, 'Compare'],
          [14, '▶ Train'],
          [14, 'Diagram'],
          [14, 'Compare'],
        ],
      );
      assert.deepEqual(ours[0].command!.arguments, [{ file: doc.uri.fsPath, experiment: 'tinyResnet' }]);
    });

    it('moves the lenses when the code above them changes', async () => {
      const doc = await vscode.workspace.openTextDocument(fixture('models.ts'));
      const editor = await vscode.window.showTextDocument(doc);
      await editor.edit((e) => e.insert(new vscode.Position(0, 0), '// one\n// two\n'));
      try {
        const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
          'vscode.executeCodeLensProvider',
          doc.uri,
        );
        const lines = [
          ...new Set(lenses.filter((l) => l.command?.command === 'resnetLab.train').map((l) => l.range.start.line)),
        ];
        assert.deepEqual(lines, [7, 16]);
      } finally {
        // Leave the fixture as it was even when the assertion fails, so later tests don't fail with it.
        await vscode.commands.executeCommand('undo');
        await doc.save();
      }
    });

    it('New ResNet Experiment writes a file whose resnet-lab and tfjs imports resolve (IntelliSense without installing anything), and no tsconfig.json', async () => {
      await vscode.commands.executeCommand('resnetLab.newExperiment');
      // The TypeScript server plugin resolves the imports (src/tsPlugin); nothing else is written.
      assert.ok(!fs.existsSync(path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'tsconfig.json')));
      const uri = fixture('resnet-experiment.ts');
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      const text = doc.getText();
      // A position inside the last identifier of `needle` (e.g. `add` of `tf.layers.add`).
      const at = (needle: string) => doc.positionAt(text.indexOf(needle) + needle.search(/\w+\W*$/) + 1);
      // Go to Definition lands in the declarations shipped with the extension.
      const definition = async (needle: string) => {
        for (let i = 0; i < 60; i++) {
          const defs = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>(
            'vscode.executeDefinitionProvider',
            uri,
            at(needle),
          );
          const target = defs
            ?.map((d) => ('targetUri' in d ? d.targetUri : d.uri).fsPath)
            .find((f) => !f.endsWith('resnet-experiment.ts'));
          if (target) return target;
          await new Promise((r) => setTimeout(r, 500)); // the TypeScript server starts lazily
        }
        return undefined;
      };
      // One bundled declaration file each (scripts/types.mjs): the extension ships no node_modules.
      assert.match((await definition('resnetCifar({')) ?? 'unresolved', /dist[\\/]types[\\/]resnet-lab\.d\.ts$/);
      assert.match((await definition('tf.layers.add(')) ?? 'unresolved', /dist[\\/]types[\\/]tfjs\.d\.ts$/);
      const tsErrors = vscode.languages
        .getDiagnostics(uri)
        .filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
      assert.deepEqual(
        tsErrors.map((d) => d.message),
        [],
      );
    });

    it('offers every experiment of the workspace in the Train ResNet quick pick, the open file first', async () => {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(fixture('models.ts')));
      const items = await findWorkspaceExperiments();
      assert.deepEqual(
        items.filter((i) => !i.file.endsWith('resnet-experiment.ts')).map((i) => i.experiment),
        ['tinyResnet', 'longPlain', 'broken', 'hangs'],
      );
      assert.equal(items[0].line, 5);
    });
  });
}
