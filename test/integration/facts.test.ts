// Model facts in the editor: the CodeLens line of an experiment gains its size
// (ResNet-N · params · shortcuts) once a background describe has built it,
// without the lenses waiting for that; once per saved version of the file;
// hovering the experiment's name shows the summary table as the CLI's
// `summary` prints it (the real dist/cli.js is run for the expected text).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, fixture, untilAsync } from './util';

const source = (depth: number) =>
  [
    "import { experiment, resnetCifar, synthetic } from 'resnet-lab';",
    '',
    `export const small = experiment({ model: resnetCifar({ depth: ${depth}, widths: [4, 8, 8] }), data: synthetic({ trainSize: 64, testSize: 16 }), epochs: 1 });`,
    '',
  ].join('\n');

export function registerFactsSuite(): void {
  describe('model facts in the CodeLens and the hover', () => {
    const uri = fixture('facts-model.ts');
    before(async () => {
      await api();
      fs.writeFileSync(uri.fsPath, source(8));
    });
    after(() => fs.rmSync(uri.fsPath, { force: true }));

    const lensTitles = async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      return lenses.filter((l) => l.range.start.line === 2).map((l) => l.command?.title ?? '');
    };
    const withFacts = (titles: string[]) => titles.length === 4 && titles;

    it('shows the lenses at once, then the size; describes once per saved version; the hover shows the summary table', async () => {
      const { facts } = await api();
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);

      const started = Date.now();
      assert.deepEqual(await lensTitles(), ['▶ Train', 'Diagram', 'Compare'], 'the first lenses come without facts');
      assert.ok(Date.now() - started < 2000, `lenses took ${Date.now() - started} ms`);
      const titles = await untilAsync(async () => withFacts(await lensTitles()), 60_000, 'the facts lens');
      assert.deepEqual(titles, ['▶ Train', 'Diagram', 'Compare', 'ResNet-8 · 2,590 params · 3 shortcuts']);
      // Asked again (the lenses are re-requested all the time), the saved version is not described again.
      for (let i = 0; i < 3; i++) assert.equal((await lensTitles())[3], 'ResNet-8 · 2,590 params · 3 shortcuts');
      assert.equal(facts.timesDescribed(uri.fsPath, 'small'), 1, 'one describe for this version');

      // Hover on the name: the table `resnet-lab summary` prints, from the real CLI.
      const line = doc.lineAt(2).text;
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        uri,
        new vscode.Position(2, line.indexOf('small') + 2),
      );
      const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      const ext = vscode.extensions.getExtension('resnet-lab.resnet-lab')!.extensionPath;
      const cli = execFileSync(process.execPath, [path.join(ext, 'dist', 'cli.js'), 'summary', uri.fsPath, 'small'], {
        encoding: 'utf8',
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      }).trimEnd();
      assert.match(cli, /resnet8: 8 weighted layers, 3 shortcut connections, 2,590 trainable parameters/);
      assert.match(text, /\*\*small\*\*: ResNet-8 · 2,590 params · 3 shortcuts/);
      // A table by part that fits a hover (the CLI's layer-by-layer table wrapped there until unreadable),
      // with links to the diagram and to every layer.
      assert.ok(text.includes('| stage1 | 1 block, 7 layers | 32×32×4 |'), text);
      assert.ok(text.includes('| stage3 | 1 block, 8 layers | 8×8×8 |'), text);
      const rows = text.split('\n').filter((l) => l.startsWith('|'));
      assert.equal(rows.length, 2 + 5, 'header, rule, stem, three stages, head');
      assert.ok(Math.max(...rows.map((l) => l.length)) <= 60, rows.join('\n'));
      assert.match(text, /\[Diagram\]\(command:resnetLab\.showDiagramLive\?/);
      assert.match(text, /\[Every layer\]\(command:resnetLab\.showSummary\?/);

      // A new saved version: lenses at once without the old facts, then the new ones.
      const edit = new vscode.WorkspaceEdit();
      edit.replace(uri, doc.lineAt(2).range, source(14).split('\n')[2]);
      await vscode.workspace.applyEdit(edit);
      await doc.save();
      assert.deepEqual(await lensTitles(), ['▶ Train', 'Diagram', 'Compare']);
      assert.deepEqual(await untilAsync(async () => withFacts(await lensTitles()), 60_000, 'the new facts'), [
        '▶ Train',
        'Diagram',
        'Compare',
        'ResNet-14 · 5,262 params · 6 shortcuts',
      ]);
      assert.equal(facts.timesDescribed(uri.fsPath, 'small'), 2, 'one more for the new version');
    });

    // VS Code draws a lens's new text when its line is drawn (a lens scrolled out of view, or under the
    // sticky-scroll header, shows it once scrolled to); what the provider gives must not depend on it.
    it('every experiment of a file gets its size, the ones far off screen too', async () => {
      const far = fixture('facts-far.ts');
      const lines = source(8).split('\n');
      const text = [lines[0], '', lines[2], ...Array<string>(300).fill(''), lines[2].replace('small', 'far')].join(
        '\n',
      );
      fs.writeFileSync(far.fsPath, text + '\n');
      try {
        const doc = await vscode.workspace.openTextDocument(far);
        const editor = await vscode.window.showTextDocument(doc);
        editor.revealRange(new vscode.Range(0, 0, 0, 0), vscode.TextEditorRevealType.AtTop);
        assert.ok(
          editor.visibleRanges.every((r) => r.end.line < 300),
          'the second experiment is off screen',
        );
        const sizes = async () => {
          const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', far);
          const size = (line: number) =>
            lenses.find((l) => l.range.start.line === line && /params/.test(l.command?.title ?? ''));
          return size(2) && size(303) && [size(2)!.command!.title, size(303)!.command!.title];
        };
        assert.deepEqual(await untilAsync(sizes, 60_000, 'both sizes'), [
          'ResNet-8 · 2,590 params · 3 shortcuts',
          'ResNet-8 · 2,590 params · 3 shortcuts',
        ]);
      } finally {
        fs.rmSync(far.fsPath, { force: true });
      }
    });
  });
}
