// Model-file errors in the Problems panel, at the line the trainer reported.
import * as vscode from 'vscode';
import type { LifecycleEvent } from '../protocol/trainer';

type Failed = Extract<LifecycleEvent, { type: 'failed' }>;

export class Diagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('resnet-lab');

  report(file: string, e: Failed): void {
    if (e.diagnostics.length === 0) return;
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const d of e.diagnostics) {
      const pos = new vscode.Position(Math.max(0, d.line - 1), Math.max(0, d.column - 1));
      const diag = new vscode.Diagnostic(
        new vscode.Range(pos, pos.translate(0, 1)),
        d.message,
        vscode.DiagnosticSeverity.Error,
      );
      diag.source = e.kind === 'compile' ? 'resnet-lab (compile)' : 'resnet-lab (model)';
      const list = byFile.get(d.file) ?? [];
      list.push(diag);
      byFile.set(d.file, list);
    }
    if (!byFile.has(file)) this.collection.delete(vscode.Uri.file(file));
    for (const [f, list] of byFile) this.collection.set(vscode.Uri.file(f), list);
  }

  clear(file: string): void {
    this.collection.delete(vscode.Uri.file(file));
  }

  dispose(): void {
    this.collection.dispose();
  }
}
