import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ResNetLabApi } from '../../src/extension/extension';

export const EXTENSION_ID = 'resnet-lab.resnet-lab';

export async function api(): Promise<ResNetLabApi> {
  const ext = vscode.extensions.getExtension<ResNetLabApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not loaded`);
  return ext.activate();
}

export function fixture(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
  return vscode.Uri.file(path.join(folder, name));
}

export async function until<T>(fn: () => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `until` for a check that has to await (e.g. a provider command). */
export async function untilAsync<T>(
  fn: () => Promise<T | undefined | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
