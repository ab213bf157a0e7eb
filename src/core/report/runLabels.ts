// What a run is called in titles and legends, shared by the report, the SVG
// charts and the CLI.
import type { RunInfo } from '../runs/runFolder';

/** The name a run goes by in legends: its model and depth, e.g. "resnet56 (56 layers)". */
export function runLabel(info: RunInfo): string {
  const name = info.summary?.name ?? info.experiment;
  return `${name}${info.summary?.depth ? ` (${info.summary.depth} layers)` : ''}`;
}

/** Legend labels for several runs; runs of the same model are told apart by experiment or run id. */
export function runLabels(infos: RunInfo[]): string[] {
  const base = infos.map(runLabel);
  return base.map((l, i) => {
    if (base.filter((x) => x === l).length === 1) return l;
    const sameExperiment = infos.filter((x, j) => base[j] === l && x.experiment === infos[i].experiment).length > 1;
    return `${l} · ${sameExperiment ? infos[i].id : infos[i].experiment}`;
  });
}
