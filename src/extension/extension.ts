// Activation: wire the thin VS Code layer to the core. Nothing heavy happens
// here (tfjs never loads in the extension host); trainer processes start only
// when a command asks for one.
import * as vscode from 'vscode';
import { ExperimentCodeLensProvider, ExperimentHoverProvider } from './codeLens';
import { registerCommands } from './commands';
import { Diagnostics } from './diagnostics';
import { Log } from './log';
import { ModelFacts } from './modelFacts';
import { RunManager } from './runManager';
import { settings } from './settings';
import { SIDEBAR_VIEW_ID, SidebarView } from './sidebarView';
import { StatusBar } from './statusBar';
import { PANEL_VIEW_TYPE, TrainingPanel } from './trainingPanel';

export interface ResNetLabApi {
  runs: RunManager;
  panel: TrainingPanel;
  facts: ModelFacts;
}

/** Seconds a background describe (model facts) may take to build the model. */
const FACTS_BUILD_TIMEOUT_SECONDS = 20;

export function activate(context: vscode.ExtensionContext): ResNetLabApi {
  const log = new Log();
  const diagnostics = new Diagnostics();
  const runs = new RunManager(vscode.Uri.joinPath(context.extensionUri, 'dist', 'trainer.js').fsPath, log, diagnostics, settings.buildTimeout);
  const panel = new TrainingPanel(context.extensionUri, runs, log, settings.maxChartPoints, context.workspaceState);
  // Facts get a short build limit of their own: a model function that never
  // returns must not hold a core for resnetLab.buildTimeout's minute in the background.
  const facts = new ModelFacts(
    async (file, experiment) => (await runs.describe(file, experiment, { quiet: true, buildTimeoutSeconds: Math.min(FACTS_BUILD_TIMEOUT_SECONDS, settings.buildTimeout() ?? FACTS_BUILD_TIMEOUT_SECONDS) })).summary,
    () => vscode.workspace.isTrusted,
  );
  const sidebar = new SidebarView(context.extensionUri, runs, panel, () => (vscode.workspace.workspaceFolders ? settings.runsDir() : undefined), log);
  context.subscriptions.push(
    log, diagnostics, runs, panel, sidebar, facts, new StatusBar(runs),
    vscode.languages.registerCodeLensProvider({ language: 'typescript', scheme: 'file' }, new ExperimentCodeLensProvider(facts)),
    vscode.languages.registerHoverProvider({ language: 'typescript', scheme: 'file' }, new ExperimentHoverProvider(facts)),
    vscode.window.registerWebviewViewProvider(SIDEBAR_VIEW_ID, sidebar),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (webviewPanel, state) => panel.restore(webviewPanel, state as { runDirs?: string[] }),
    }),
    ...registerCommands({ runs, panel, log, extensionUri: context.extensionUri }),
  );
  return { runs, panel, facts };
}

export function deactivate(): void {
  // Subscriptions are disposed by VS Code; RunManager.dispose asks trainers to stop with a checkpoint.
}
