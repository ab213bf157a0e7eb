// The runs table's rows as HTML: a header that sorts, a checkbox per run.
// Every text goes in through textContent: nothing from a run folder is markup.
import { formatCell } from '../../src/core/runsTable/columns';
import type { ColumnView, RunRowView } from '../../src/protocol/runsTable';

export interface TableState {
  columns: ColumnView[];
  rows: RunRowView[];
  sortKey: string;
  descending: boolean;
  selected: Set<string>;
}

const NUMERIC = new Set(['count', 'rate', 'error', 'seconds']);

function cell(tag: 'td' | 'th', text: string, className?: string): HTMLElement {
  const e = document.createElement(tag);
  e.textContent = text;
  if (className) e.className = className;
  return e;
}

export function renderHead(thead: HTMLElement, s: TableState): void {
  const tr = document.createElement('tr');
  tr.appendChild(cell('th', '', 'pick'));
  for (const c of s.columns) {
    const arrow = c.key === s.sortKey ? (s.descending ? ' ▼' : ' ▲') : '';
    const th = cell('th', c.label + arrow, NUMERIC.has(c.type) ? 'num' : undefined);
    th.dataset.key = c.key;
    th.title = `sort by ${c.label}`;
    th.setAttribute('aria-sort', c.key === s.sortKey ? (s.descending ? 'descending' : 'ascending') : 'none');
    tr.appendChild(th);
  }
  thead.replaceChildren(tr);
}

function rowElement(row: RunRowView, s: TableState): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.dataset.id = row.id;
  tr.title = row.folder;
  if (s.selected.has(row.id)) tr.classList.add('selected');
  const pick = document.createElement('td');
  pick.className = 'pick';
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.checked = s.selected.has(row.id);
  box.setAttribute('aria-label', `select ${row.folder}`);
  pick.appendChild(box);
  tr.appendChild(pick);
  for (const c of s.columns) {
    const value = row.cells[c.key] ?? null;
    const td = cell('td', formatCell(c.type, value), NUMERIC.has(c.type) ? 'num' : undefined);
    if (c.key === 'status') td.classList.add(`status-${String(value)}`);
    tr.appendChild(td);
  }
  return tr;
}

/** Rows drawn at once; the rest follow a frame later, so a table of hundreds shows its first screen without waiting. */
const FIRST_SCREEN = 60;
let generation = 0;

/** Draws `rows`: the first screen now, the rest on the next frame; `done` when all are in. */
export function renderBody(tbody: HTMLElement, rows: RunRowView[], s: TableState, done: () => void): void {
  const mine = ++generation;
  const fragment = (from: number, to: number) => {
    const f = document.createDocumentFragment();
    for (const row of rows.slice(from, to)) f.appendChild(rowElement(row, s));
    return f;
  };
  tbody.replaceChildren(fragment(0, FIRST_SCREEN));
  if (rows.length <= FIRST_SCREEN) return done();
  requestAnimationFrame(() => {
    // A newer render (a sort, a filter) replaced these rows meanwhile.
    if (mine !== generation) return;
    tbody.appendChild(fragment(FIRST_SCREEN, rows.length));
    done();
  });
}
