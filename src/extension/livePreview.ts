// The live preview: while a model file is edited, ~400 ms after the last
// keystroke, the experiment under the cursor is built from the editor's
// unsaved text in the warm describe process, and the result goes to
//  - the training panel, when it shows a model's diagram (not a run): the
//    diagram redraws, or stays greyed under the error;
//  - the Problems panel (the diagnostics collection training uses): the
//    error at its line, cleared once the model builds again. An error is
//    held for ERROR_HOLD_MS and dropped if the file is edited meanwhile: a
//    half-typed line that happened to be built (a pause, a slow machine) is
//    not reported before the text the user meant;
//  - the model facts of the CodeLens and the hover.
// Only in a trusted workspace (it runs the model file), and unless the
// setting resnetLab.livePreview is off. The CodeLens's Diagram opens the
// panel the same way (SHOW_LIVE_COMMAND), from the editor's text in the warm
// process; the palette's Show Model Diagram keeps building the saved file.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { settings } from './settings';
import { findExperiments, FoundExperiment } from '../core/experiments/findExperiments';
import type { DescribeOutcome, DescribeService } from './describeService';
import type { Diagnostics } from './diagnostics';
import type { Log } from './log';
import type { ModelFacts } from './modelFacts';
import type { TrainingPanel } from './trainingPanel';

export const DEBOUNCE_MS = 400;
/** How long a preview's error waits for the typing to go on before it is shown. */
export const ERROR_HOLD_MS = 1200;
/** The Diagram lens's command (not in the palette): `resnetLab.showDiagram` from the editor's text. */
export const SHOW_LIVE_COMMAND = 'resnetLab.showDiagramLive';

/** What one preview did, for the tests and the log. */
export interface PreviewResult {
  file: string;
  experiment: string;
  /** The document version it built. */
  version: number;
  outcome: DescribeOutcome;
  /** Milliseconds from the request to the answer, the process's start included. */
  ms: number;
}

export class LivePreview implements vscode.Disposable {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Errors of the last preview, by file, not shown yet (see ERROR_HOLD_MS). */
  private readonly heldErrors = new Map<string, NodeJS.Timeout>();
  /** The experiment each file was last previewed for: editing a helper function outside any experiment keeps it. */
  private readonly lastTarget = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<PreviewResult>();
  readonly onDidPreview = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly service: DescribeService,
    private readonly panel: TrainingPanel,
    private readonly diagnostics: Diagnostics,
    private readonly facts: ModelFacts,
    private readonly log: Log,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (!e.contentChanges.length) return;
        this.dropHeldError(e.document.uri.fsPath); // the text it was about is gone
        this.schedule(e.document);
      }),
      // The cursor moving into another experiment of the file shows that one, if a diagram is open and the setting says so.
      vscode.window.onDidChangeTextEditorSelection((e) => {
        const doc = e.textEditor.document;
        if (!settings.previewFollowsCursor() || !this.panel.shownModel || !this.eligible(doc)) return;
        const target = this.target(doc, findExperiments(doc.getText()));
        if (target && target !== this.shownExperiment(doc.uri.fsPath)) this.schedule(doc);
      }),
      vscode.commands.registerCommand(SHOW_LIVE_COMMAND, (ref?: { file: string; experiment: string }) =>
        this.showLive(ref),
      ),
    );
  }

  /**
   * Opens the diagram of an experiment of an open file, built from its text in
   * the warm process (~0.1 s, unsaved edits included). Anything else (a file not
   * open, Restricted Mode, the preview turned off) is the palette command's.
   */
  private async showLive(ref?: { file: string; experiment: string }): Promise<void> {
    const doc = ref && vscode.workspace.textDocuments.find((d) => d.uri.fsPath === ref.file);
    if (!ref || !doc || !this.eligible(doc)) return void vscode.commands.executeCommand('resnetLab.showDiagram', ref);
    this.lastTarget.set(ref.file, ref.experiment);
    const text = doc.getText();
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Building ${ref.experiment}…` },
      // No key: an edit typed while this waits must not replace it (the panel would never open).
      () => this.service.describe({ file: ref.file, experiment: ref.experiment, source: text }),
    );
    if (outcome.status === 'described') {
      this.panel.showDiagram(ref, { graph: outcome.graph, summary: outcome.summary });
      this.diagnostics.clear(ref.file);
      this.facts.record(ref.file, ref.experiment, text, outcome.summary);
    } else if (outcome.status === 'failed') {
      this.apply({ file: ref.file, experiment: ref.experiment, version: doc.version, outcome, ms: 0 }, text);
      const choice = await vscode.window.showErrorMessage(
        `ResNet Lab: ${ref.experiment}: ${outcome.message.split('\n')[0]}`,
        'Show Log',
      );
      if (choice) this.log.show();
    }
  }

  private eligible(doc: vscode.TextDocument): boolean {
    return (
      doc.uri.scheme === 'file' &&
      doc.languageId === 'typescript' &&
      vscode.workspace.isTrusted &&
      settings.livePreview() &&
      doc.getText().includes('experiment')
    );
  }

  private schedule(doc: vscode.TextDocument): void {
    if (!this.eligible(doc)) return;
    const file = doc.uri.fsPath;
    clearTimeout(this.timers.get(file));
    this.timers.set(
      file,
      setTimeout(() => {
        this.timers.delete(file);
        void this.preview(doc);
      }, DEBOUNCE_MS),
    );
  }

  /** The experiment of this file whose diagram the panel shows. */
  private shownExperiment(file: string): string | undefined {
    const shown = this.panel.shownModel;
    return shown?.file === file ? shown.experiment : undefined;
  }

  /**
   * The experiment to build: the one the panel's diagram shows (unless it
   * follows the cursor, resnetLab.previewFollowsCursor); else the one whose
   * statement holds the cursor; else the one last previewed in this file;
   * else the first.
   */
  private target(doc: vscode.TextDocument, found: FoundExperiment[]): string | undefined {
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === doc);
    const line = editor?.selection.active.line;
    const under = line === undefined ? undefined : found.find((e) => line >= e.line && line <= e.endLine);
    const names = new Set(found.map((e) => e.name));
    const remembered = [this.lastTarget.get(doc.uri.fsPath), this.shownExperiment(doc.uri.fsPath)].find(
      (n) => n && names.has(n),
    );
    const shown = this.shownExperiment(doc.uri.fsPath);
    const pinned = !settings.previewFollowsCursor() && shown && names.has(shown) ? shown : undefined;
    return pinned ?? under?.name ?? remembered ?? found[0]?.name;
  }

  /** Builds the document's current text now; resolves when the panel, Problems and facts have the result. */
  async preview(doc: vscode.TextDocument): Promise<PreviewResult | undefined> {
    const text = doc.getText();
    const file = doc.uri.fsPath;
    const experiment = this.target(doc, findExperiments(text));
    if (!experiment) return undefined;
    this.lastTarget.set(file, experiment);
    const version = doc.version;
    const started = Date.now();
    const outcome = await this.service.describe({ file, experiment, source: text, key: `preview\0${file}` });
    if (outcome.status === 'superseded') return undefined;
    const result: PreviewResult = { file, experiment, version, outcome, ms: Date.now() - started };
    this.dropHeldError(file);
    if (outcome.status !== 'failed') {
      this.apply(result, text);
    } else if (doc.version === version) {
      this.heldErrors.set(
        file,
        setTimeout(() => {
          this.heldErrors.delete(file);
          this.apply(result, text);
        }, ERROR_HOLD_MS),
      );
    } // else: the failure of a text already edited away; the preview of the new text decides
    this.emitter.fire(result);
    return result;
  }

  private dropHeldError(file: string): void {
    clearTimeout(this.heldErrors.get(file));
    this.heldErrors.delete(file);
  }

  private apply({ file, experiment, outcome, ms }: PreviewResult, text: string): void {
    if (outcome.status === 'described') {
      this.log.trace(
        `preview of ${experiment}: ${outcome.summary.layers.length} layers, ${outcome.summary.shortcuts} shortcuts in ${ms} ms (${outcome.ms} ms building)`,
      );
      this.diagnostics.clear(file);
      this.facts.record(file, experiment, text, outcome.summary);
      this.panel.showPreview({ file, experiment }, { diagram: { graph: outcome.graph, summary: outcome.summary } });
      return;
    }
    if (outcome.status !== 'failed') return;
    this.log.info(`preview of ${experiment}: ${outcome.message}`);
    const kind = outcome.kind === 'timeout' ? 'build' : outcome.kind;
    this.diagnostics.report(file, { type: 'failed', kind, message: outcome.message, diagnostics: outcome.diagnostics });
    const d = outcome.diagnostics[0];
    const error = d ? `${path.basename(d.file)}:${d.line}:${d.column} ${d.message}` : outcome.message.split('\n')[0];
    this.panel.showPreview({ file, experiment }, { error });
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const t of this.heldErrors.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
    this.emitter.dispose();
  }
}
