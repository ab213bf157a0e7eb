// Summaries of run folders, read once and kept while their files stay as they
// were. A summary is keyed by run.json's and metrics.jsonl's size, time and
// inode (a resume rewrites metrics.jsonl by rename: a new inode), so a folder
// that changed is read again and the folder stays the one source of truth.
// A run still marked running is never kept: whether its trainer is alive is
// not in its files' times. The cache may be saved and loaded (the host keeps
// it between windows); what is loaded is checked like any data from disk.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { METRICS, RUN_JSON } from '../runs/runFiles';
import { readMetricTotals, readSummaryInfo, RunSummary, summarizeRun } from './runSummary';

const VERSION = 1;

function stamp(file: string): string {
  try {
    const s = fs.statSync(file);
    return `${s.size}:${s.mtimeMs}:${s.ino}`;
  } catch {
    return 'none';
  }
}

const folderStamp = (dir: string): string => `${stamp(path.join(dir, RUN_JSON))}|${stamp(path.join(dir, METRICS))}`;

interface Entry {
  stamp: string;
  summary: RunSummary;
}

const SavedSchema = z.object({
  version: z.literal(VERSION),
  entries: z.record(
    z.object({
      stamp: z.string(),
      // The summary's own fields are checked where they are shown; here, only that it is one.
      summary: z.object({ folder: z.string(), experiment: z.string(), status: z.string() }).passthrough(),
    }),
  ),
});

export interface ReadOutcome {
  summaries: { dir: string; summary: RunSummary }[];
  /** Folders with a run.json that could not be read: their messages. */
  unreadable: { dir: string; message: string }[];
  /** How many summaries came from the cache (the rest were read). */
  cached: number;
}

export class RunSummaryCache {
  private entries = new Map<string, Entry>();

  /** Loads what `save` wrote; anything that is not a saved cache starts empty. */
  static load(raw: unknown): RunSummaryCache {
    const cache = new RunSummaryCache();
    const parsed = SavedSchema.safeParse(raw);
    if (parsed.success)
      for (const [dir, e] of Object.entries(parsed.data.entries))
        cache.entries.set(dir, { stamp: e.stamp, summary: e.summary as unknown as RunSummary });
    return cache;
  }

  save(): unknown {
    return { version: VERSION, entries: Object.fromEntries(this.entries) };
  }

  get size(): number {
    return this.entries.size;
  }

  /** The summary of each run folder in `dirs`, from the cache while its files are unchanged. */
  read(dirs: string[]): ReadOutcome {
    const out: ReadOutcome = { summaries: [], unreadable: [], cached: 0 };
    const seen = new Set<string>();
    for (const dir of dirs) {
      seen.add(dir);
      const now = folderStamp(dir);
      const kept = this.entries.get(dir);
      if (kept && kept.stamp === now) {
        out.summaries.push({ dir, summary: kept.summary });
        out.cached++;
        continue;
      }
      try {
        const summary = summarizeRun(dir, readSummaryInfo(dir), readMetricTotals(dir));
        out.summaries.push({ dir, summary });
        if (summary.status === 'running') this.entries.delete(dir);
        else this.entries.set(dir, { stamp: now, summary });
      } catch (e) {
        this.entries.delete(dir);
        out.unreadable.push({ dir, message: (e as Error).message });
      }
    }
    // Folders no longer listed (deleted, archived) leave the cache.
    for (const dir of this.entries.keys()) if (!seen.has(dir)) this.entries.delete(dir);
    return out;
  }
}

/** Run folders directly under each runs folder (those with a run.json), each once. */
export function runFoldersUnder(roots: string[]): string[] {
  const dirs = new Set<string>();
  for (const root of roots) {
    let names: string[];
    try {
      names = fs.readdirSync(root);
    } catch {
      continue;
    }
    for (const name of names) {
      const dir = path.join(path.resolve(root), name);
      if (fs.existsSync(path.join(dir, RUN_JSON))) dirs.add(dir);
    }
  }
  return [...dirs];
}
