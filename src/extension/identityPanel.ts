// The identity experiment's panel: one result at a time, the plain and the
// residual stack side by side (the loss curves, every block's distance from
// I and from 0), drawn by the webview (webview/identity) from identity.json's
// content. Its own small webview on the shared host base (strict CSP, messages
// validated, posts wait for `ready`), so that it needs nothing of the training
// panel; like every webview it sees the run folder's name, never its path.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { IdentityHostMessage, IdentityPanelMessage, IdentityResult } from '../protocol/identity';
import { IdentityPanelMessageSchema } from '../protocol/identity';
import { Log } from './log';
import { WebviewHost } from './webviewHost';
import { localResourceRoots } from './webviewHtml';

export class IdentityPanel extends WebviewHost<IdentityPanelMessage, IdentityHostMessage> {
  static readonly viewType = 'resnetLab.identity';
  private panel: vscode.WebviewPanel | undefined;
  private shown: IdentityHostMessage | undefined;

  constructor(extensionUri: vscode.Uri, log: Log) {
    super(extensionUri, log, {
      script: 'identity.js',
      title: 'Identity Experiment',
      name: 'the identity panel',
      schema: IdentityPanelMessageSchema,
    });
    this._register(() => {
      this.panel?.dispose();
    });
  }

  show(runDir: string, result: IdentityResult): void {
    this.shown = { method: 'identity/show', params: { folder: path.basename(runDir), result } };
    if (!this.panel) this.open();
    else this.panel.reveal(undefined, true);
    this.post(this.shown);
  }

  private open(): void {
    const panel = vscode.window.createWebviewPanel(
      IdentityPanel.viewType,
      'Identity Experiment',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: localResourceRoots(this.extensionUri) },
    );
    this.panel = panel;
    this.attach(panel.webview);
    this.whileAttached(
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.detach();
      }),
    );
  }

  /** Its only message is `webview/ready`: a reloaded webview is sent the result again. */
  protected onMessage(_msg: IdentityPanelMessage, needsEverything: boolean): void {
    if (needsEverything && this.shown) this.post(this.shown);
  }
}
