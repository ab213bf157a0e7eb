// The host end of one webview, shared by the training panel and the side view
// (like vscode-pull-request-github's WebviewBase): the HTML with its strict
// CSP and nonce, the ready handshake (messages posted while the webview starts
// wait for its `webview/ready`, as that extension's _waitForReady does), every
// inbound message validated against the webview's own schema (an invalid one
// is logged and dropped, never acted on), and the listeners of a webview
// released when it goes or is replaced.
import type { z } from 'zod';
import * as vscode from 'vscode';
import { Disposable, DisposableGroup } from './lifecycle';
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

/** Messages kept for a webview that is starting; past this it is sent everything again once ready. */
const MAX_QUEUED = 5000;

export abstract class WebviewHost<FromWebview extends { method: string }, ToWebview> extends Disposable {
  private webview: vscode.Webview | undefined;
  private ready = false;
  /** Posted before the webview said it is ready: sent, in order, when it does. */
  private queue: { message: ToWebview; sent: () => void }[] = [];
  private overflowed = false;
  /** Listeners of the current webview: released when another replaces it or it goes. */
  private readonly attached = this._register(new DisposableGroup());

  protected constructor(
    protected readonly extensionUri: vscode.Uri,
    protected readonly log: Log,
    private readonly spec: WebviewSpec<FromWebview>,
  ) {
    super();
  }

  /** Loads the webview's page; messages go out once it said `webview/ready`. */
  protected attach(webview: vscode.Webview): void {
    this.detach();
    this.webview = webview;
    webview.options = { enableScripts: true, localResourceRoots: localResourceRoots(this.extensionUri) };
    webview.html = webviewHtml(webview, this.extensionUri, this.spec.script, this.spec.title);
    this.attached.add(webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)));
  }

  /** Listeners that belong to the current webview (its panel's or view's events). */
  protected whileAttached(...listeners: vscode.Disposable[]): void {
    this.attached.add(...listeners);
  }

  /** The webview is gone (its panel closed, its view hidden for good): what waited for it goes too. */
  protected detach(): void {
    this.attached.clear();
    this.webview = undefined;
    this.ready = false;
    this.queue.splice(0).forEach((q) => q.sent());
    this.overflowed = false;
  }

  protected get isReady(): boolean {
    return this.ready;
  }

  /** Sent now when the webview is ready, else when it says so; nothing is sent without a webview. */
  protected post(message: ToWebview): void {
    void this.delivered(message);
  }

  /** post(), settling once the message went (or was dropped with its webview). */
  protected delivered(message: ToWebview): Promise<void> {
    const webview = this.webview;
    if (!webview) return Promise.resolve();
    if (this.ready) return Promise.resolve(webview.postMessage(message)).then(ignore, ignore);
    if (this.queue.length >= MAX_QUEUED) {
      this.overflowed = true;
      return Promise.resolve();
    }
    return new Promise((sent) => this.queue.push({ message, sent }));
  }

  /**
   * A valid message. `webview/ready` comes after what was queued for the
   * webview went out; `needsEverything` says whether the webview has nothing
   * (a reloaded webview, or a queue that overflowed): then send it all again.
   */
  protected abstract onMessage(message: FromWebview, needsEverything: boolean): void;

  private receive(raw: unknown): void {
    const parsed = this.spec.schema.safeParse(raw);
    if (!parsed.success) {
      this.log.error(`ignored an invalid message from ${this.spec.name}: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    if (parsed.data.method !== 'webview/ready') return this.onMessage(parsed.data, false);
    this.ready = true;
    const queued = this.queue.splice(0);
    const needsEverything = this.overflowed || queued.length === 0;
    this.overflowed = false;
    for (const q of queued) {
      if (needsEverything || !this.webview) q.sent();
      else void Promise.resolve(this.webview.postMessage(q.message)).then(q.sent, q.sent);
    }
    this.onMessage(parsed.data, needsEverything);
  }

  override dispose(): void {
    this.detach();
    super.dispose();
  }
}

const ignore = (): void => undefined;
