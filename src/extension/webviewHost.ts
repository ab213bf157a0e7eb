// The host end of one webview, shared by the training panel and the side view
// (like vscode-pull-request-github's WebviewBase): the HTML with its strict
// CSP and nonce, the ready handshake, every inbound message validated against
// the webview's own schema (an invalid one is logged and dropped, never acted
// on), and the listeners of a webview released when it goes or is replaced.
import type { z } from 'zod';
import * as vscode from 'vscode';
import { Log } from './log';
import { localResourceRoots, webviewHtml } from './webviewHtml';

export interface WebviewSpec<FromWebview> {
  /** The bundle under dist/webview/. */
  script: string;
  /** The document title. */
  title: string;
  /** How log lines name it: "the training panel". */
  name: string;
  /** What this webview may send; anything else is refused. */
  schema: z.ZodType<FromWebview>;
}

export abstract class WebviewHost<FromWebview extends { method: string }, ToWebview> implements vscode.Disposable {
  private webview: vscode.Webview | undefined;
  private ready = false;
  /** Listeners of the current webview: released when another replaces it or it goes. */
  private attached: vscode.Disposable[] = [];
  /** The host's own subscriptions, for its whole life. */
  protected readonly disposables: vscode.Disposable[] = [];

  protected constructor(
    protected readonly extensionUri: vscode.Uri,
    protected readonly log: Log,
    private readonly spec: WebviewSpec<FromWebview>,
  ) {}

  /** Loads the webview's page; messages go out once it said `webview/ready`. */
  protected attach(webview: vscode.Webview): void {
    this.detach();
    this.webview = webview;
    webview.options = { enableScripts: true, localResourceRoots: localResourceRoots(this.extensionUri) };
    webview.html = webviewHtml(webview, this.extensionUri, this.spec.script, this.spec.title);
    this.attached.push(webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)));
  }

  /** Listeners that belong to the current webview (its panel's or view's events). */
  protected whileAttached(...listeners: vscode.Disposable[]): void {
    this.attached.push(...listeners);
  }

  /** The webview is gone (its panel closed, its view hidden for good). */
  protected detach(): void {
    this.attached.forEach((d) => d.dispose());
    this.attached = [];
    this.webview = undefined;
    this.ready = false;
  }

  protected get isReady(): boolean {
    return this.ready;
  }

  /** Dropped while the webview is starting: its `webview/ready` asks for everything anyway. */
  protected post(message: ToWebview): void {
    if (this.webview && this.ready) void this.webview.postMessage(message);
  }

  /** A valid message; `webview/ready` too, after the host marked the webview ready. */
  protected abstract onMessage(message: FromWebview): void;

  private receive(raw: unknown): void {
    const parsed = this.spec.schema.safeParse(raw);
    if (!parsed.success) {
      this.log.error(`ignored an invalid message from ${this.spec.name}: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    if (parsed.data.method === 'webview/ready') this.ready = true;
    this.onMessage(parsed.data);
  }

  dispose(): void {
    this.detach();
    this.disposables.forEach((d) => d.dispose());
  }
}
