// The Lesion, Paths and Responses tabs: their buttons ask the host to run an
// analysis in a trainer process; results arrive as messages and are drawn here.
import type { Chart } from 'chart.js';
import type { PanelMessage } from '../../src/protocol/panel';
import type { PathsResult } from '../../src/protocol/trainer';
import type { RunAnalyses, RunView } from '../../src/protocol/webview';
import { Theme } from '../shared/theme';
import { renderLesion, renderResponses } from './analysis';
import { renderPaths, renderPathsComparison } from './pathsChart';
import { runLabel } from './curves';
import { Diagram } from './diagram';

export interface AnalysisTabDeps {
  runs(): RunView[];
  analyses: Map<string, RunAnalyses>;
  theme(): Theme;
  diagram: Diagram;
  send(message: PanelMessage): void;
}

const $ = (id: string) => document.getElementById(id)!;

export class AnalysisTab {
  private charts: Chart[] = [];
  /** Why a shown run has no paths (a plain net is one path), by run id: said under its figure's place. */
  private readonly pathsNotes = new Map<string, string>();
  /** Runs still to measure, one trainer process at a time (each is a whole TensorFlow process), and the one under way. */
  private pathsQueue: string[] = [];
  private pathsInFlight: string | undefined;
  private pathsAsked = 0;

  constructor(private readonly d: AnalysisTabDeps) {
    $('run-lesion').addEventListener('click', () => {
      const run = d.runs()[0];
      if (!run) return;
      $('lesion-status').textContent = 'Running the lesion study in a trainer process…';
      d.send({ method: 'analysis/run', params: { id: run.id, analysis: 'lesion' } });
    });
    $('run-paths').addEventListener('click', () => {
      const runs = d.runs();
      if (!runs.length) return;
      this.pathsNotes.clear();
      this.pathsQueue = runs.map((r) => r.id);
      this.pathsAsked = runs.length;
      if (!this.pathsInFlight) this.nextPaths();
      this.pathsStatus();
    });
    $('run-responses').addEventListener('click', () => {
      $('responses-status').textContent = 'Measuring layer responses…';
      for (const r of d.runs()) d.send({ method: 'analysis/run', params: { id: r.id, analysis: 'responses' } });
    });
    // Lesion mode: clicking blocks in the diagram deletes them and evaluates the rest.
    ($('lesion-mode') as HTMLInputElement).addEventListener('change', (e) => {
      d.diagram.setLesionMode((e.target as HTMLInputElement).checked, (lesioned) => {
        const run = d.runs()[0];
        if (!run) return;
        $('lesion-status').textContent = `Evaluating with ${lesioned.join(', ') || 'nothing'} deleted…`;
        d.send({ method: 'analysis/run', params: { id: run.id, analysis: 'lesion', lesioned } });
      });
    });
  }

  /** Draws the stored results of the shown runs: the lesion study and paths of the first, the responses of each. */
  render(): void {
    this.charts.forEach((c) => c.destroy());
    this.charts = [];
    const runs = this.d.runs(),
      theme = this.d.theme();
    const lesionHost = $('lesion-charts'),
      pathsHost = $('paths-charts'),
      responsesHost = $('responses-charts');
    lesionHost.replaceChildren();
    pathsHost.replaceChildren();
    responsesHost.replaceChildren();
    const run = runs[0];
    const lesion = run && this.d.analyses.get(run.id)?.lesion;
    if (run && lesion) {
      this.charts.push(...renderLesion(lesionHost, run, lesion, theme));
      $('lesion-status').textContent =
        `${lesion.blocks.length} blocks, ${lesion.testExamples} test images; intact test error ${(100 * lesion.baselineError).toFixed(2)}%.`;
    }
    this.renderPaths(pathsHost, runs, theme);
    const withResponses = runs
      .map((r) => ({ run: r, result: this.d.analyses.get(r.id)?.responses }))
      .filter((x): x is { run: RunView; result: NonNullable<RunAnalyses['responses']> } => !!x.result);
    if (withResponses.length) {
      this.charts.push(...renderResponses(responsesHost, withResponses, theme));
      $('responses-status').textContent =
        `${withResponses.length} of ${runs.length} run(s) measured on ${withResponses[0].result.testExamples} test images.`;
    }
  }

  /** A failed path analysis of one run: said beside the others' figures (a plain net has no paths to measure). */
  pathsFailed(id: string, message: string): void {
    this.pathsNotes.set(id, message);
    if (id === this.pathsInFlight) this.nextPaths();
    this.render();
  }

  /** A run's paths arrived (drawn with the next render): the next run's measurement starts. */
  pathsMeasured(id: string): void {
    if (id === this.pathsInFlight) this.nextPaths();
  }

  private nextPaths(): void {
    this.pathsInFlight = this.pathsQueue.shift();
    if (this.pathsInFlight)
      this.d.send({ method: 'analysis/run', params: { id: this.pathsInFlight, analysis: 'paths' } });
  }

  /** While runs are measured, which one; then what was drawn, and what could not be measured. */
  private pathsStatus(measured: PathsResult[] = [], shown = this.d.runs().length, notes = 0): void {
    const status = $('paths-status');
    const first = measured[0];
    if (this.pathsInFlight)
      status.textContent =
        this.pathsAsked > 1
          ? `Measuring the gradient of each path length in a trainer process: run ${this.pathsAsked - this.pathsQueue.length} of ${this.pathsAsked}…`
          : 'Measuring the gradient of each path length in a trainer process…';
    else if (first && measured.length === 1)
      status.textContent = `${first.blocks.length} residual blocks, 2^${first.blocks.length} paths; |d loss / d input| on ${first.testExamples} test images, up to ${first.samples} paths per length.`;
    else if (first)
      status.textContent = `${measured.length} of ${shown} runs measured on ${first.testExamples} test images, up to ${first.samples} paths per length; above, each run's share of its gradient by path length.`;
    else if (notes)
      status.textContent =
        notes === shown
          ? 'No run shown here could be measured (below).'
          : `${notes} of ${shown} runs could not be measured (below).`;
  }

  /** Fig. 6 of each shown run that has its paths measured; with several, their shares on one chart first. */
  private renderPaths(host: HTMLElement, runs: RunView[], theme: Theme): void {
    const measured = runs
      .map((run) => ({ run, result: this.d.analyses.get(run.id)?.paths }))
      .filter((x): x is { run: RunView; result: PathsResult } => !!x.result);
    if (measured.length > 1) this.charts.push(renderPathsComparison(host, measured, theme));
    for (const { run, result } of measured)
      this.charts.push(
        ...renderPaths(
          host,
          run,
          result,
          theme,
          measured.map((m) => m.run),
        ),
      );
    const notes = runs.filter((r) => this.pathsNotes.has(r.id));
    if (notes.length) {
      const list = document.createElement('ul');
      list.className = 'paths-notes muted';
      for (const r of notes) {
        const li = document.createElement('li');
        li.textContent = `${runLabel(r, runs)}: ${this.pathsNotes.get(r.id)!}`;
        list.appendChild(li);
      }
      host.appendChild(list);
    }
    this.pathsStatus(
      measured.map((m) => m.result),
      runs.length,
      notes.length,
    );
  }
}
