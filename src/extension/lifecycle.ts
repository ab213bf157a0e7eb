// One way to own and release things on the host (as vscode-pull-request-github's
// src/common/lifecycle.ts): a class registers what it holds once, with
// _register, and dispose() releases all of it, last registered first. Safe to
// call twice; anything registered after disposal is released at once.
import type * as vscode from 'vscode';

type Releasable = vscode.Disposable | (() => void);

export abstract class Disposable implements vscode.Disposable {
  private readonly held: Releasable[] = [];
  private disposed = false;

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  /** Holds `thing` until this object is disposed; returns it. */
  protected _register<T extends Releasable>(thing: T): T {
    if (this.disposed) release(thing);
    else this.held.push(thing);
    return thing;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const thing of this.held.splice(0).reverse()) release(thing);
  }
}

/**
 * Things held for a while and released together (a webview's listeners while it
 * is attached, the followers of what a panel shows): clear() releases them and
 * the group can be used again.
 */
export class DisposableGroup implements vscode.Disposable {
  private held: Releasable[] = [];

  add(...things: Releasable[]): void {
    this.held.push(...things);
  }

  clear(): void {
    for (const thing of this.held.splice(0).reverse()) release(thing);
  }

  dispose(): void {
    this.clear();
  }
}

function release(thing: Releasable): void {
  if (typeof thing === 'function') thing();
  else thing.dispose();
}
