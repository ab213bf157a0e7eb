// Which run folders a webview may ask the host to open. A webview's message
// is never taken as a path: `run/open { id }` used to carry any absolute path,
// and the host read run.json / metrics.jsonl from anywhere (and a lesion
// study could later write there). The host now registers every run it shows
// a webview (the side view's list, live runs) or the user picked in a dialog,
// and opens only those, by id. No vscode import: unit-tested.
import * as path from 'node:path';

export class KnownRuns {
  private readonly byId = new Map<string, string>();

  /** The host offers this run to a webview under `id`. */
  allow(id: string, runDir: string): void {
    this.byId.set(id, path.resolve(runDir));
  }

  /** Every run of a list the host is about to post. */
  allowViews(views: { id: string; runDir?: string }[]): void {
    for (const v of views) if (v.runDir) this.allow(v.id, v.runDir);
  }

  /** The folder of a run the host offered; undefined for anything else (a path made up by a webview). */
  resolve(id: string): string | undefined {
    return this.byId.get(id);
  }

  /** The folders of `ids` the host offered; the rest is dropped. */
  resolveAll(ids: string[]): string[] {
    return ids.map((id) => this.resolve(id)).filter((d): d is string => d !== undefined);
  }
}
