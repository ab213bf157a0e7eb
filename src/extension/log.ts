import * as vscode from 'vscode';

/** The "ResNet Lab" log output channel. */
export class Log implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('ResNet Lab', { log: true });
  info(message: string): void {
    this.channel.info(message);
  }
  error(message: string): void {
    this.channel.error(message);
  }
  trace(message: string): void {
    this.channel.trace(message);
  }
  show(): void {
    this.channel.show(true);
  }
  dispose(): void {
    this.channel.dispose();
  }
}
