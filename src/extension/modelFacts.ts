// Model facts for the CodeLens and the hover: each experiment's summary
// (layers, parameters, shortcuts), from describing it in a trainer process.
// Once per saved version of the file (its bytes on disk, hashed), cached, one
// describe at a time; asking never waits: `get` answers from the cache and
// queues what is missing, and `onDidChange` fires when an answer arrives so
// the lenses are asked again.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { ModelSummary } from '../protocol/graph';

/** Builds the experiment's model and returns its summary (RunManager.describe). */
export type Describe = (file: string, experiment: string) => Promise<ModelSummary>;

interface Entry {
  version: string;
  done: Promise<ModelSummary | undefined>;
  summary?: ModelSummary;
}

export class ModelFacts implements vscode.Disposable {
  private readonly cache = new Map<string, Entry>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  /** Describes started per file and experiment, for the tests. */
  private readonly started = new Map<string, number>();

  constructor(
    private readonly describe: Describe,
    /** Describing runs workspace code: false in Restricted Mode. */
    private readonly allowed: () => boolean,
  ) {}

  /** The summary of the file's saved version if known; if not, undefined and a describe is queued. */
  get(file: string, experiment: string): ModelSummary | undefined {
    return this.entry(file, experiment)?.summary;
  }

  /** The summary of the file's saved version, describing it if needed; undefined if it does not build. */
  async whenKnown(file: string, experiment: string): Promise<ModelSummary | undefined> {
    return this.entry(file, experiment)?.done;
  }

  /** How many times the experiment was described (once per saved version it was asked about). */
  timesDescribed(file: string, experiment: string): number {
    return this.started.get(`${file}\0${experiment}`) ?? 0;
  }

  private entry(file: string, experiment: string): Entry | undefined {
    if (!this.allowed()) return undefined;
    let version: string;
    try {
      version = createHash('sha1').update(fs.readFileSync(file)).digest('hex');
    } catch {
      return undefined; // not on disk (yet)
    }
    const key = `${file}\0${experiment}`;
    const cached = this.cache.get(key);
    if (cached?.version === version) return cached;
    const entry: Entry = { version, done: Promise.resolve(undefined) };
    // One trainer process at a time: a file of five experiments must not start five at once.
    entry.done = this.queue.then(async () => {
      if (this.cache.get(key) !== entry) return undefined; // the file changed again while queued
      this.started.set(key, (this.started.get(key) ?? 0) + 1);
      try {
        entry.summary = await this.describe(file, experiment);
      } catch {
        // A model that does not build has no facts; training it reports why, at its line.
        return undefined;
      }
      this.emitter.fire();
      return entry.summary;
    });
    this.queue = entry.done;
    this.cache.set(key, entry);
    return entry;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
