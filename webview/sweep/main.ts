// The sweep results view: the figure and the table the host computed
// (src/core/sweeps), every run's outcome, Cancel while it runs, and exports.
// PNG is drawn here (the SVG on a canvas, on the theme's background); the
// host writes every file.
import type { SweepHostMessage, SweepMessage } from '../../src/protocol/sweep';
import { svgToPng } from '../shared/svgPng';
import { hostChannel } from '../shared/vscodeApi';

const host = hostChannel<SweepMessage, SweepHostMessage>();
const app = document.getElementById('app')!;
const style = document.createElement('style');
style.nonce = app.dataset.nonce ?? '';
style.textContent = `
.sweep-head { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; justify-content: space-between; }
.sweep-actions { display: flex; flex-wrap: wrap; gap: 6px; }
.sweep-figure svg { max-width: 100%; height: auto; color: var(--vscode-foreground); }
table.sweep { border-collapse: collapse; margin: 8px 0 16px; }
table.sweep th, table.sweep td { padding: 2px 10px; text-align: right; border-bottom: 1px solid var(--vscode-panel-border, #8884); }
table.sweep th:first-child, table.sweep td:first-child, table.sweep td.left { text-align: left; }
.status-failed { color: var(--vscode-errorForeground); }
`;
document.head.append(style);
app.innerHTML = `
  <div class="sweep-head"><h2 id="title">Sweep</h2>
    <div class="sweep-actions">
      <button id="cancel" class="danger" hidden>Cancel the rest</button>
      <button data-export="csv">CSV</button><button data-export="svg">SVG</button>
      <button data-export="png">PNG</button><button data-export="html">HTML report</button>
    </div></div>
  <div id="progress" class="muted"></div>
  <div id="figure" class="sweep-figure"></div>
  <table id="table" class="sweep"></table>
  <h3>Runs</h3>
  <table id="runs" class="sweep"></table>`;

let current: SweepHostMessage['params'] | undefined;

const pct = (x: number | null) => (x === null ? '' : (100 * x).toFixed(2));

function row(cells: string[], tag: 'td' | 'th', cls?: string): HTMLTableRowElement {
  const tr = document.createElement('tr');
  if (cls) tr.className = cls;
  for (const c of cells) {
    const el = document.createElement(tag);
    el.textContent = c;
    tr.append(el);
  }
  return tr;
}

function render(p: SweepHostMessage['params']): void {
  current = p;
  document.getElementById('title')!.textContent = `Sweep ${p.title}`;
  document.getElementById('progress')!.textContent = `${p.progress}${p.running ? ' · running' : ''}`;
  document.getElementById('cancel')!.hidden = !p.running;
  // The host's own SVG (numbers and escaped labels only, no scripts).
  document.getElementById('figure')!.innerHTML = p.svg;
  document
    .getElementById('table')!
    .replaceChildren(row(p.table.header, 'th'), ...p.table.rows.map((r) => row(r, 'td')));
  document
    .getElementById('runs')!
    .replaceChildren(
      row(['run', 'point', 'status', 'test error (%)', ''], 'th'),
      ...p.runs.map((r) =>
        row([`#${r.point}`, r.label, r.status, pct(r.testError), r.message ?? ''], 'td', `status-${r.status}`),
      ),
    );
}

/** The figure as a PNG (svgPng.ts). */
const png = (): Promise<string> => svgToPng(document.querySelector('#figure svg') as SVGSVGElement);

document.getElementById('cancel')!.addEventListener('click', () => {
  if (current) host.send({ method: 'sweep/cancel', params: { id: current.id } });
});
for (const b of document.querySelectorAll<HTMLButtonElement>('[data-export]')) {
  b.addEventListener('click', () => {
    const p = current;
    const format = b.dataset.export as 'csv' | 'svg' | 'png' | 'html';
    if (!p) return;
    if (format !== 'png') return host.send({ method: 'sweep/export', params: { id: p.id, format } });
    void png().then((data) => host.send({ method: 'sweep/export', params: { id: p.id, format, png: data } }));
  });
}
host.onMessage((m) => m.method === 'sweep/results' && render(m.params));
host.send({ method: 'webview/ready' });
