// Activation: wire the thin VS Code layer to the core. Nothing heavy happens
// here (tfjs never loads in the extension host); trainer processes start only
// when a command asks for one.
import * as vscode from 'vscode';
import { ExperimentCodeLensProvider } from './codeLens';
import { registerCommands } from './commands';
import { Diagnostics } from './diagnostics';
import { Log } from './log';
import { RunManager } from './runManager';
import { settings } from './settings';
import { SIDEBAR_VIEW_ID, SidebarView } from './sidebarView';
import { StatusBar } from './statusBar';
import { PANEL_VIEW_TYPE, TrainingPanel } from './trainingPanel';

export interface ResNetLabApi {
  runs: RunManager;
  panel: TrainingPanel;
}

export function activate(context: vscode.ExtensionContext): ResNetLabApi {
  const log = new Log();
  const diagnostics = new Diagnostics();
  const runs = new RunManager(vscode.Uri.joinPath(context.extensionUri, 'dist', 'trainer.js').fsPath, log, diagnostics, settings.buildTimeout);
  const panel = new TrainingPanel(context.extensionUri, runs, log, settings.maxChartPoints, context.workspaceState);
  const sidebar = new SidebarView(context.extensionUri, runs, panel, () => (vscode.workspace.workspaceFolders ? settings.runsDir() : undefined), log);
  context.subscriptions.push(
    log, diagnostics, runs, panel, sidebar, new StatusBar(runs),
    vscode.languages.registerCodeLensProvider({ language: 'typescript', scheme: 'file' }, new ExperimentCodeLensProvider()),
    vscode.window.registerWebviewViewProvider(SIDEBAR_VIEW_ID, sidebar),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (webviewPanel, state) => panel.restore(webviewPanel, state as { runDirs?: string[] }),
    }),
    ...registerCommands({ runs, panel, log, extensionUri: context.extensionUri }),
  );
  return { runs, panel };
}

export function deactivate(): void {
  // Subscriptions are disposed by VS Code; RunManager.dispose asks trainers to stop with a checkpoint.
}
