// The report's confusion section: the last epoch's matrix and each class's
// test error over epochs (records from confusion.jsonl).
import type { ConfusionRecord } from '../runs/confusionRecords';
import { classErrorCurvesSvg, confusionHeatmapSvg } from './confusionSvg';
import { esc } from './svg/primitives';

export function confusionSection(
  records: readonly ConfusionRecord[],
  names: readonly string[] | undefined,
  o: { dark?: boolean },
): string {
  const last = records[records.length - 1];
  if (!last) return '';
  const inline = (svg: string) => svg.replace(' xmlns="http://www.w3.org/2000/svg"', '');
  const figure = (svg: string, caption: string) =>
    `<figure>${inline(svg)}<figcaption>${esc(caption)}</figcaption></figure>`;
  return [
    '<h2 id="confusion">Confusion matrix</h2>',
    '<div class="grid2">',
    figure(
      confusionHeatmapSvg(last, names, { dark: o.dark, title: '' }),
      `Test set after epoch ${last.epoch} (iteration ${last.iteration}): how many images of each true class (row) the model called each class (column); the colour is the share of the row, the right column each class's error.`,
    ),
    figure(
      classErrorCurvesSvg(records, names, { dark: o.dark, title: '' }),
      'Test error of each class after every epoch.',
    ),
    '</div>',
  ].join('\n');
}
