// ▶ Train, Diagram and Compare above every `export const x = experiment(...)`.
// Re-scanned from the document text on every request, so lenses follow edits.
import * as vscode from 'vscode';
import { findExperiments } from '../core/experiments/findExperiments';

export interface ExperimentRef { file: string; experiment: string }

export class ExperimentCodeLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const text = doc.getText();
    if (!text.includes('experiment')) return [];
    return findExperiments(text).flatMap((e) => {
      const range = new vscode.Range(e.line, e.column, e.line, e.column);
      const ref: ExperimentRef = { file: doc.uri.fsPath, experiment: e.name };
      return [
        new vscode.CodeLens(range, { title: '▶ Train', command: 'resnetLab.train', arguments: [ref], tooltip: `Train ${e.name}` }),
        new vscode.CodeLens(range, { title: 'Diagram', command: 'resnetLab.showDiagram', arguments: [ref], tooltip: `Show the layer diagram of ${e.name}` }),
        new vscode.CodeLens(range, { title: 'Compare', command: 'resnetLab.compareRuns', arguments: [ref], tooltip: `Compare the runs of ${e.name}` }),
      ];
    });
  }
}
