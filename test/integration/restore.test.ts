// A window reload brings the training panel back from the state its webview
// kept: a model's diagram shown alone is built again from its file; a state
// naming a file outside the workspace (the state comes back through the
// webview) builds nothing, and the panel closes rather than staying blank.
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { PANEL_VIEW_TYPE } from '../../src/extension/trainingPanel';
import { api, fixture, until } from './util';

export function registerRestoreSuite(): void {
  describe('panel after a reload', function () {
    this.timeout(120_000);
    const webviewPanel = () =>
      vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'ResNet Lab', vscode.ViewColumn.Beside, {
        enableScripts: true,
      });

    it('shows a diagram-only panel again, built from its model file', async () => {
      const { panel } = await api();
      const model = { file: fixture('models.ts').fsPath, experiment: 'tinyResnet' };
      panel.restore(webviewPanel(), { runDirs: [], model });
      const diagram = await until(
        () => panel.shownModel?.experiment === 'tinyResnet' && panel.diagram,
        60_000,
        'the rebuilt diagram',
      );
      assert.equal(diagram.summary.name, 'resnet8');
      assert.ok(diagram.graph.nodes.length > 20, `${diagram.graph.nodes.length} nodes`);
    });

    it('closes a restored panel whose saved model file is outside the workspace, building nothing', async () => {
      const { panel } = await api();
      const forged = webviewPanel();
      let disposed = false;
      forged.onDidDispose(() => (disposed = true));
      const outside = path.join(os.tmpdir(), 'not-in-the-workspace.ts');
      panel.restore(forged, { runDirs: ['/etc'], model: { file: outside, experiment: 'x' } });
      await until(() => disposed, 5_000, 'the panel to close');
      assert.equal(panel.shownModel, undefined);
    });
  });
}
