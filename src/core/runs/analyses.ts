// The analyses a run folder keeps: the lesion study (lesion.json), the
// layer responses (responses.json) and the gradient by path length (paths.json), written by the trainer's `analyze`
// command and read by the report, the CLI and the panel, all through the
// protocol's schemas. Each file also says which checkpoint it was computed on.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  LesionResult,
  LesionResultSchema,
  PathsResult,
  PathsResultSchema,
  ResponsesResult,
  ResponsesResultSchema,
} from '../../protocol/trainer';
import type { RunAnalyses } from '../../protocol/webview';
import { LESION_JSON, PATHS_JSON, RESPONSES_JSON } from './runFiles';
import { RunFolderError } from './runErrors';
import { writeFileAtomic } from './runFolder';

/** Where a stored analysis comes from. */
export interface AnalysisStamp {
  checkpoint: 'latest' | 'best';
  iteration: number;
  computedAt: string;
}

interface Schema<T> {
  safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } };
}

/** A stored analysis, validated; undefined when the run has none, a RunFolderError naming the file when it is damaged. */
function readResult<T>(runDir: string, file: string, what: string, schema: Schema<T>): T | undefined {
  const p = path.join(runDir, file);
  if (!fs.existsSync(p)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(p, 'utf8'));
  } catch (e) {
    throw new RunFolderError(`${p} is not valid JSON: ${(e as Error).message}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success)
    throw new RunFolderError(`${p} does not look like a ${what} result: ${r.error.message.slice(0, 300)}`);
  return r.data;
}

export const readLesion = (runDir: string): LesionResult | undefined =>
  readResult(runDir, LESION_JSON, 'lesion', LesionResultSchema);
export const readResponses = (runDir: string): ResponsesResult | undefined =>
  readResult(runDir, RESPONSES_JSON, 'responses', ResponsesResultSchema);
export const readPaths = (runDir: string): PathsResult | undefined =>
  readResult(runDir, PATHS_JSON, 'path gradient', PathsResultSchema);

/** The analyses for the panel, which shows what it can: a missing or damaged file is left out. */
export function readAnalyses(runDir: string): RunAnalyses {
  const orNothing = <T>(read: (dir: string) => T | undefined): T | undefined => {
    try {
      return read(runDir);
    } catch {
      return undefined;
    }
  };
  return { lesion: orNothing(readLesion), responses: orNothing(readResponses), paths: orNothing(readPaths) };
}

const write = (runDir: string, file: string, result: object, stamp: AnalysisStamp) =>
  writeFileAtomic(path.join(runDir, file), JSON.stringify({ ...result, ...stamp }, null, 2));

export const writeLesion = (runDir: string, result: LesionResult, stamp: AnalysisStamp): void =>
  write(runDir, LESION_JSON, result, stamp);
export const writeResponses = (runDir: string, result: ResponsesResult, stamp: AnalysisStamp): void =>
  write(runDir, RESPONSES_JSON, result, stamp);
export const writePaths = (runDir: string, result: PathsResult, stamp: AnalysisStamp): void =>
  write(runDir, PATHS_JSON, result, stamp);
