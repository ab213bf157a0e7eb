// The distributions tab's data on the host: a shown run's distributions.jsonl,
// tailed (read whole once, then what was appended), answered as a view a chart
// wide. Asked for by the webview when the tab shows and as the run grows, so a
// panel that never opens the tab never reads the file.
import * as path from 'node:path';
import { DistributionRecord, DistributionRecordSchema } from '../core/distributions/records';
import { distributionView } from '../core/distributions/view';
import { JsonlTail } from '../core/runs/follow';
import { DISTRIBUTIONS } from '../core/runs/runFiles';
import type { DistributionView } from '../protocol/distributions';
import type { PanelRun } from './panelData';

interface Read {
  tail: JsonlTail<DistributionRecord>;
  records: DistributionRecord[];
}

const reads = new WeakMap<PanelRun, Read>();

/** The run's distributions so far; undefined when it has no folder or recorded none. */
export function distributionsOf(run: PanelRun): DistributionView | undefined {
  if (!run.dir) return undefined;
  let read = reads.get(run);
  if (!read || read.tail.file !== path.join(run.dir, DISTRIBUTIONS)) {
    read = { tail: new JsonlTail(path.join(run.dir, DISTRIBUTIONS), DistributionRecordSchema), records: [] };
    reads.set(run, read);
  }
  const fresh = read.tail.read();
  if (fresh.reset) read.records = [];
  read.records.push(...fresh.records);
  return read.records.length ? distributionView(read.records) : undefined;
}
