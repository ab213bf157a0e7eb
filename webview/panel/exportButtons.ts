// The Export menu: the chart in view as PNG (its canvas, or its SVG drawn
// into one, here) or SVG / CSV / report / model (written by the host from
// the run folders). A tab shows only the buttons that do something on it.
import type { PanelMessage } from '../../src/protocol/panel';
import { svgToPng } from '../shared/svgPng';

type ChartName = 'curves' | 'gradients' | 'lesion' | 'responses' | 'paths' | 'confusion';
/** Where each chart's picture is in the page: a canvas, or an SVG to draw into one. */
const PICTURE: Record<ChartName, string> = {
  curves: '#error-chart',
  gradients: 'canvas.heatmap-canvas',
  lesion: '#lesion-charts canvas',
  responses: '#responses-charts canvas',
  paths: '#paths-charts canvas',
  confusion: 'svg.confusion-heatmap',
};
const isChart = (tab: string): tab is ChartName => tab in PICTURE;

async function pictureOf(chart: ChartName): Promise<string | undefined> {
  const found = document.querySelector<HTMLCanvasElement | SVGSVGElement>(PICTURE[chart]);
  if (found instanceof HTMLCanvasElement) return found.toDataURL('image/png');
  return found instanceof SVGSVGElement ? svgToPng(found) : undefined;
}

/** PNG and SVG for the tabs with a chart of their own (the host draws SVGs of those); the run's exports everywhere. */
export function showExportsFor(tab: string): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-export="png"], [data-export="svg"]'))
    button.hidden = !isChart(tab);
}

export function wireExportButtons(send: (message: PanelMessage) => void, activeTab: () => string): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-export]')) {
    button.addEventListener('click', () => {
      const kind = button.dataset.export!;
      const tab = activeTab();
      if (kind === 'diagram') return send({ method: 'export', params: { format: 'svg', chart: 'diagram' } });
      // The run's own exports (CSV, report, model) from any tab; they name the curves as the chart.
      const chart: ChartName = isChart(tab) ? tab : 'curves';
      if (kind === 'png') {
        if (!isChart(tab)) return;
        return void pictureOf(chart).then(
          (dataUrl) => dataUrl && send({ method: 'export', params: { format: 'png', chart, dataUrl } }),
        );
      }
      send({ method: 'export', params: { format: kind as 'svg' | 'csv' | 'report' | 'model', chart } });
    });
  }
}
