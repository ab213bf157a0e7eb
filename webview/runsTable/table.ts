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

export function renderBody(tbody: HTMLElement, rows: RunRowView[], s: TableState): void {
  const fragment = document.createDocumentFragment();
  for (const row of rows) {
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
    fragment.appendChild(tr);
  }
  tbody.replaceChildren(fragment);
}
