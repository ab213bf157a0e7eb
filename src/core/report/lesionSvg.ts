// Lesion study (Veit et al. 2016): test error with blocks deleted.
import type { LesionResult } from '../../protocol/trainer';
import type { Point } from './decimate';
import * as plot from './svg/axes';
import { ChartOptions, esc, n2, svgDocument, text, themeOf, truncate } from './svg/primitives';

/** A block's name without the layer part: "stage2/block1/add" → "stage2/block1". */
export const blockLabel = (name: string) => name.replace(/\/add$/, '');

/**
 * Veit et al. 2016: test error with each block deleted (bars; downsampling
 * blocks in a second colour; the undamaged net's error as a line) and, on
 * the right, the mean error when k random blocks are deleted.
 */
export function lesionBarsSvg(result: LesionResult, options: ChartOptions = {}): string {
  const t = themeOf(options);
  const hasRandom = result.random.length > 0;
  const width = options.width ?? (hasRandom ? 1000 : 680),
    height = options.height ?? 430;
  const heading =
    options.title ??
    `Lesion study: test error with blocks deleted (${result.testExamples.toLocaleString('en-US')} test images)`;
  if (result.blocks.length === 0) return plot.noData(width, height, t, heading, 'no blocks to delete');
  const base = 100 * result.baselineError;
  const plain = t.series[0],
    down = t.series[3],
    baseColor = t.foreground,
    randColor = t.series[1];
  const items: plot.LegendItem[] = [
    { label: 'one block deleted', color: plain, kind: 'bar' },
    { label: 'downsampling block deleted', color: down, kind: 'bar' },
    { label: `no deletion: ${base.toFixed(2)}%`, color: baseColor, kind: 'dashed', width: 1.5 },
  ];
  if (hasRandom) items.push({ label: 'k random blocks deleted (mean; dots: draws)', color: randColor, width: 2.5 });
  const lg = plot.legend(items, 66, 38, width - 90, t);
  const top = 38 + lg.height + 12;
  const labelH = Math.min(
    100,
    8 + Math.max(...result.blocks.map((b) => Math.min(22, blockLabel(b.name).length))) * 4.3,
  );
  const bottom = labelH + 30;
  const out: string[] = [plot.title(heading, 16, 26, t), lg.svg];

  // Left panel: one bar per block.
  const leftW = hasRandom ? Math.round((width - 40) * 0.6) : width - 20;
  const yHi =
    Math.max(base, ...result.blocks.map((b) => 100 * b.error), result.custom ? 100 * result.custom.error : 0) * 1.08;
  const yTicks = plot.niceTicks(0, Math.min(100, Math.max(yHi, 1)), 6);
  const xa: plot.Axis = { min: 0, max: result.blocks.length, ticks: [], label: '' };
  const ya: plot.Axis = { min: 0, max: yTicks[yTicks.length - 1], ticks: yTicks, label: 'test error (%)' };
  const p = plot.makePlot(66, top, leftW - 66 - 10, height - top - bottom, xa, ya);
  out.push(plot.axes(p, xa, ya, t));
  const slot = p.w / result.blocks.length;
  const barW = Math.max(1, Math.min(56, slot * 0.72));
  const labelEvery = Math.max(1, Math.ceil(13 / slot));
  out.push('<g class="bars">');
  result.blocks.forEach((b, i) => {
    const x = p.x + i * slot + (slot - barW) / 2,
      y = p.sy(100 * b.error);
    out.push(
      `<rect class="bar${b.downsampling ? ' downsampling' : ''}" data-block="${esc(b.name)}" x="${n2(x)}" y="${n2(y)}" width="${n2(barW)}" height="${n2(p.y + p.h - y)}" fill="${b.downsampling ? down : plain}"><title>${esc(`${b.name}: ${(100 * b.error).toFixed(2)}%`)}</title></rect>`,
    );
  });
  out.push('</g>');
  out.push(`<g class="block-labels" fill="${t.muted}" font-size="10">`);
  result.blocks.forEach((b, i) => {
    if (i % labelEvery !== 0) return;
    const x = p.x + i * slot + slot / 2 + 3,
      y = p.y + p.h + 10;
    out.push(
      `<text transform="translate(${n2(x)},${n2(y)}) rotate(-50)" text-anchor="end">${esc(truncate(blockLabel(b.name), 22, 'start'))}</text>`,
    );
  });
  out.push('</g>');
  out.push(
    `<line class="baseline" x1="${n2(p.x)}" x2="${n2(p.x + p.w)}" y1="${n2(p.sy(base))}" y2="${n2(p.sy(base))}" stroke="${baseColor}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
  );
  out.push(text(p.x + p.w / 2, p.y + p.h + bottom - 8, 'deleted block', { 'text-anchor': 'middle', fill: t.muted }));
  if (result.custom) {
    out.push(
      text(
        p.x + 6,
        p.y + 12,
        `${result.custom.lesioned.length} chosen blocks deleted: ${(100 * result.custom.error).toFixed(2)}%`,
        { fill: t.foreground, 'font-size': 11 },
      ),
    );
  }

  // Right panel: k random deletions.
  if (hasRandom) {
    const rx = leftW + 50;
    const pts: Point[] = result.random.map((r) => [r.k, 100 * r.meanError]);
    const draws = result.random.flatMap((r) => r.errors.map((e) => [r.k, 100 * e] as Point));
    const kMax = Math.max(...result.random.map((r) => r.k));
    const ryHi = Math.min(100, Math.max(base, plot.maxOf(pts), plot.maxOf(draws.length ? draws : pts)) * 1.05);
    const ryTicks = plot.niceTicks(0, Math.max(ryHi, 1), 6);
    const rxa: plot.Axis = {
      min: 0,
      max: kMax,
      ticks: plot.innerTicks(0, kMax, Math.min(kMax + 1, 8)).filter((v) => Number.isInteger(v)),
      label: 'blocks deleted at random (k)',
    };
    const rya: plot.Axis = { min: 0, max: ryTicks[ryTicks.length - 1], ticks: ryTicks, label: 'test error (%)' };
    const rp = plot.makePlot(rx, top, width - rx - 22, height - top - bottom, rxa, rya);
    out.push(plot.axes(rp, rxa, rya, t));
    out.push(
      `<line class="baseline" x1="${n2(rp.x)}" x2="${n2(rp.x + rp.w)}" y1="${n2(rp.sy(base))}" y2="${n2(rp.sy(base))}" stroke="${baseColor}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    );
    out.push(
      `<g class="draws" fill="${randColor}" fill-opacity="0.25">${draws.map(([k, e]) => `<circle cx="${n2(rp.sx(k))}" cy="${n2(rp.sy(e))}" r="2.5"/>`).join('')}</g>`,
    );
    out.push(
      plot.line(rp, [[0, base], ...pts], {
        color: randColor,
        width: 2.5,
        points: true,
        cls: 'random-mean',
        label: 'mean error',
      }),
    );
  }
  return svgDocument(width, height, t, out.join('\n') + '\n', {
    class: 'chart lesion',
    'data-blocks': result.blocks.length,
  });
}
