// The side view's sweeps: each with k of n and its ETA, Cancel while it runs,
// and a click that opens its results view.
import type { SweepView } from '../../src/protocol/sweep';
import type { SidebarMessage } from '../../src/protocol/sidebar';

export function renderSweeps(root: HTMLElement, sweeps: SweepView[], send: (m: SidebarMessage) => void): void {
  root.hidden = sweeps.length === 0;
  const list = sweeps.map((s) => {
    const li = document.createElement('li');
    li.className = `run sweep${s.running ? ' status-running' : ''}`;
    li.dataset.sweep = s.id;
    const text = document.createElement('div');
    text.className = 'run-text';
    const name = document.createElement('div');
    name.className = 'run-name';
    name.textContent = `Sweep ${s.sweep} · ${s.file}`;
    const meta = document.createElement('div');
    meta.className = 'run-meta muted sweep-progress';
    meta.textContent = `${s.running ? 'running' : s.done === s.total ? 'done' : 'stopped'} · ${s.progress}`;
    const bar = document.createElement('progress');
    bar.max = s.total;
    bar.value = s.done;
    bar.className = 'sweep-bar';
    text.append(name, meta, bar);
    li.append(text);
    li.title = 'Open the results view';
    li.addEventListener('click', () => send({ method: 'sweep/open', params: { id: s.id } }));
    if (s.running) {
      const cancel = document.createElement('button');
      cancel.textContent = 'Cancel';
      cancel.className = 'sweep-cancel';
      cancel.title = 'Cancel the rest of this sweep (the running run stops with a checkpoint)';
      cancel.addEventListener('click', (e) => {
        e.stopPropagation();
        send({ method: 'sweep/cancel', params: { id: s.id } });
      });
      li.append(cancel);
    }
    return li;
  });
  root.querySelector('ul')!.replaceChildren(...list);
}
