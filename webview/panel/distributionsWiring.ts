// What the panel's app does for the Distributions tab, in one place so that
// main.ts only calls in: ask the host for the data when the tab opens and as
// the shown runs grow, redraw when it came, and take clicks on the diagram's
// layers while the tab is open.
import type { DistributionView } from '../../src/protocol/distributions';
import type { Diagram } from './diagram';
import { DistributionsTab, DistributionsTabOptions } from './distributionsTab';

export interface DistributionsWiring extends DistributionsTabOptions {
  diagram: Diagram;
  activeTab: () => string;
  redraw: () => void;
}

export function wireDistributionsTab(o: DistributionsWiring) {
  const tab = new DistributionsTab(o);
  let dirty = true;
  const open = () => o.activeTab() === 'distributions';
  o.diagram.onLayerClick = (layer) => {
    if (!open()) return false;
    tab.select(layer);
    dirty = true;
    o.redraw();
    // After the redraw: bring the chosen layer's charts into view in the tab's own pane.
    requestAnimationFrame(() => o.host.querySelector('.dist-selected')?.scrollIntoView({ block: 'nearest' }));
    return true;
  };
  return {
    /** Other runs are shown: forget the old ones' data, and ask for the new ones' if the tab is open. */
    shown() {
      tab.clear();
      dirty = true;
      if (open()) tab.request(true);
    },
    /** A shown run gained records: ask again (at most once a second) while the tab is open. */
    grew() {
      if (open()) tab.request();
    },
    tabShown() {
      dirty = true;
      if (open()) tab.request(true);
    },
    received(id: string, view: DistributionView | undefined) {
      tab.set(id, view);
      dirty = true;
      o.redraw();
    },
    invalidate() {
      dirty = true;
    },
    renderIfDirty() {
      if (!dirty) return;
      dirty = false;
      tab.render();
    },
  };
}
