// What the TypeScript server plugin (./index.ts) stands in for, shared with
// the extension and the tests so the names and paths are said once.
import * as path from 'node:path';

/** The plugin's package name: its folder is <extension>/node_modules/<name>/. */
export const PLUGIN_NAME = 'resnet-lab-ts-plugin';

/** Module name → the shipped declaration file that stands in for it (scripts/types.mjs). */
export function shippedDeclarations(extensionDir: string): Record<string, string> {
  const types = path.join(extensionDir, 'dist', 'types');
  return { 'resnet-lab': path.join(types, 'resnet-lab.d.ts'), '@tensorflow/tfjs': path.join(types, 'tfjs.d.ts') };
}
