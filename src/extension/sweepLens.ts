// `▶ Sweep (16 runs)` and `Results` above every `export const x = sweep(...)`.
// The count is read off the text (src/core/experiments/findSweeps.ts); axes
// built in code leave it out until the sweep runs.
import * as vscode from 'vscode';
import { findSweeps } from '../core/experiments/findSweeps';

export interface SweepRef {
  file: string;
  sweep: string;
}

export const SWEEP_COMMAND = 'resnetLab.sweep';
export const SWEEP_RESULTS_COMMAND = 'resnetLab.showSweepResults';

export function sweepLenses(doc: vscode.TextDocument, text: string): vscode.CodeLens[] {
  if (!text.includes('sweep')) return [];
  return findSweeps(text).flatMap((s) => {
    const range = new vscode.Range(s.line, s.column, s.line, s.column);
    const ref: SweepRef = { file: doc.uri.fsPath, sweep: s.name };
    const runs = s.runs === undefined ? '' : ` (${s.runs} run${s.runs === 1 ? '' : 's'})`;
    return [
      new vscode.CodeLens(range, {
        title: `▶ Sweep${runs}`,
        command: SWEEP_COMMAND,
        arguments: [ref],
        tooltip: `Train every run of ${s.name}${s.axes.length ? ` over ${s.axes.join(' × ')}` : ''}, through a queue that survives a reload`,
      }),
      new vscode.CodeLens(range, {
        title: 'Results',
        command: SWEEP_RESULTS_COMMAND,
        arguments: [ref],
        tooltip: `The latest results of ${s.name}`,
      }),
    ];
  });
}
