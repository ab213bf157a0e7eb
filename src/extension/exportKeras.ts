// "Export Experiment to Keras": the VS Code face of `resnet-lab export-keras`.
// The model is built in a trainer process (the model file is workspace code;
// tfjs never loads in the extension host), which writes the Python project
// with the same core export as the CLI (src/core/export). Asks where, and from
// which weights (the initial ones, or a run's latest checkpoint), then says
// where it wrote; a model we cannot export gets the one line naming the layer.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { findExperiments } from '../core/experiments/findExperiments';
import { hasCheckpoint } from '../core/runs/checkpoint';
import { listRuns } from '../core/runs/runFolder';
import { TrainerClient } from '../launch/trainerClient';
import type { ExperimentRef } from './codeLens';
import { Log } from './log';
import { settings } from './settings';

export interface ExportKerasDeps {
  trainerScript: string;
  log: Log;
  pickExperiment: (placeHolder: string) => Promise<ExperimentRef | undefined>;
}

/** From the editor's context menu (a file URI): the experiment at or above the cursor, or the file's only one. */
function experimentAtCursor(uri: vscode.Uri): ExperimentRef | undefined {
  const editor = vscode.window.activeTextEditor;
  const doc =
    editor?.document.uri.toString() === uri.toString()
      ? editor.document
      : vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (!doc) return undefined;
  const all = findExperiments(doc.getText());
  const line = editor?.document === doc ? editor.selection.active.line : 0;
  const here = all.filter((e) => e.line <= line).pop() ?? (all.length === 1 ? all[0] : undefined);
  return here && { file: doc.uri.fsPath, experiment: here.name };
}

/** `<experiment>-keras` beside the model file, or -2, -3, ... when taken. */
function defaultOutDir(ref: ExperimentRef): string {
  const base = path.join(path.dirname(ref.file), `${ref.experiment}-keras`);
  let out = base;
  for (let i = 2; fs.existsSync(out); i++) out = `${base}-${i}`;
  return out;
}

/** The initial weights, or a run of this experiment with a checkpoint; undefined when the pick was cancelled. */
async function pickWeights(ref: ExperimentRef): Promise<{ fromRun?: string } | undefined> {
  const runs = listRuns(settings.runsDir(ref.file)).filter(
    (r) => r.info.experiment === ref.experiment && hasCheckpoint(r.dir, 'latest'),
  );
  if (runs.length === 0) return {};
  const pct = (x: number | null | undefined) => (x == null ? '–' : `${(100 * x).toFixed(2)}%`);
  const picked = await vscode.window.showQuickPick(
    [
      {
        label: 'Initial weights',
        description: "as training starts them (the experiment's seed)",
        fromRun: undefined as string | undefined,
      },
      ...runs.map((r) => ({
        label: `Trained: ${path.basename(r.dir)}`,
        description: `${r.info.status} · test error ${pct(r.info.final?.testError)}`,
        fromRun: r.dir,
      })),
    ],
    { placeHolder: `Export ${ref.experiment} with which weights?` },
  );
  return picked && { fromRun: picked.fromRun };
}

export function runExport(
  d: Pick<ExportKerasDeps, 'trainerScript' | 'log'>,
  ref: ExperimentRef,
  outDir: string,
  fromRun?: string,
): Promise<{ outDir: string; files: string[]; weightsFrom: string }> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const client = new TrainerClient(
      d.trainerScript,
      {
        onEvent: (e) => {
          if (e.type === 'exported') {
            settled = true;
            resolve(e);
          } else if (e.type === 'failed') {
            settled = true;
            reject(new Error(e.message));
          } else if (e.type === 'log') d.log.info(e.message);
        },
        onOutput: (line) => d.log.trace(line),
        onExit: (exit) => {
          if (!settled)
            reject(new Error(`the trainer process exited (${exit.code ?? exit.signal}): ${exit.stderr.slice(-500)}`));
        },
      },
      { buildTimeoutSeconds: settings.buildTimeout() },
    );
    client.send({ type: 'export-keras', file: ref.file, experiment: ref.experiment, outDir, fromRun });
  });
}

export async function exportExperimentToKeras(
  d: ExportKerasDeps,
  arg?: ExperimentRef | vscode.Uri,
): Promise<string | undefined> {
  const ref =
    arg instanceof vscode.Uri
      ? experimentAtCursor(arg)
      : (arg ?? (await d.pickExperiment('Export which experiment to Keras?')));
  if (!ref) return undefined;
  const doc = vscode.workspace.textDocuments.find((t) => t.uri.fsPath === ref.file);
  if (doc?.isDirty) await doc.save();
  const weights = await pickWeights(ref);
  if (!weights) return undefined;
  const outDir = await vscode.window.showInputBox({
    title: `Export ${ref.experiment} to Keras`,
    prompt: 'Folder for the Python project (model.py, train.py, weights, README); it must not exist or be empty',
    value: defaultOutDir(ref),
    validateInput: (v) =>
      !v.trim()
        ? 'a folder is needed'
        : fs.existsSync(v) && fs.readdirSync(v).length > 0
          ? `${v} exists and is not empty`
          : undefined,
  });
  if (!outDir) return undefined;
  try {
    const r = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Exporting ${ref.experiment} to Keras…` },
      () => runExport(d, ref, path.resolve(outDir.trim()), weights.fromRun),
    );
    d.log.info(`exported ${ref.experiment} to ${r.outDir}: ${r.files.join(', ')}; weights ${r.weightsFrom}`);
    // Workspace-relative paths: the message is read, not copied.
    const rel = (p: string) => vscode.workspace.asRelativePath(p, false);
    const weightsFrom = weights.fromRun
      ? r.weightsFrom.split(weights.fromRun).join(rel(weights.fromRun))
      : r.weightsFrom;
    void vscode.window
      .showInformationMessage(
        `Exported ${ref.experiment} to Keras in ${rel(r.outDir)} (weights: ${weightsFrom}). python train.py trains it; its README says how on several machines.`,
        'Open README',
      )
      .then((choice) => choice && vscode.window.showTextDocument(vscode.Uri.file(path.join(r.outDir, 'README.md'))));
    return r.outDir;
  } catch (e) {
    const message = (e as Error).message;
    d.log.error(`export-keras ${ref.experiment}: ${message}`);
    const choice = await vscode.window.showErrorMessage(`ResNet Lab: ${message.split('\n')[0]}`, 'Show Log');
    if (choice) d.log.show();
    return undefined;
  }
}
