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
  });
}
