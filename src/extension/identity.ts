// "Run Identity Experiment" (He et al. 2015, Sec. 3.1): runs the identity
// experiment of the active editor's file, or the shipped one, in a trainer
// process (never in the extension host), with its progress in a cancellable
// notification; the result opens in the identity panel, and the run folder
// gets the same identity.svg the CLI writes.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { summarizeIdentity } from '../core/experiments/identitySummary';
import { identitySvg } from '../core/report/identitySvg';
import { IDENTITY_SVG } from '../core/runs/identityFile';
import { writeFileAtomic } from '../core/runs/runFolder';
import type { TrainerEvent } from '../protocol/trainer';
import { TrainerClient } from '../launch/trainerClient';
import { IdentityPanel } from './identityPanel';
import { Log } from './log';
import { settings } from './settings';

export interface IdentityDeps {
  extensionUri: vscode.Uri;
  log: Log;
  panel: IdentityPanel;
}

type IdentityEvent = Extract<TrainerEvent, { type: 'identity' }>;

/** The editor's file when it defines an identity experiment (saved first), else the shipped media/experiments/identity.ts. */
async function experimentFile(extensionUri: vscode.Uri): Promise<string> {
  const doc = vscode.window.activeTextEditor?.document;
  if (doc && doc.uri.scheme === 'file' && /\bidentityExperiment\s*\(/.test(doc.getText())) {
    if (doc.isDirty) await doc.save();
    return doc.uri.fsPath;
  }
  return vscode.Uri.joinPath(extensionUri, 'media', 'experiments', 'identity.ts').fsPath;
}

export async function runIdentityExperiment(d: IdentityDeps): Promise<void> {
  if (!vscode.workspace.workspaceFolders?.length)
    return void vscode.window.showErrorMessage(
      'Open a folder first: the identity experiment writes a run folder there.',
    );
  const file = await experimentFile(d.extensionUri);
  const runsDir = settings.runsDir();
  d.log.info(`identity experiment: ${file}`);
  const answer = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Identity experiment (${path.basename(file)})`,
      cancellable: true,
    },
    async (progress, token) => {
      let done = 0;
      const client = new TrainerClient(
        vscode.Uri.joinPath(d.extensionUri, 'dist', 'trainer.js').fsPath,
        {
          onEvent: (e) => {
            if (e.type === 'log') d.log.info(e.message);
            if (e.type !== 'identity-progress') return;
            const pct = (100 * e.iteration) / e.iterations;
            progress.report({
              increment: pct - done,
              message: `iteration ${e.iteration}/${e.iterations} · loss plain ${e.plainLoss.toFixed(4)}, residual ${e.residualLoss.toFixed(4)}`,
            });
            done = pct;
          },
          onOutput: (line) => d.log.trace(line),
        },
        { buildTimeoutSeconds: settings.buildTimeout() },
      );
      token.onCancellationRequested(() => void client.stop(30_000));
      try {
        return await client.runOnce(
          { type: 'identity', file, runsDir, backend: settings.backend(), overrides: {} },
          (e): e is IdentityEvent => e.type === 'identity',
        );
      } catch (e) {
        return { type: 'failed' as const, kind: 'crash' as const, message: (e as Error).message, diagnostics: [] };
      }
    },
  );
  if (answer.type === 'failed') {
    d.log.error(`identity experiment: ${answer.message}`);
    return void vscode.window.showErrorMessage(`Identity experiment failed: ${answer.message.split('\n')[0]}`);
  }
  const { runDir, result } = answer;
  try {
    writeFileAtomic(path.join(runDir, IDENTITY_SVG), identitySvg(result));
  } catch (e) {
    d.log.error(`could not write ${IDENTITY_SVG} in ${runDir}: ${(e as Error).message}`);
  }
  d.panel.show(runDir, result);
  const s = summarizeIdentity(result);
  void vscode.window.showInformationMessage(
    `Identity experiment: loss plain ${s.plainLoss.toFixed(4)}, residual ${s.residualLoss.toFixed(4)} after ${s.iterations} iterations` +
      (s.residualReachesPlainFinal === null
        ? '.'
        : `; the residual stack was as low as the plain one ended at iteration ${s.residualReachesPlainFinal}.`),
  );
}
