// One id per run, whatever wrote it (a trainer of this window, a CLI run, a
// train.py), and the only name for a run a webview ever sees: `run-<n>`. A
// webview's message is never taken as a path: `run/open { id }` used to carry
// any absolute path, and the host read run.json / metrics.jsonl from anywhere
// (and a lesion study could later write there). Ids are made by the host for
// folders it lists, shows or was handed by the user, so a webview can only
// name one of those. No vscode import: unit-tested.
import * as path from 'node:path';

export class RunIds {
  /** id -> its folder; undefined while a run of this window has none yet (building its model). */
  private readonly dirById = new Map<string, string | undefined>();
  private readonly idByDir = new Map<string, string>();
  private next = 0;

  /** An id for a run that has no folder yet: a run of this window that is starting. */
  reserve(): string {
    const id = `run-${++this.next}`;
    this.dirById.set(id, undefined);
    return id;
  }

  /** The folder of a reserved id, once its trainer made it. */
  bind(id: string, runDir: string): void {
    const dir = path.resolve(runDir);
    this.dirById.set(id, dir);
    this.idByDir.set(dir, id);
  }

  /** The id of a run folder, made the first time it is asked for. */
  idOf(runDir: string): string {
    const dir = path.resolve(runDir);
    let id = this.idByDir.get(dir);
    if (!id) {
      id = this.reserve();
      this.bind(id, dir);
    }
    return id;
  }

  /** The folder of an id the host made; undefined for anything else (a path or name made up by a webview). */
  dirOf(id: string): string | undefined {
    return this.dirById.get(id);
  }

  /** The folders of `ids` the host made; the rest is dropped. */
  dirsOf(ids: string[]): string[] {
    return ids.map((id) => this.dirOf(id)).filter((d): d is string => d !== undefined);
  }
}

/** The window's ids (the panel, the side view and the run manager name runs alike). */
export const runIds = new RunIds();
