// Activation: wire the thin VS Code layer to the core. Nothing heavy happens
// here (tfjs never loads in the extension host); trainer processes start only
// when a command asks for one.
import * as vscode from 'vscode';
import { ExperimentCodeLensProvider, ExperimentHoverProvider, registerShowSummary } from './codeLens';
import { registerCommands } from './commands';
import { DescribeService } from './describeService';
import { Diagnostics } from './diagnostics';
import { LivePreview } from './livePreview';
import { Log } from './log';
import { ModelFacts } from './modelFacts';
import { RunManager } from './runManager';
import { RunFolders } from './runFolders';
import { registerRunsTable } from './runsTablePanel';
import { settings } from './settings';
import { SIDEBAR_VIEW_ID, SidebarView } from './sidebarView';
import { registerSweeps } from './sweepCommands';
import { StatusBar } from './statusBar';
import { PANEL_VIEW_TYPE, TrainingPanel } from './trainingPanel';

export interface ResNetLabApi {
  runs: RunManager;
  panel: TrainingPanel;
  facts: ModelFacts;
  preview: LivePreview;
  describer: DescribeService;
  /** Milliseconds `activate` took (the integration suite prints it). */
  activationMs: number;
}

export function activate(context: vscode.ExtensionContext): ResNetLabApi {
  const started = performance.now();
  const log = new Log();
  const diagnostics = new Diagnostics();
  const runs = new RunManager(
    vscode.Uri.joinPath(context.extensionUri, 'dist', 'trainer.js').fsPath,
    log,
    diagnostics,
    new RunFolders(),
    settings.buildTimeout,
  );
  const panel = new TrainingPanel(context.extensionUri, runs, log, settings.maxChartPoints, context.workspaceState);
  // One warm process builds models for the facts and the live preview (started
  // on the first request), with a short limit of its own: a model function that
  // never returns must not hold a core for resnetLab.buildTimeout's minute.
  const describer = new DescribeService(
    vscode.Uri.joinPath(context.extensionUri, 'dist', 'describe-server.js').fsPath,
    {
      timeoutMs: () => settings.previewTimeout() * 1000,
      log: (line) => log.trace(line),
    },
  );
  const facts = new ModelFacts(
    async (file, experiment, source) => {
      const o = await describer.describe({ file, experiment, source, key: `facts\0${file}\0${experiment}` });
      if (o.status !== 'described') throw new Error(o.status === 'failed' ? o.message : 'superseded');
      return o.summary;
    },
    () => vscode.workspace.isTrusted,
  );
  const preview = new LivePreview(describer, panel, diagnostics, facts, log);
  const sidebar = new SidebarView(
    context.extensionUri,
    runs,
    panel,
    () => (vscode.workspace.workspaceFolders ? settings.runsDir() : undefined),
    log,
  );
  const sweeps = registerSweeps(context.extensionUri, runs, panel, log, context.workspaceState);
  sidebar.showSweeps(sweeps.sweeps);
  context.subscriptions.push(
    ...sweeps.disposables,
    log,
    diagnostics,
    runs,
    panel,
    sidebar,
    facts,
    preview,
    describer,
    new StatusBar(runs),
    vscode.languages.registerCodeLensProvider(
      { language: 'typescript', scheme: 'file' },
      new ExperimentCodeLensProvider(facts),
    ),
    vscode.languages.registerHoverProvider(
      { language: 'typescript', scheme: 'file' },
      new ExperimentHoverProvider(facts),
    ),
    registerShowSummary(facts, log),
    vscode.window.registerWebviewViewProvider(SIDEBAR_VIEW_ID, sidebar),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      // What the panel showed is kept by the host (workspaceState), not taken from the webview's state.
      deserializeWebviewPanel: async (webviewPanel) => panel.restore(webviewPanel),
    }),
    ...registerCommands({ runs, panel, log, extensionUri: context.extensionUri, sweeps: sweeps.sweeps }),
    ...registerRunsTable({ extensionUri: context.extensionUri, storageUri: context.storageUri, runs, panel, log }),
  );
  return { runs, panel, facts, preview, describer, activationMs: performance.now() - started };
}

export function deactivate(): void {
  // Subscriptions are disposed by VS Code; RunManager.dispose asks trainers to stop with a checkpoint.
}
