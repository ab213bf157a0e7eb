// The Lesion, Paths and Responses tabs: their buttons ask the host to run an
// analysis in a trainer process; results arrive as messages and are drawn here.
import type { Chart } from 'chart.js';
import type { PanelMessage } from '../../src/protocol/panel';
import type { RunAnalyses, RunView } from '../../src/protocol/webview';
import { Theme } from '../shared/theme';
import { renderLesion, renderResponses } from './analysis';
import { renderPaths } from './pathsChart';
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

  constructor(private readonly d: AnalysisTabDeps) {
    $('run-lesion').addEventListener('click', () => {
      const run = d.runs()[0];
      if (!run) return;
      $('lesion-status').textContent = 'Running the lesion study in a trainer process…';
      d.send({ method: 'analysis/run', params: { id: run.id, analysis: 'lesion' } });
    });
    $('run-paths').addEventListener('click', () => {
      const run = d.runs()[0];
      if (!run) return;
      $('paths-status').textContent = 'Measuring the gradient of each path length in a trainer process…';
      d.send({ method: 'analysis/run', params: { id: run.id, analysis: 'paths' } });
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
    const paths = run && this.d.analyses.get(run.id)?.paths;
    if (run && paths) {
      this.charts.push(...renderPaths(pathsHost, run, paths, theme));
      $('paths-status').textContent =
        `${paths.blocks.length} residual blocks, 2^${paths.blocks.length} paths; |d loss / d input| on ${paths.testExamples} test images, up to ${paths.samples} paths per length.`;
    }
    const withResponses = runs
      .map((r) => ({ run: r, result: this.d.analyses.get(r.id)?.responses }))
      .filter((x): x is { run: RunView; result: NonNullable<RunAnalyses['responses']> } => !!x.result);
    if (withResponses.length) {
      this.charts.push(...renderResponses(responsesHost, withResponses, theme));
      $('responses-status').textContent =
        `${withResponses.length} of ${runs.length} run(s) measured on ${withResponses[0].result.testExamples} test images.`;
    }
  }
}
