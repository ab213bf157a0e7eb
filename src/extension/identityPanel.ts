// The identity experiment's panel: one result at a time, the plain and the
// residual stack side by side (the loss curves, every block's distance from
// I and from 0), drawn by the webview (webview/identity) from identity.json's
// content. Its own small webview, so that it needs nothing of the training panel.
import * as vscode from 'vscode';
import type { IdentityHostMessage, IdentityResult } from '../protocol/identity';
import { IdentityPanelMessageSchema } from '../protocol/identity';
import { Log } from './log';
import { localResourceRoots, webviewHtml } from './webviewHtml';

export class IdentityPanel implements vscode.Disposable {
  static readonly viewType = 'resnetLab.identity';
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private shown: IdentityHostMessage | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: Log,
  ) {}

  show(runDir: string, result: IdentityResult): void {
    this.shown = { method: 'identity/show', params: { runDir, result } };
    if (!this.panel) this.open();
    else this.panel.reveal(undefined, true);
    this.flush();
  }

  private open(): void {
    const panel = vscode.window.createWebviewPanel(
      IdentityPanel.viewType,
      'Identity Experiment',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: localResourceRoots(this.extensionUri) },
    );
    this.panel = panel;
    this.ready = false;
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'identity.js', 'Identity Experiment');
    panel.webview.onDidReceiveMessage((raw: unknown) => {
      if (!IdentityPanelMessageSchema.safeParse(raw).success) {
        this.log.error(`ignored an invalid message from the identity panel: ${JSON.stringify(raw)?.slice(0, 200)}`);
        return;
      }
      this.ready = true;
      this.flush();
    });
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.ready = false;
    });
  }

  /** Messages wait for the webview's `webview/ready`, so none is lost while it loads. */
  private flush(): void {
    if (this.panel && this.ready && this.shown) void this.panel.webview.postMessage(this.shown);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
