// The runs table's app: every run of the workspace, sorted and filtered here
// (src/core/runsTable/columns.ts), picked with a checkbox; the picked runs can
// be overlaid in the training panel (Compare), diffed (two of them), archived
// or deleted (the host asks to confirm), and a parallel-coordinates view shows
// the hyperparameters of the shown runs against their error.
import { filterRows, sortRows } from '../../src/core/runsTable/columns';
import { parallelCoordinates } from '../../src/core/runsTable/parallelCoordinates';
import type { RunsTableHostMessage, RunsTableMessage, RunRowView } from '../../src/protocol/runsTable';
import { hostChannel } from '../shared/vscodeApi';
import { onThemeChange, readTheme } from '../shared/theme';
import { drawParallel } from './parallelPlot';
import { renderBody, renderHead, TableState } from './table';

const host = hostChannel<RunsTableMessage, RunsTableHostMessage>();
document.body.dataset.scriptStart = String(Date.now());
/** Today's Compare overlays at most this many runs. */
const MAX_COMPARE = 12;

const app = document.getElementById('app')!;
app.innerHTML = `
<header class="runs-table-header">
  <h1 id="runs-title">Runs</h1>
  <input id="filter" type="search" placeholder="filter: resnet depth>=44 testError<8 keras" aria-label="filter runs">
  <div class="controls">
    <button id="compare" disabled title="overlay the picked runs' curves in the training panel">Compare</button>
    <button id="diff" disabled title="what differs between the two picked runs">Config diff</button>
    <button id="archive" disabled title="move the picked runs into .resnet-lab/archive">Archive</button>
    <button id="delete" class="danger" disabled title="delete the picked runs' folders">Delete</button>
    <button id="refresh" title="read the runs folders again">Refresh</button>
  </div>
</header>
<p id="notice" class="muted"></p>
<section id="diff-result" class="diff-result" hidden></section>
<details id="parallel-section" open>
  <summary>Parallel coordinates: hyperparameters against
    <select id="metric" aria-label="error axis">
      <option value="testError">final test error</option>
      <option value="bestTestError">best test error</option>
      <option value="trainError">final train error</option>
    </select>
  </summary>
  <div id="parallel"></div>
</details>
<div class="runs-table-wrap"><table id="runs" class="runs-table"><thead></thead><tbody></tbody></table></div>`;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const table = $<HTMLTableElement>('runs');
const filter = $<HTMLInputElement>('filter');
const state: TableState = { columns: [], rows: [], sortKey: 'created', descending: true, selected: new Set() };
let shown: RunRowView[] = [];
let theme = readTheme();

function render(): void {
  const started = performance.now();
  shown = sortRows(filterRows(state.rows, filter.value, state.columns), state.sortKey, state.descending);
  renderHead(table.tHead!, state);
  renderBody(table.tBodies[0], shown, state, () => {
    document.body.dataset.rows = String(shown.length);
    document.body.dataset.completeAt = String(Date.now());
    // The plot once every row is in: the table is read first.
    setTimeout(drawPlot, 0);
  });
  $('runs-title').textContent =
    shown.length === state.rows.length
      ? `Runs (${state.rows.length})`
      : `Runs (${shown.length} of ${state.rows.length})`;
  // When the first screen of rows was drawn (epoch ms): the e2e times the opening against it.
  document.body.dataset.renderedAt = String(Date.now());
  updateButtons();
  document.body.dataset.renderMs = (performance.now() - started).toFixed(0);
}

function drawPlot(): void {
  const holder = $('parallel');
  if (!shown.length || !state.columns.length) return void holder.replaceChildren();
  const pc = parallelCoordinates(shown, state.columns, $<HTMLSelectElement>('metric').value);
  const folderOf = new Map(shown.map((r) => [r.id, r.folder]));
  drawParallel(holder, pc, {
    theme,
    width: Math.max(360, holder.clientWidth || 800),
    selected: state.selected,
    labelOf: (id) => folderOf.get(id) ?? id,
  });
}

/** The picked runs in the order they were picked: a config diff reads from the first to the second. */
function picked(): RunRowView[] {
  const byId = new Map(state.rows.map((r) => [r.id, r]));
  return [...state.selected].map((id) => byId.get(id)).filter((r): r is RunRowView => r !== undefined);
}

function updateButtons(): void {
  const p = picked();
  $<HTMLButtonElement>('compare').disabled = p.length < 1 || p.length > MAX_COMPARE;
  $<HTMLButtonElement>('diff').disabled = p.length !== 2;
  const removable = p.length > 0 && p.every((r) => !r.live);
  $<HTMLButtonElement>('archive').disabled = !removable;
  $<HTMLButtonElement>('delete').disabled = !removable;
  const live = p.filter((r) => r.live).length;
  $('notice').textContent = live
    ? `${live} of the picked runs ${live === 1 ? 'is' : 'are'} still training: stop ${live === 1 ? 'it' : 'them'} to delete or archive.`
    : p.length > MAX_COMPARE
      ? `Compare overlays at most ${MAX_COMPARE} runs.`
      : '';
}

table.tHead!.addEventListener('click', (e) => {
  const key = (e.target as HTMLElement).closest('th')?.dataset.key;
  if (!key) return;
  state.descending = key === state.sortKey ? !state.descending : false;
  state.sortKey = key;
  render();
});
table.tBodies[0].addEventListener('change', (e) => {
  const box = e.target as HTMLInputElement;
  const id = box.closest('tr')?.dataset.id;
  if (!id) return;
  if (box.checked) state.selected.add(id);
  else state.selected.delete(id);
  box.closest('tr')!.classList.toggle('selected', box.checked);
  updateButtons();
  drawPlot();
});
// A double-click opens the run in the training panel.
table.tBodies[0].addEventListener('dblclick', (e) => {
  const id = (e.target as HTMLElement).closest('tr')?.dataset.id;
  if (id) host.send({ method: 'runs/compare', params: { ids: [id] } });
});
let filterTimer: ReturnType<typeof setTimeout> | undefined;
filter.addEventListener('input', () => {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(render, 120);
});
$('metric').addEventListener('change', drawPlot);
$('compare').addEventListener('click', () =>
  host.send({ method: 'runs/compare', params: { ids: picked().map((r) => r.id) } }),
);
$('diff').addEventListener('click', () => {
  const [a, b] = picked();
  host.send({ method: 'runsTable/diff', params: { ids: [a.id, b.id] } });
});
for (const action of ['archive', 'delete'] as const)
  $(action).addEventListener('click', () =>
    host.send({ method: 'runsTable/remove', params: { ids: picked().map((r) => r.id), action } }),
  );
$('refresh').addEventListener('click', () => host.send({ method: 'runsTable/refresh' }));

function showDiff(folders: [string, string], changes: { label: string; from: string; to: string }[]): void {
  const box = $('diff-result');
  const title = document.createElement('div');
  title.className = 'diff-title';
  title.textContent = `${folders[0]} → ${folders[1]}`;
  const list = document.createElement('ul');
  for (const c of changes) {
    const li = document.createElement('li');
    const label = document.createElement('span');
    label.className = 'diff-label';
    label.textContent = c.label;
    li.append(label, ` ${c.from} → ${c.to}`);
    list.appendChild(li);
  }
  if (!changes.length)
    list.appendChild(Object.assign(document.createElement('li'), { textContent: 'same configuration' }));
  box.replaceChildren(title, list);
  box.hidden = false;
}

host.onMessage((m) => {
  if (m.method === 'runsTable/rows') {
    document.body.dataset.rowsArrivedAt = String(Date.now());
    state.columns = m.params.columns;
    state.rows = m.params.rows;
    const ids = new Set(state.rows.map((r) => r.id));
    for (const id of state.selected) if (!ids.has(id)) state.selected.delete(id);
    render();
    document.body.dataset.readMs = m.params.readMs.toFixed(0);
    if (!state.rows.length)
      $('notice').textContent =
        'No runs in this workspace yet: a run trained here, in a terminal or on the Keras engine shows up here.';
    else if (m.params.unreadable)
      $('notice').textContent =
        `${m.params.unreadable} folder${m.params.unreadable === 1 ? '' : 's'} with a damaged run.json left out (see the log).`;
  } else if (m.method === 'runsTable/diff') showDiff(m.params.folders, m.params.changes);
  else if (m.method === 'runsTable/notice') $('notice').textContent = m.params.text;
});
onThemeChange(() => {
  theme = readTheme();
  drawPlot();
});
let resizeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(drawPlot, 150);
});
host.send({ method: 'webview/ready' });
