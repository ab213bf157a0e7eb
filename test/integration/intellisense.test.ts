// IntelliSense with nothing to set up: in this workspace (a copy of
// test/fixtures/workspace, no tsconfig.json, no node_modules) a model file's
// `resnet-lab` and `@tensorflow/tfjs` imports resolve through the extension's
// TypeScript server plugin (src/tsPlugin) to the declarations it ships.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, fixture, until } from './util';

const SOURCE = [
  "import * as tf from '@tensorflow/tfjs';",
  "import { experiment, resnetCifar, synthetic } from 'resnet-lab';",
  '',
  'export const r20 = experiment({ model: resnetCifar({ depth: 20 }), data: synthetic(), epochs: 1 });',
  'export const sum = tf.layers.add();',
  // A planted error: once it is reported, the TypeScript server has checked the file.
  "export const planted: number = 'not a number';",
  '',
].join('\n');

export function registerIntelliSenseSuite(): void {
  describe('IntelliSense without a tsconfig.json', () => {
    const uri = fixture('no-tsconfig-model.ts');
    before(async () => {
      await api();
      fs.writeFileSync(uri.fsPath, SOURCE);
    });
    after(() => fs.rmSync(uri.fsPath, { force: true }));

    it('resolves the resnet-lab and tfjs imports: the only error is the planted one, definitions land in the shipped declarations', async () => {
      const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
      assert.ok(!fs.existsSync(path.join(folder, 'tsconfig.json')), 'the workspace has no tsconfig.json');
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      const errors = await until(
        () => {
          const d = vscode.languages.getDiagnostics(uri).filter((x) => x.severity === vscode.DiagnosticSeverity.Error);
          return d.some((x) => x.range.start.line === 5) && d;
        },
        90_000,
        'the TypeScript server to report the planted error',
      );
      assert.deepEqual(
        errors.map((d) => [d.range.start.line, d.code]),
        [[5, 2322]],
        errors.map((d) => d.message).join('\n'),
      );

      const at = (line: number, word: string) => new vscode.Position(line, doc.lineAt(line).text.indexOf(word) + 1);
      const definition = async (pos: vscode.Position) => {
        const defs = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>(
          'vscode.executeDefinitionProvider',
          uri,
          pos,
        );
        return defs.map((d) => ('targetUri' in d ? d.targetUri : d.uri).fsPath);
      };
      const ext = vscode.extensions.getExtension('resnet-lab.resnet-lab')!.extensionPath;
      assert.deepEqual(await definition(at(3, 'resnetCifar')), [path.join(ext, 'dist', 'types', 'resnet-lab.d.ts')]);
      assert.deepEqual(await definition(at(4, 'add')), [path.join(ext, 'dist', 'types', 'tfjs.d.ts')]);

      // Hover docs come from the same declarations (resnetCifar's JSDoc).
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        uri,
        at(3, 'resnetCifar'),
      );
      const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      assert.match(text, /resnetCifar\(o: CifarNetOptions\): ModelFactory/);
      assert.match(text, /ResNet-\(6n\+2\) for 32x32 inputs/);
      // Completions in the import list offer the library's other exports.
      const list = await vscode.commands.executeCommand<vscode.CompletionList>(
        'vscode.executeCompletionItemProvider',
        uri,
        new vscode.Position(1, 10),
      );
      const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
      for (const name of ['basicBlock', 'plainCifar', 'preactResnetCifar'])
        assert.ok(labels.includes(name), `${name} in completions`);
    });
  });
}
