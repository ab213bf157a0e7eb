// The results view of a sweep: the paper's figure (test error against depth,
// a line per variant, seeds as error bars), Table 6's layout and every run,
// live while the sweep runs; exports (CSV, SVG, PNG, the HTML report) go into
// the sweep's folder beside queue.json. Open at a window reload, it comes back
// on the same sweep (its id, kept in workspaceState, never a path).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { z } from 'zod';
import { pointLabel } from '../core/lib/sweep';
import { resultsSvg } from '../core/sweeps/chart';
import { RESULT_FILES, sweepResults, writeSweepOutputs } from '../core/sweeps/outputs';
import { progressLine } from '../core/sweeps/queue';
import { resultsCsv, resultsTable } from '../core/sweeps/results';
import { sweepReportHtml } from '../core/sweeps/report';
import { writeFileAtomic } from '../core/runs/runFolder';
import { SweepHostMessage, SweepMessage, SweepMessageSchema } from '../protocol/sweep';
import { Log } from './log';
import { SweepManager } from './sweeps';
import { WebviewHost } from './webviewHost';

export const SWEEP_VIEW_TYPE = 'resnetLab.sweepResults';
/** workspaceState key of the sweep the view shows, for the serializer after a reload. */
const SHOWN_KEY = 'resnetLab.sweepResults.shown';
/** A sweep's id is its folder's name under the sweeps folder (createQueue): no separators, no `..` alone. */
const ShownSchema = z.object({ id: z.string().regex(/^[\w.-]+$/) });

export class SweepResultsPanel extends WebviewHost<SweepMessage, SweepHostMessage> {
  private panel: vscode.WebviewPanel | undefined;
  private id: string | undefined;

  constructor(
    extensionUri: vscode.Uri,
    private readonly sweeps: SweepManager,
    log: Log,
    private readonly workspaceState: vscode.Memento,
  ) {
    super(extensionUri, log, {
      script: 'sweep.js',
      title: 'Sweep results',
      name: 'the sweep results view',
      schema: SweepMessageSchema,
    });
    this._register(sweeps.onDidChange((id) => id === this.id && this.update()));
    this._register(() => {
      this.panel?.dispose();
    });
  }

  show(id: string): void {
    this.id = id;
    void this.workspaceState.update(SHOWN_KEY, { id });
    this.panel ??= this.adopt(
      vscode.window.createWebviewPanel(SWEEP_VIEW_TYPE, `Sweep ${id}`, vscode.ViewColumn.Active, {
        retainContextWhenHidden: true,
      }),
    );
    this.panel.title = `Sweep ${this.sweeps.queue(id)?.sweep ?? id}`;
    this.panel.reveal(undefined, false);
    this.update();
  }

  /**
   * Called by the serializer after a window reload: the sweep the view showed
   * again, checked as anything read back (an id of a sweep folder that is still
   * there); a sweep that is gone closes the view with a line saying so.
   */
  restore(panel: vscode.WebviewPanel, state: unknown = this.workspaceState.get(SHOWN_KEY)): void {
    const id = ShownSchema.safeParse(state).data?.id;
    let gone: string | undefined;
    try {
      if (id && !this.sweeps.queue(id)) gone = `sweep ${id} is gone from ${this.sweeps.sweepsDir() ?? 'the workspace'}`;
    } catch (e) {
      gone = `sweep ${id}: ${(e as Error).message.split('\n')[0]}`;
    }
    if (!id || gone || this.panel) {
      panel.dispose(); // nothing to show again (or the view is open already): closed rather than blank
      if (gone) void vscode.window.showWarningMessage(`ResNet Lab: ${gone}; its results view was closed.`);
      return;
    }
    this.panel = this.adopt(panel);
    this.show(id);
  }

  private adopt(panel: vscode.WebviewPanel): vscode.WebviewPanel {
    this.attach(panel.webview);
    this.whileAttached(
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.detach();
      }),
    );
    return panel;
  }

  protected onMessage(msg: SweepMessage): void {
    if (msg.method === 'webview/ready') this.update();
    else if (msg.method === 'sweep/cancel') this.sweeps.cancel(msg.params.id);
    else if (msg.method === 'sweep/export') void this.export(msg.params.id, msg.params.format, msg.params.png);
  }

  private update(): void {
    const id = this.id;
    const queue = id ? this.sweeps.queue(id) : undefined;
    if (!id || !queue) return;
    const results = sweepResults(queue);
    this.post({
      method: 'sweep/results',
      params: {
        id,
        title: `${queue.sweep} · ${path.basename(queue.file)}`,
        progress: progressLine(queue, new Date()),
        running: this.sweeps.isRunning(id),
        svg: resultsSvg(results, `Sweep ${queue.sweep}`),
        table: resultsTable(results),
        runs: queue.runs.map((r) => ({
          point: r.point,
          label: pointLabel(r.params),
          status: r.status,
          testError: typeof r.testError === 'number' ? r.testError : null,
          message: r.message,
        })),
      },
    });
  }

  private async export(id: string, format: 'csv' | 'svg' | 'png' | 'html', png?: string): Promise<void> {
    const dir = this.sweeps.folderOf(id);
    const queue = this.sweeps.queue(id);
    if (!dir || !queue) return;
    const results = sweepResults(queue);
    const file = path.join(dir, format === 'png' ? 'results.png' : RESULT_FILES[format]);
    if (format === 'csv') writeFileAtomic(file, resultsCsv(results));
    else if (format === 'svg') writeFileAtomic(file, resultsSvg(results, `Sweep ${queue.sweep}`, true) + '\n');
    else if (format === 'html') writeFileAtomic(file, sweepReportHtml(queue, results));
    else if (png) writeFileAtomic(file, Buffer.from(png.slice(png.indexOf(',') + 1), 'base64'));
    else return;
    this.log.info(`sweep ${id}: wrote ${file}`);
    const open = await vscode.window.showInformationMessage(`Sweep ${queue.sweep}: wrote ${file}`, 'Open');
    if (open && fs.existsSync(file)) await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file));
  }

  /** Writes results.csv/svg and report.html when a sweep ends, so they are there without a click. */
  static writeOutputs(sweeps: SweepManager, id: string): void {
    const dir = sweeps.folderOf(id);
    const queue = sweeps.queue(id);
    if (dir && queue) writeSweepOutputs(dir, queue);
  }
}
