// Types of vsixContents.mjs's exports, for test/unit/package.test.ts.
export interface VsixBudget {
  maxFiles: number;
  maxBytes: number;
}

export interface ZipEntry {
  name: string;
  size: number;
  compressedSize: number;
  /** The uncompressed bytes, read when asked. */
  data(): Buffer;
}

export interface VsixCheck {
  file: string;
  files: number;
  bytes: number;
  entries: Omit<ZipEntry, 'data'>[];
  problems: string[];
}

export const BUDGET: VsixBudget;
export function readZip(file: string): ZipEntry[];
export function checkVsix(file: string, budget?: VsixBudget): VsixCheck;
export function describeVsix(r: VsixCheck): string;
