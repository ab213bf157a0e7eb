// The whole sweep as one self-contained HTML file (no scripts, no external
// files): the figure, Table 6's layout, and every run with its outcome, so a
// sweep can be mailed or attached to a paper draft.
import * as path from 'node:path';
import { pointLabel } from '../lib/sweep';
import { resultsSvg } from './chart';
import { counts, Queue } from './queue';
import { percent, resultsTable, SweepResults } from './results';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function sweepReportHtml(queue: Queue, results: SweepResults): string {
  const c = counts(queue);
  const table = resultsTable(results);
  const head = table.header.map((h) => `<th>${esc(h)}</th>`).join('');
  const rows = table.rows.map((r) => `<tr>${r.map((v) => `<td>${esc(v)}</td>`).join('')}</tr>`).join('\n');
  const runs = queue.runs
    .map(
      (r) =>
        `<tr><td>#${r.point}</td><td>${esc(pointLabel(r.params))}</td><td>${r.status}</td>` +
        `<td>${typeof r.trainError === 'number' ? percent(r.trainError) : ''}</td>` +
        `<td>${typeof r.testError === 'number' ? percent(r.testError) : ''}</td>` +
        `<td>${r.runDir ? esc(path.basename(r.runDir)) : ''}</td><td>${esc(r.message ?? '')}</td></tr>`,
    )
    .join('\n');
  const title = `Sweep ${queue.sweep}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 760px; color: #222; background: #fff; }
@media (prefers-color-scheme: dark) { body { color: #ddd; background: #1e1e1e; } }
table { border-collapse: collapse; margin: 1em 0; }
th, td { padding: 3px 10px; text-align: right; border-bottom: 1px solid #8884; }
th:first-child, td:first-child { text-align: left; }
caption { text-align: left; font-weight: bold; margin-bottom: 4px; }
</style></head><body>
<h1>${esc(title)}</h1>
<p>${esc(path.basename(queue.file))} · ${c.finished} of ${c.total} runs finished${c.failed ? `, ${c.failed} failed` : ''}${c.cancelled ? `, ${c.cancelled} cancelled` : ''} · axes: ${esc(
    Object.entries(queue.axes)
      .map(([k, v]) => `${k} ${v.join('/')}`)
      .join(', '),
  )} · started ${esc(queue.createdAt)}</p>
${resultsSvg(results, title)}
<table><caption>Test error (%), best (mean±std) over ${esc(results.seedAxis ?? 'runs')}</caption>
<thead><tr>${head}</tr></thead><tbody>
${rows}
</tbody></table>
<table><caption>Runs</caption>
<thead><tr><th>run</th><th>point</th><th>status</th><th>train error (%)</th><th>test error (%)</th><th>run folder</th><th></th></tr></thead><tbody>
${runs}
</tbody></table>
</body></html>
`;
}
