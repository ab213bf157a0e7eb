// Every experiment in the workspace, for the "Train ResNet" quick pick.
import * as vscode from 'vscode';
import { findExperiments } from '../core/experiments/findExperiments';

export interface IndexedExperiment {
  file: string;
  experiment: string;
  line: number;
}

const EXCLUDE = '**/{node_modules,dist,out,.git,.resnet-lab}/**';

export async function findWorkspaceExperiments(): Promise<IndexedExperiment[]> {
  const files = await vscode.workspace.findFiles('**/*.ts', EXCLUDE, 2000);
  const found: IndexedExperiment[] = [];
  for (const uri of files) {
    // Open documents may have unsaved edits: prefer them over the disk.
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    if (!text.includes('experiment(')) continue;
    for (const e of findExperiments(text)) found.push({ file: uri.fsPath, experiment: e.name, line: e.line });
  }
  const activeFile = vscode.window.activeTextEditor?.document.uri.fsPath;
  return found.sort(
    (a, b) =>
      Number(b.file === activeFile) - Number(a.file === activeFile) || a.file.localeCompare(b.file) || a.line - b.line,
  );
}
