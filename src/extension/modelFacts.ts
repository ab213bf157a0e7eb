// Model facts for the CodeLens and the hover: each experiment's summary
// (layers, parameters, shortcuts), from building it in the warm describe
// process (describeService.ts). Keyed by the text it was built from (hashed):
// the editor's text when the lens or hover gives it, else the file on disk;
// cached, one describe at a time; asking never waits: `get` answers from the
// cache and queues what is missing, and `onDidChange` fires when an answer
// arrives so the lenses are asked again. The live preview hands in what it
// built (`record`), so the lens follows the edits without a second build.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { ModelSummary } from '../protocol/graph';

/** Builds the experiment's model from `source` (the file on disk when absent) and returns its summary. */
export type Describe = (file: string, experiment: string, source?: string) => Promise<ModelSummary>;

interface Entry {
  version: string;
  done: Promise<ModelSummary | undefined>;
  summary?: ModelSummary;
}

const hash = (text: string | Buffer) => createHash('sha1').update(text).digest('hex');

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

  /** The summary of this text (else the saved file) if known; if not, undefined and a describe is queued. */
  get(file: string, experiment: string, text?: string): ModelSummary | undefined {
    return this.entry(file, experiment, text)?.summary;
  }

  /** The summary of this text (else the saved file), describing it if needed; undefined if it does not build. */
  async whenKnown(file: string, experiment: string, text?: string): Promise<ModelSummary | undefined> {
    return this.entry(file, experiment, text)?.done;
  }

  /** A summary built elsewhere (the live preview) from exactly this text. */
  record(file: string, experiment: string, text: string, summary: ModelSummary): void {
    const key = `${file}\0${experiment}`;
    const version = hash(text);
    const cached = this.cache.get(key);
    if (cached?.version === version && cached.summary) return;
    this.cache.set(key, { version, done: Promise.resolve(summary), summary });
    this.emitter.fire();
  }

  /** How many times the experiment was described here (once per version of its text it was asked about). */
  timesDescribed(file: string, experiment: string): number {
    return this.started.get(`${file}\0${experiment}`) ?? 0;
  }

  private entry(file: string, experiment: string, text?: string): Entry | undefined {
    if (!this.allowed()) return undefined;
    let version: string;
    try {
      version = hash(text ?? fs.readFileSync(file));
    } catch {
      return undefined; // not on disk (yet)
    }
    const key = `${file}\0${experiment}`;
    const cached = this.cache.get(key);
    if (cached?.version === version) return cached;
    const entry: Entry = { version, done: Promise.resolve(undefined) };
    // One describe at a time: a file of five experiments must not queue five at once in front of the preview.
    entry.done = this.queue.then(async () => {
      // Replaced while queued: by a newer text (nothing to say), or by the preview's build of this one.
      const current = this.cache.get(key);
      if (current !== entry) return current?.version === version ? current.summary : undefined;
      this.started.set(key, (this.started.get(key) ?? 0) + 1);
      try {
        entry.summary = await this.describe(file, experiment, text);
      } catch {
        // A model that does not build has no facts; the preview and training report why, at its line.
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
