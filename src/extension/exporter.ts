// The panel's Export buttons: the chart in view as PNG (from the webview's
// canvas) or SVG (drawn from the run folder), the data as CSV, the run as a
// self-contained HTML report, the trained model in the tfjs layers format.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { exportCsv, PlotKind, plotSvg } from '../core/report/exports';
import { htmlReport } from '../core/report/htmlReport';
import { copyTrainedModel, trainedModelDir } from '../core/runs/checkpoint';
import { CHECKPOINT_FILES, REPORT_HTML } from '../core/runs/runFiles';
import { writeFileAtomic } from '../core/runs/runFolder';

export type ExportFormat = 'png' | 'svg' | 'csv' | 'report' | 'model';

async function pickFile(defaultPath: string, label: string, ext: string): Promise<string | undefined> {
  const uri = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.file(defaultPath),
    saveLabel: label,
    filters: { [label]: [ext] },
  });
  return uri?.fsPath;
}

async function pickFolder(label: string): Promise<string | undefined> {
  const uris = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: label });
  return uris?.[0]?.fsPath;
}

/** Writes an export; returns the path written, or undefined when the user cancelled. */
export async function exportRun(
  format: ExportFormat,
  runDirs: string[],
  chart: PlotKind,
  pngDataUrl?: string,
): Promise<string | undefined> {
  const first = runDirs[0];
  const dark = [vscode.ColorThemeKind.Dark, vscode.ColorThemeKind.HighContrast].includes(
    vscode.window.activeColorTheme.kind,
  );
  switch (format) {
    case 'png': {
      const match = /^data:image\/png;base64,(.+)$/.exec(pngDataUrl ?? '');
      if (!match) throw new Error('the chart sent no image');
      const file = await pickFile(path.join(first, `${chart}.png`), 'PNG image', 'png');
      if (file) writeFileAtomic(file, Buffer.from(match[1], 'base64'));
      return file;
    }
    case 'svg': {
      const file = await pickFile(path.join(first, `${chart}.svg`), 'SVG image', 'svg');
      if (file)
        writeFileAtomic(file, plotSvg(runDirs.length > 1 && chart === 'curves' ? 'compare' : chart, runDirs, { dark }));
      return file;
    }
    case 'csv': {
      const dir = await pickFolder('Export CSV here');
      return dir ? exportCsv(first, dir).join(', ') : undefined;
    }
    case 'report': {
      const file = await pickFile(path.join(first, REPORT_HTML), 'HTML report', 'html');
      if (file) writeFileAtomic(file, htmlReport(first, { dark }));
      return file;
    }
    case 'model': {
      const source = trainedModelDir(first);
      if (!source) throw new Error(`${first} has no checkpoint yet`);
      const dir = await pickFolder(`Export ${CHECKPOINT_FILES.model} + ${CHECKPOINT_FILES.weights} here`);
      return dir ? copyTrainedModel(source, dir) : undefined;
    }
  }
}
