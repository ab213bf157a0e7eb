// The confusion matrix of one epoch as a heat map (counts in the cells, the
// colour the row-normalised rate), and each class's test error over epochs.
// For the HTML report and `resnet-lab plot`; the panel draws its own,
// interactive one (webview/panel/confusionTab.ts) from the same records.
import { classLabels } from '../confusion/tables';
import { perClassError, rowRates, rowTotals } from '../confusion/matrix';
import type { ConfusionRecord } from '../runs/confusionRecords';
import * as plot from './svg/axes';
import { ChartOptions, ChartTheme, esc, n2, svgDocument, text, textWidth, themeOf, truncate } from './svg/primitives';

/** Mixes the theme's background towards its accent by `v` (0..1): the heat map's scale, legible in both themes. */
export function heat(t: ChartTheme, v: number): string {
  const a = parseInt(t.background.slice(1), 16),
    b = parseInt(t.accent.slice(1), 16);
  const f = Math.min(1, Math.max(0, v));
  const mix = (sh: number) => Math.round(((a >> sh) & 255) * (1 - f) + ((b >> sh) & 255) * f);
  return `#${((mix(16) << 16) | (mix(8) << 8) | mix(0)).toString(16).padStart(6, '0')}`;
}

export function confusionHeatmapSvg(
  record: ConfusionRecord,
  names: readonly string[] | undefined,
  options: ChartOptions = {},
): string {
  const t = themeOf(options);
  const n = record.matrix.length;
  const labels = classLabels(names, n).map((s) => truncate(s, 14));
  const rates = rowRates(record.matrix);
  const totals = rowTotals(record.matrix);
  const errors = perClassError(record.matrix);
  const cell = Math.max(18, Math.min(48, Math.floor(520 / n)));
  const left = 16 + Math.max(...labels.map((s) => textWidth(s, 12))) + 8;
  const heading = options.title ?? `Confusion matrix, epoch ${record.epoch} (iteration ${record.iteration})`;
  const top = (heading ? 40 : 10) + Math.max(...labels.map((s) => textWidth(s, 12))) * 0.72 + 12;
  const width = options.width ?? left + n * cell + 110;
  const height = options.height ?? top + n * cell + 40;
  const out: string[] = [plot.title(heading, 16, 26, t)];
  const showCounts = cell >= 26;
  out.push('<g class="cells">');
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = left + j * cell,
        y = top + i * cell;
      const rate = rates[i][j];
      out.push(
        `<rect x="${n2(x)}" y="${n2(y)}" width="${cell - 1}" height="${cell - 1}" fill="${heat(t, rate)}"><title>${esc(`${labels[i]} predicted as ${labels[j]}: ${record.matrix[i][j]} of ${totals[i]} (${(100 * rate).toFixed(1)}%)`)}</title></rect>`,
      );
      if (showCounts && record.matrix[i][j] > 0)
        out.push(
          text(x + cell / 2, y + cell / 2 + 4, String(record.matrix[i][j]), {
            'text-anchor': 'middle',
            'font-size': cell >= 40 ? 12 : 10,
            fill: rate > 0.5 ? t.background : t.foreground,
          }),
        );
    }
  }
  out.push('</g>');
  out.push(`<g class="labels" fill="${t.foreground}">`);
  labels.forEach((s, i) => {
    out.push(text(left - 8, top + i * cell + cell / 2 + 4, s, { 'text-anchor': 'end' }));
    const cx = left + i * cell + cell / 2;
    out.push(`<text transform="translate(${n2(cx + 4)},${n2(top - 8)}) rotate(-45)" font-size="12">${esc(s)}</text>`);
  });
  out.push('</g>');
  out.push(`<g class="class-errors" fill="${t.muted}" font-size="11">`);
  out.push(text(left + n * cell + 10, top - 8, 'error', { 'font-weight': 600 }));
  errors.forEach((e, i) =>
    out.push(text(left + n * cell + 10, top + i * cell + cell / 2 + 4, e === null ? '–' : `${(100 * e).toFixed(1)}%`)),
  );
  out.push('</g>');
  out.push(
    text(
      left + (n * cell) / 2,
      top + n * cell + 24,
      'predicted class (columns) · true class (rows) · colour: share of the row',
      {
        'text-anchor': 'middle',
        fill: t.muted,
        'font-size': 11,
      },
    ),
  );
  return svgDocument(width, height, t, out.join('\n') + '\n', { class: 'chart confusion' });
}

/** Each class's test error (%) after every epoch, one line per class. */
export function classErrorCurvesSvg(
  records: readonly ConfusionRecord[],
  names: readonly string[] | undefined,
  options: ChartOptions = {},
): string {
  const t = themeOf(options);
  const width = options.width ?? 520,
    height = options.height ?? 360;
  const heading = options.title ?? 'Test error per class';
  if (records.length === 0) return plot.noData(width, height, t, heading, 'no confusion records');
  const n = records[records.length - 1].matrix.length;
  const labels = classLabels(names, n);
  const series = labels.map((label, c) => ({
    label,
    color: t.series[c % t.series.length],
    points: records.flatMap((r): [number, number][] => {
      const e = perClassError(r.matrix)[c];
      return e === null || e === undefined ? [] : [[r.epoch, 100 * e]];
    }),
  }));
  const lg = plot.legend(
    series.map((s) => ({ label: s.label, color: s.color, width: 2 })),
    60,
    heading ? 38 : 10,
    width - 80,
    t,
  );
  const top = (heading ? 38 : 10) + lg.height + 8;
  const first = records[0].epoch,
    last = records[records.length - 1].epoch;
  const xa: plot.Axis = {
    min: first,
    max: Math.max(last, first + 1),
    ticks: plot.niceTicks(first, Math.max(last, first + 1), 6).filter((v) => Number.isInteger(v)),
    label: 'epoch',
  };
  const yTicks = plot.niceTicks(0, 100, 5);
  const ya: plot.Axis = { min: 0, max: 100, ticks: yTicks, label: 'test error (%)' };
  const p = plot.makePlot(60, top, width - 80, height - top - 48, xa, ya);
  const out = [plot.title(heading, 16, 26, t), lg.svg, plot.axes(p, xa, ya, t)];
  for (const s of series)
    out.push(plot.line(p, s.points, { color: s.color, width: 1.8, points: true, label: s.label }));
  return svgDocument(width, height, t, out.join(''), { class: 'chart class-errors' });
}
