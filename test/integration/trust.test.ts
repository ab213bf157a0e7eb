import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, fixture } from './util';

export function registerTrustSuite(): void {
  describe('untrusted workspace', () => {
    it('refuses to train and starts no trainer', async () => {
      const { runs } = await api();
      assert.equal(vscode.workspace.isTrusted, false);
      const started = await vscode.commands.executeCommand('resnetLab.train', {
        file: fixture('models.ts').fsPath,
        experiment: 'tinyResnet',
      });
      assert.equal(started, undefined);
      assert.equal(runs.all.length, 0);
    });

    it('refuses the identity and degradation experiments (they run workspace code too)', async () => {
      const { runs } = await api();
      for (const command of ['resnetLab.identity', 'resnetLab.degradation'])
        assert.equal(await vscode.commands.executeCommand(command), false, command);
      assert.equal(runs.all.length, 0);
    });
  });
}
