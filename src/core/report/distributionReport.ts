// The report's Distributions section: the activation spread by depth, then
// the quantile bands over iterations of every block output (with its share
// of zeros) and of every kernel, as the panel's tab draws them.
import type { DistributionRecord } from '../distributions/records';
import { distributionView } from '../distributions/view';
import type { RunInfo } from '../runs/runFolder';
import { distributionBandsSvg, spreadByDepthSvg } from './distributionSvg';
import { ChartTheme, esc } from './svg/primitives';

/** Records per chart in the report: enough for the shape, small enough that ResNet-56's 84 charts stay about a megabyte. */
const REPORT_RECORDS = 100;

const inline = (svg: string) => svg.replace(' xmlns="http://www.w3.org/2000/svg"', '');

export function distributionsSection(records: readonly DistributionRecord[], info: RunInfo, t: ChartTheme): string {
  const view = distributionView(records, REPORT_RECORDS);
  const every = (info.recipe as { distributionEvery?: number } | undefined)?.distributionEvery;
  const grid = (kind: 'weights' | 'activations') =>
    `<div class="dist-grid">${view.series
      .filter((s) => s.kind === kind)
      .map((s) => inline(distributionBandsSvg(s, view.iterations, { theme: t, color: t.series[0], width: 250 })))
      .join('')}</div>`;
  return [
    '<h2 id="distributions">Distributions</h2>',
    `<style>.dist-grid { display: flex; flex-wrap: wrap; gap: 6px; }</style>`,
    `<figure>${inline(spreadByDepthSvg([{ label: info.experiment, view, color: t.series[0] }], { theme: t, width: 1000 }))}<figcaption>${esc(
      'Spread of each block output on the probe batch at the last record, (q84 − q16) / 2 ≈ one standard deviation, log scale.',
    )}</figcaption></figure>`,
    `<p class="note">${esc(
      `Quantile bands over iterations (0–100, 7–93, 16–84, 31–69 %, median line), ${view.records} records${every ? `, every ${every} iterations` : ''}: block outputs on a fixed batch of test images (with their share of zeros after the ReLU), then the kernels of the weighted layers.`,
    )}</p>`,
    '<h3>Block outputs</h3>',
    grid('activations'),
    '<h3>Kernels</h3>',
    grid('weights'),
  ].join('\n');
}
