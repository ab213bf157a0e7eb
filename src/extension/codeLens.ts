// ▶ Train, Diagram and Compare above every `export const x = experiment(...)`,
// then the model's size once it is known (ModelFacts, built from the editor's
// text in the background: the lenses never wait for it). Re-scanned from the
// document text on every request, so lenses and sizes follow edits.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { factsLine, summaryTable } from '../cli/format';
import { findExperiments } from '../core/experiments/findExperiments';
import { summaryPartsMarkdown } from '../core/graph/summaryParts';
import { SHOW_LIVE_COMMAND } from './livePreview';
import type { Log } from './log';
import type { ModelFacts } from './modelFacts';
import { sweepLenses } from './sweepLens';

/** The hover's "Every layer" link: the layer-by-layer table, as `resnet-lab summary` prints it, in the output channel. */
export const SHOW_SUMMARY_COMMAND = 'resnetLab.showSummary';

export function registerShowSummary(facts: ModelFacts, log: Log): vscode.Disposable {
  return vscode.commands.registerCommand(SHOW_SUMMARY_COMMAND, async (ref?: { file: string; experiment: string }) => {
    if (!ref) return;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === ref.file);
    const summary = await facts.whenKnown(ref.file, ref.experiment, doc?.getText());
    if (!summary) return void vscode.window.showErrorMessage(`ResNet Lab: ${ref.experiment} is not built yet.`);
    log.info(`${ref.experiment} (${path.basename(ref.file)}):\n${summaryTable(summary)}`);
    log.show();
  });
}

export interface ExperimentRef {
  file: string;
  experiment: string;
}

export class ExperimentCodeLensProvider implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses?: vscode.Event<void>;

  constructor(private readonly facts?: ModelFacts) {
    this.onDidChangeCodeLenses = facts?.onDidChange;
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const text = doc.getText();
    if (!text.includes('experiment')) return [];
    return [...sweepLenses(doc, text), ...this.experimentLenses(doc, text)];
  }

  private experimentLenses(doc: vscode.TextDocument, text: string): vscode.CodeLens[] {
    return findExperiments(text).flatMap((e) => {
      const range = new vscode.Range(e.line, e.column, e.line, e.column);
      const ref: ExperimentRef = { file: doc.uri.fsPath, experiment: e.name };
      const lenses = [
        new vscode.CodeLens(range, {
          title: '▶ Train',
          command: 'resnetLab.train',
          arguments: [ref],
          tooltip: `Train ${e.name}`,
        }),
        new vscode.CodeLens(range, {
          title: 'Diagram',
          command: SHOW_LIVE_COMMAND,
          arguments: [ref],
          tooltip: `Show the layer diagram of ${e.name}`,
        }),
        new vscode.CodeLens(range, {
          title: 'Compare',
          command: 'resnetLab.compareRuns',
          arguments: [ref],
          tooltip: `Compare the runs of ${e.name}`,
        }),
      ];
      const summary = this.facts?.get(doc.uri.fsPath, e.name, text);
      if (summary) {
        // Text, not a button (an empty command): Diagram is the button for the whole model.
        lenses.push(
          new vscode.CodeLens(range, {
            title: factsLine(summary),
            command: '',
            tooltip: `${summary.trainableParams.toLocaleString('en-US')} trainable parameters, ${summary.depth} weighted layers, ${summary.shortcuts} shortcut connections (as the editor's text builds)`,
          }),
        );
      }
      return lenses;
    });
  }
}

/**
 * Hovering an experiment's name shows its size and a table by part (stem,
 * stages, head) that fits a hover, with links to its diagram and to the
 * layer-by-layer table (`resnet-lab summary` in the output channel).
 */
export class ExperimentHoverProvider implements vscode.HoverProvider {
  constructor(private readonly facts: ModelFacts) {}

  async provideHover(
    doc: vscode.TextDocument,
    pos: vscode.Position,
    token: vscode.CancellationToken,
  ): Promise<vscode.Hover | undefined> {
    const text = doc.getText();
    if (!text.includes('experiment')) return undefined;
    const word = doc.getWordRangeAtPosition(pos);
    if (!word) return undefined;
    const name = doc.getText(word);
    const e = findExperiments(text).find((x) => x.name === name && x.line === pos.line);
    if (!e) return undefined;
    const summary = await this.facts.whenKnown(doc.uri.fsPath, e.name, text);
    if (!summary || token.isCancellationRequested) return undefined;
    const ref = encodeURIComponent(JSON.stringify([{ file: doc.uri.fsPath, experiment: e.name }]));
    const md = new vscode.MarkdownString();
    md.isTrusted = { enabledCommands: [SHOW_LIVE_COMMAND, SHOW_SUMMARY_COMMAND] };
    md.appendMarkdown(`**${e.name}**: ${factsLine(summary)}\n\n`);
    md.appendMarkdown(summaryPartsMarkdown(summary) + '\n\n');
    md.appendMarkdown(
      `[Diagram](command:${SHOW_LIVE_COMMAND}?${ref}) · [Every layer](command:${SHOW_SUMMARY_COMMAND}?${ref})`,
    );
    return new vscode.Hover(md, word);
  }
}
