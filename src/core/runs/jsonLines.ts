// Reading .jsonl files, the one way every reader of a run folder does it: the
// panel, the side view and the CLI's progress tail growing files, and the
// report, the CSV export and the CLI read whole ones, all through JsonlTail, so
// a line is taken or skipped by the same rules whoever reads it. The record
// shapes are the callers' (metricRecords.ts); nothing here knows them.
import * as fs from 'node:fs';

export interface LineChecks {
  safeParse(v: unknown): { success: boolean };
}

/** Records read from a .jsonl file, and how many of its lines could not be read (torn, not JSON, or not a record). */
export interface JsonLines<T> {
  records: T[];
  skipped: number;
}

/**
 * One line of JSON. Python's json module (the Keras engine's train.py) writes
 * NaN and Infinity as bare literals, which JSON has not: they read as null, as
 * the trainer writes them. Undefined when the line is not JSON even so.
 */
export function parseJsonLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    // Outside strings only: a layer named "NaN" stays a name.
    const replaced = line.replace(
      /("(?:[^"\\]|\\.)*")|-?\b(?:NaN|Infinity)\b/g,
      (m, str: string | undefined) => str ?? 'null',
    );
    try {
      return replaced === line ? undefined : JSON.parse(replaced);
    } catch {
      return undefined;
    }
  }
}

/**
 * The records of some .jsonl text, and a count of the lines skipped: a torn
 * line (the writer was killed mid-write), or one the schema rejects. The
 * parsed object itself is kept (not the schema's copy), so fields this version
 * does not know survive. Whole files (readJsonLines) and tails of growing ones
 * (follow.ts) are read through it alike.
 */
export function parseJsonLinesCounted<T>(text: string, schema?: LineChecks): JsonLines<T> {
  const records: T[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const value = parseJsonLine(line);
    if (value !== undefined && (!schema || schema.safeParse(value).success)) records.push(value as T);
    else skipped++;
  }
  return { records, skipped };
}

export const parseJsonLines = <T>(text: string, schema?: LineChecks): T[] =>
  parseJsonLinesCounted<T>(text, schema).records;

/** What one read of a tail found. */
export interface TailRead<T> extends JsonLines<T> {
  /** The file was replaced, truncated or removed since the last read: `records` are everything in it from the start. */
  reset: boolean;
  /** Bytes were appended, whole lines or not (a writer is active). */
  grew: boolean;
}

/** How many bytes before the read position are checked again: a file rewritten in place no longer has them there. */
const CHECK_BYTES = 64;

/** Reads the complete lines appended to a .jsonl file since the last read. */
export class JsonlTail<T> {
  private offset = 0;
  /** Bytes after the last newline: a line still being written. */
  private partial: Buffer = Buffer.alloc(0);
  /** The last bytes read, ending at `offset`. */
  private seen: Buffer = Buffer.alloc(0);
  private ino: number | undefined;

  constructor(
    readonly file: string,
    private readonly checks?: LineChecks,
  ) {}

  /**
   * The records of the lines completed since the last call. `reset`: the file
   * was replaced, truncated or removed since, and `records` are everything in
   * it from the start (nothing when it is gone).
   */
  read(): TailRead<T> {
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      const reset = this.offset > 0;
      this.clear();
      return { records: [], skipped: 0, reset, grew: false };
    }
    try {
      const st = fs.fstatSync(fd);
      let reset = false;
      if ((this.ino !== undefined && st.ino !== this.ino) || st.size < this.offset || !this.unchangedBefore(fd)) {
        reset = this.offset > 0;
        this.clear();
      }
      this.ino = st.ino;
      if (st.size === this.offset) return { records: [], skipped: 0, reset, grew: false };
      const chunk = Buffer.alloc(st.size - this.offset);
      let got = 0;
      while (got < chunk.length) {
        const n = fs.readSync(fd, chunk, got, chunk.length - got, this.offset + got);
        if (n === 0) break; // truncated between the stat and the read: the next call sees it
        got += n;
      }
      const fresh = chunk.subarray(0, got);
      this.offset += got;
      this.seen = Buffer.from(Buffer.concat([this.seen, fresh]).subarray(-CHECK_BYTES));
      const data = Buffer.concat([this.partial, fresh]);
      const end = data.lastIndexOf(0x0a);
      this.partial = Buffer.from(data.subarray(end + 1));
      const lines =
        end < 0
          ? { records: [], skipped: 0 }
          : parseJsonLinesCounted<T>(data.subarray(0, end).toString('utf8'), this.checks);
      return { ...lines, reset, grew: got > 0 };
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * Everything not read yet, as a reader of a whole file wants it: a last line
   * without its newline is taken too (a file another tool wrote), or counted
   * as skipped when it is torn.
   */
  readToEnd(): JsonLines<T> {
    const r = this.read();
    if (this.partial.length === 0) return { records: r.records, skipped: r.skipped };
    const last = parseJsonLinesCounted<T>(this.partial.toString('utf8'), this.checks);
    this.partial = Buffer.alloc(0);
    return { records: [...r.records, ...last.records], skipped: r.skipped + last.skipped };
  }

  private unchangedBefore(fd: number): boolean {
    if (this.seen.length === 0) return true;
    const now = Buffer.alloc(this.seen.length);
    const n = fs.readSync(fd, now, 0, now.length, this.offset - this.seen.length);
    return n === now.length && now.equals(this.seen);
  }

  private clear(): void {
    this.offset = 0;
    this.partial = Buffer.alloc(0);
    this.seen = Buffer.alloc(0);
    this.ino = undefined;
  }
}
