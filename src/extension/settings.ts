import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BackendChoice } from '../protocol/trainer';

const section = () => vscode.workspace.getConfiguration('resnetLab');

function resolveInWorkspace(p: string, file?: string): string {
  if (path.isAbsolute(p)) return p;
  const folder =
    (file ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file)) : undefined) ??
    vscode.workspace.workspaceFolders?.[0];
  return path.join(folder?.uri.fsPath ?? (file ? path.dirname(file) : process.cwd()), p);
}

export const settings = {
  backend: () => section().get<BackendChoice>('backend', 'auto'),
  runsDir: (file?: string) => resolveInWorkspace(section().get<string>('runsFolder', '.resnet-lab/runs'), file),
  dataDir: (file?: string) => {
    const d = section().get<string>('dataFolder', '');
    return d ? resolveInWorkspace(d, file) : undefined;
  },
  gradientNormInterval: () => section().get<number>('gradientNormInterval', 20),
  /** undefined: the experiment's distributionEvery (100 by default). */
  distributionInterval: () => section().get<number>('distributionInterval', 0) || undefined,
  /** undefined: one per core (the trainer's default). */
  workers: () => section().get<number>('workers', 0) || undefined,
  /** Graph mode on the native backend (src/core/train/graph): on unless turned off. */
  graph: () => (section().get<boolean>('graphMode', true) ? undefined : ('off' as const)),
  /** Seconds a model file may take to build its model before the trainer is stopped. */
  buildTimeout: () => section().get<number>('buildTimeout', 60),
  /** Runs of a sweep trained at the same time. */
  sweepParallel: () => Math.max(1, section().get<number>('sweepParallel', 1)),
  maxChartPoints: () => section().get<number>('maxChartPoints', 2000),
  livePreview: () => section().get<boolean>('livePreview', true),
  previewFollowsCursor: () => section().get<boolean>('previewFollowsCursor', false),
  /** Seconds the warm describe process may take to build a model: previewTimeout, or buildTimeout if shorter. */
  previewTimeout: () =>
    Math.min(section().get<number>('previewTimeout', 10), section().get<number>('buildTimeout', 60)),
};
