// The Confusion tab: each shown run's confusion matrix at the epoch the slider
// picks (Play steps through the epochs; at the last epoch the slider follows
// the run as it trains), each class's test error over epochs beside it, and
// the test images of a clicked cell, a page at a time, with the model's top-3
// on hover. Several runs (Compare) are drawn side by side. Data comes from the
// host on request (confusion/request, confusion/images), read from the run
// folders.
import { CELL_PAGE, CellImages, ConfusionData } from '../../src/protocol/confusion';
import type { PanelHostMessage, PanelMessage } from '../../src/protocol/panel';
import type { RunView } from '../../src/protocol/webview';
import type { Theme } from '../shared/theme';
import { drawClassErrors, drawHeatmap, drawThumbnail } from './confusionDraw';
import { runLabel } from './curves';

const PLAY_MS = 450;

interface Cell {
  id: string;
  epoch: number;
  actual: number;
  predicted: number;
  offset: number;
}

const escape = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export class ConfusionTab {
  private runs: RunView[] = [];
  private readonly data = new Map<string, ConfusionData>();
  private active = false;
  private stale = true;
  /** The epoch shown; undefined: the latest, following the run. */
  private epoch: number | undefined;
  private rates = false;
  private cell: Cell | undefined;
  private requestId = 0;
  private playing: ReturnType<typeof setInterval> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly slider: HTMLInputElement;
  private readonly body: HTMLElement;
  private readonly cellBox: HTMLElement;

  constructor(
    private readonly root: HTMLElement,
    private readonly send: (m: PanelMessage) => void,
    private readonly theme: () => Theme,
  ) {
    root.innerHTML = `<div class="toolbar confusion-tools">
        <button id="confusion-play" title="Step through the epochs">Play</button>
        <label>Epoch <input type="range" id="confusion-epoch" min="0" max="0" step="1" value="0"></label>
        <span id="confusion-epoch-label" class="muted"></span>
        <label title="Each row divided by its class's test images"><input type="checkbox" id="confusion-rates"> rates</label>
      </div>
      <div id="confusion-body" class="confusion-body"><p class="muted">The confusion matrix appears after the first epoch.</p></div>
      <section id="confusion-cell" class="confusion-cell" hidden></section>`;
    this.slider = root.querySelector('#confusion-epoch')!;
    this.body = root.querySelector('#confusion-body')!;
    this.cellBox = root.querySelector('#confusion-cell')!;
    this.slider.addEventListener('input', () => {
      this.stopPlaying();
      this.pickIndex(Number(this.slider.value));
    });
    root.querySelector('#confusion-play')!.addEventListener('click', () => this.togglePlay());
    root.querySelector<HTMLInputElement>('#confusion-rates')!.addEventListener('change', (e) => {
      this.rates = (e.target as HTMLInputElement).checked;
      this.render();
    });
  }

  setActive(on: boolean): void {
    this.active = on;
    if (on && this.stale) this.requestAll();
    else if (on) this.render();
  }

  /** Every host message passes by: the tab keeps what concerns it. */
  handle(m: PanelHostMessage): void {
    switch (m.method) {
      case 'panel/show':
        this.runs = m.params.runs;
        this.data.clear();
        this.epoch = undefined;
        this.cell = undefined;
        this.cellBox.hidden = true;
        this.cellBox.replaceChildren();
        this.stopPlaying();
        this.stale = true;
        if (this.active) this.requestAll();
        break;
      case 'run/metrics':
        // A new epoch record: its confusion line is written beside it.
        if (m.params.records.some((r) => r.type === 'epoch')) this.refreshSoon();
        break;
      case 'confusion/data':
        if (!this.runs.some((r) => r.id === m.params.id)) break;
        this.data.set(m.params.id, m.params);
        this.render();
        break;
      case 'confusion/images':
        if (m.params.requestId === this.requestId) this.renderCell(m.params);
        break;
    }
  }

  private requestAll(): void {
    this.stale = false;
    for (const r of this.runs) this.send({ method: 'confusion/request', params: { id: r.id } });
  }

  private refreshSoon(): void {
    this.stale = true;
    if (!this.active) return;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.requestAll(), 250);
  }

  /** The epochs any shown run has, in order: the slider's stops. */
  private epochs(): number[] {
    return [...new Set([...this.data.values()].flatMap((d) => d.records.map((r) => r.epoch)))].sort((a, b) => a - b);
  }

  private pickIndex(i: number): void {
    const epochs = this.epochs();
    this.epoch = i >= epochs.length - 1 ? undefined : epochs[i];
    this.render();
  }

  private togglePlay(): void {
    if (this.playing) return this.stopPlaying();
    const epochs = this.epochs();
    if (epochs.length < 2) return;
    let i = this.epoch === undefined ? 0 : Math.max(0, epochs.indexOf(this.epoch));
    this.root.querySelector('#confusion-play')!.textContent = 'Pause';
    this.pickIndex(i);
    this.playing = setInterval(() => {
      i++;
      this.pickIndex(i);
      if (i >= this.epochs().length - 1) this.stopPlaying(); // at the end: follows the run from here
    }, PLAY_MS);
  }

  private stopPlaying(): void {
    clearInterval(this.playing);
    this.playing = undefined;
    const play = this.root.querySelector('#confusion-play');
    if (play) play.textContent = 'Play';
  }

  render(): void {
    if (!this.active) return;
    const theme = this.theme();
    const epochs = this.epochs();
    const index = this.epoch === undefined ? epochs.length - 1 : epochs.indexOf(this.epoch);
    this.slider.max = String(Math.max(0, epochs.length - 1));
    this.slider.value = String(Math.max(0, index));
    this.slider.disabled = epochs.length < 2;
    const shown = epochs[index];
    this.root.querySelector('#confusion-epoch-label')!.textContent =
      shown === undefined ? '' : `${shown} of ${epochs.at(-1)}${this.epoch === undefined ? ' (latest)' : ''}`;
    this.body.replaceChildren();
    this.body.classList.toggle('compare', this.runs.length > 1);
    for (const run of this.runs) {
      const d = this.data.get(run.id);
      const column = document.createElement('div');
      column.className = 'confusion-run';
      column.dataset.run = run.id;
      this.body.appendChild(column);
      if (this.runs.length > 1) column.insertAdjacentHTML('beforeend', `<h3>${escape(runLabel(run, this.runs))}</h3>`);
      const record = d && [...d.records].reverse().find((r) => shown === undefined || r.epoch <= shown);
      if (!d || !record) {
        column.insertAdjacentHTML(
          'beforeend',
          '<p class="muted">No confusion matrix yet: it is written after each epoch.</p>',
        );
        continue;
      }
      const names = record.matrix.map((_, i) => d.classNames[i] ?? String(i));
      column.insertAdjacentHTML(
        'beforeend',
        `<p class="muted">Test set after epoch ${record.epoch} (iteration ${record.iteration.toLocaleString()}). Click a cell for its images.</p>`,
      );
      const pictures = document.createElement('div');
      pictures.className = 'confusion-pictures';
      column.appendChild(pictures);
      const selected =
        this.cell?.id === run.id ? ([this.cell.actual, this.cell.predicted] as [number, number]) : undefined;
      drawHeatmap(pictures, record, names, theme, {
        rates: this.rates,
        compact: this.runs.length > 1,
        selected,
        onCell: (actual, predicted) => this.openCell({ id: run.id, epoch: record.epoch, actual, predicted, offset: 0 }),
      });
      drawClassErrors(pictures, d.records, names, theme, record.epoch);
    }
    document.body.dataset.confusionEpoch = String(shown ?? '');
  }

  private openCell(cell: Cell): void {
    this.cell = cell;
    this.send({ method: 'confusion/images', params: { requestId: ++this.requestId, ...cell } });
    this.render();
  }

  private renderCell(r: CellImages): void {
    const d = this.data.get(r.id);
    const names = d?.classNames ?? [];
    const name = (c: number) => escape(names[c] ?? String(c));
    const box = this.cellBox;
    box.hidden = false;
    box.dataset.actual = String(r.actual);
    box.dataset.predicted = String(r.predicted);
    box.dataset.total = String(r.total);
    const page = r.total > CELL_PAGE ? ` (${r.offset + 1}–${r.offset + r.images.length})` : '';
    box.innerHTML = `<h3>${name(r.actual)} predicted as ${name(r.predicted)}: ${r.total} test image${r.total === 1 ? '' : 's'}${page}, epoch ${r.epoch}</h3>`;
    if (r.error) {
      box.insertAdjacentHTML('beforeend', `<p class="muted">${escape(r.error)}</p>`);
      return;
    }
    const grid = document.createElement('div');
    grid.className = 'thumbs';
    for (const image of r.images) grid.appendChild(drawThumbnail(image, r.shape, names));
    box.appendChild(grid);
    const pager = document.createElement('div');
    pager.className = 'toolbar';
    const move = (label: string, offset: number, enabled: boolean) => {
      const b = document.createElement('button');
      b.textContent = label;
      b.disabled = !enabled;
      b.addEventListener('click', () => this.openCell({ ...this.cell!, offset }));
      pager.appendChild(b);
    };
    if (r.total > CELL_PAGE) {
      move('Previous', Math.max(0, r.offset - CELL_PAGE), r.offset > 0);
      move('Next', r.offset + CELL_PAGE, r.offset + CELL_PAGE < r.total);
      box.appendChild(pager);
    }
    box.scrollIntoView({ block: 'nearest' });
  }
}
