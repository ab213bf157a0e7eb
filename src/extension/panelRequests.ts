// What the panel's buttons ask of the host beyond showing data: an export of
// the shown runs (written by the host: the webview names no path) and an
// analysis of a run in a trainer process, answered by one message.
import * as vscode from 'vscode';
import type { PanelHostMessage, PanelMessage } from '../protocol/panel';
import type { LesionResult, PathsResult, ResponsesResult } from '../protocol/trainer';
import { exportRun } from './exporter';
import { Log } from './log';
import { RunManager } from './runManager';
import { settings } from './settings';
import { restrictedReason } from './trust';

type Params<M extends PanelMessage['method']> = Extract<PanelMessage, { method: M }>['params'];

export async function exportRuns({ format, chart, dataUrl }: Params<'export'>, runDirs: string[]): Promise<void> {
  if (runDirs.length === 0)
    return void vscode.window.showWarningMessage('Nothing to export yet: the run has no folder.');
  try {
    const written = await exportRun(format, runDirs, chart, dataUrl);
    if (written) void vscode.window.showInformationMessage(`Exported ${written}`);
  } catch (e) {
    void vscode.window.showErrorMessage(`Export failed: ${(e as Error).message}`);
  }
}

/** The answer to an `analysis/run`: its result, or one line saying why there is none (the details go to the log). */
export async function analyzeRun(
  runs: RunManager,
  log: Log,
  { id, analysis, lesioned }: Params<'analysis/run'>,
  runDir: string | undefined,
): Promise<PanelHostMessage> {
  const error = (message: string): PanelHostMessage => ({
    method: 'analysis/error',
    params: { id, analysis, message },
  });
  if (!runDir) return error('this run has no folder yet');
  const restricted = restrictedReason('run an analysis');
  if (restricted) return error(restricted);
  try {
    const result = await runs.analyze(runDir, analysis, settings.backend(), lesioned);
    return {
      method: 'analysis/result',
      params:
        analysis === 'lesion'
          ? { id, lesion: result as LesionResult }
          : analysis === 'paths'
            ? { id, paths: result as PathsResult }
            : { id, responses: result as ResponsesResult },
    };
  } catch (e) {
    log.error(`${analysis} of ${runDir}: ${(e as Error).message}`);
    return error((e as Error).message.split('\n')[0]);
  }
}
