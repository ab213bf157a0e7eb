// The Export menu: the chart in view as PNG (its canvas, drawn here) or SVG /
// CSV / report / model (written by the host from the run folders).
import type { PanelMessage } from '../../src/protocol/panel';

type ChartName = 'curves' | 'gradients' | 'lesion' | 'responses' | 'paths' | 'confusion';
const CANVAS: Record<ChartName, string> = {
  curves: '#error-chart',
  gradients: 'canvas.heatmap-canvas',
  lesion: '#lesion-charts canvas',
  responses: '#responses-charts canvas',
  paths: '#paths-charts canvas',
  confusion: '', // an SVG: exported as SVG by the host, no canvas to send as PNG
};

export function wireExportButtons(send: (message: PanelMessage) => void, activeTab: () => string): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-export]')) {
    button.addEventListener('click', () => {
      const kind = button.dataset.export!;
      const chart = activeTab() as ChartName;
      if (kind === 'diagram') return send({ method: 'export', params: { format: 'svg', chart: 'diagram' } });
      if (kind === 'png') {
        const canvas = CANVAS[chart] ? document.querySelector<HTMLCanvasElement>(CANVAS[chart]) : null;
        if (!canvas) return;
        return send({ method: 'export', params: { format: 'png', chart, dataUrl: canvas.toDataURL('image/png') } });
      }
      send({ method: 'export', params: { format: kind as 'svg' | 'csv' | 'report' | 'model', chart } });
    });
  }
}
