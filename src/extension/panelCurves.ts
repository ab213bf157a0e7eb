// What the panel's curve charts are sent: views of each run's records at the
// chart's width (min-max columns, src/core/report/curveView.ts) and the
// smoothing of the training error, remembered per workspace once the user
// chose it; otherwise it scales with the runs' length.
import * as vscode from 'vscode';
import { defaultSmoothing } from '../core/report/curveView';
import type { CurveView, SmoothingState } from '../protocol/webview';
import type { PanelRun } from './panelData';

const SMOOTHING_KEY = 'resnetLab.smoothing';

export class PanelCurves {
  /** The curve chart's width in pixels, as the webview last said. */
  private columns = 800;

  constructor(
    private readonly maxPoints: () => number,
    private readonly workspaceState: vscode.Memento,
  ) {}

  get pointLimit(): number {
    return this.maxPoints();
  }

  setWidth(columns: number): void {
    this.columns = columns;
  }

  /** null: back to the default that scales with the runs' length. */
  rememberSmoothing(weight: number | null): void {
    void this.workspaceState.update(SMOOTHING_KEY, weight ?? undefined);
  }

  smoothing(runs: Iterable<PanelRun>): SmoothingState {
    const longest = Math.max(0, ...[...runs].map((d) => d.view.totalIterations ?? d.curves.lastIteration));
    const def = defaultSmoothing(longest);
    const remembered = this.workspaceState.get<number>(SMOOTHING_KEY);
    return { weight: remembered ?? def, default: def, remembered: remembered !== undefined };
  }

  /** Each run's curves over `from`..`to` (all when absent) at the chart's width. */
  views(runs: Map<string, PanelRun>, o: { from?: number; to?: number; smoothing: number }): Record<string, CurveView> {
    const curves: Record<string, CurveView> = {};
    for (const [id, entry] of runs) curves[id] = entry.curves.view({ ...o, columns: this.chartColumns() });
    return curves;
  }

  /** Min-max columns make two points each: stay within the maxChartPoints setting. */
  private chartColumns(): number {
    return Math.max(10, Math.min(this.columns, Math.floor(this.maxPoints() / 2)));
  }
}
