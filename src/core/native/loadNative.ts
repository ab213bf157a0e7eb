// Loads @tensorflow/tfjs-node from where setup-native built it (detectNative's
// tfjsNodeDir()) into a process whose tfjs is bundled into its own script.
//
// tfjs-node does `require('@tensorflow/tfjs')` (and, in one kernel,
// '@tensorflow/tfjs-core') and registers its 'tensorflow' backend and kernels
// with whatever that returns. Left alone, Node would load the copy npm put
// beside tfjs-node: a second engine, a second kernel registry, and models built
// with the trainer's tf would never see the native backend. So, for requests
// coming from files inside the tfjs-node package, those two names resolve to
// one require.cache entry whose exports are the tf handed in: exactly one tf
// instance per process, whichever copy of tfjs the process was started with.
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { tfjsNodeDir } from './detectNative';

/** Module names tfjs-node's own files require and must share with the caller. */
export const SHARED_TF_MODULES = ['@tensorflow/tfjs', '@tensorflow/tfjs-core'];
/** The require.cache key standing for the caller's tf (never a real file). */
const SHARED_ID = '\0resnet-lab:shared-tfjs';

interface ModuleInternals {
  _cache: Record<string, unknown>;
  _resolveFilename: (
    this: unknown,
    request: string,
    parent: { filename?: string } | undefined,
    ...rest: unknown[]
  ) => string;
}

let hooked: { dir: string; tf: unknown } | undefined;

/**
 * Makes `require('@tensorflow/tfjs')` from inside `pkgDir` return `tf`. Only one
 * tf per process is allowed: a second call with another tf or package throws.
 */
export function shareTfWith(tf: unknown, pkgDir: string): void {
  // Node records modules under their real path: compare against that.
  const dir = fs.realpathSync(pkgDir) + path.sep;
  if (hooked) {
    if (hooked.tf !== tf || hooked.dir !== dir)
      throw new Error('resnet-lab: tfjs-node is already bound to another tf instance or folder');
    return;
  }
  hooked = { dir, tf };
  const M = Module as unknown as ModuleInternals;
  M._cache[SHARED_ID] = { id: SHARED_ID, filename: SHARED_ID, loaded: true, exports: tf, children: [], paths: [] };
  const resolve = M._resolveFilename;
  M._resolveFilename = function (request, parent, ...rest) {
    if (SHARED_TF_MODULES.includes(request) && parent?.filename?.startsWith(dir)) return SHARED_ID;
    return resolve.call(this, request, parent, ...rest);
  };
}

/**
 * Requires tfjs-node from `dir` (default: tfjsNodeDir()) sharing `tf`, which
 * makes 'tensorflow' a registered backend of that tf. Throws if there is none.
 */
export function loadTfjsNode(tf: typeof tfjs, dir = tfjsNodeDir()): unknown {
  if (!dir)
    throw new Error(
      '@tensorflow/tfjs-node is not set up (run "ResNet Lab: Set Up Native Backend" or "resnet-lab setup-native")',
    );
  shareTfWith(tf, dir);
  // A computed path: bundlers leave it alone, Node resolves it at run time.
  return Module.createRequire(path.join(dir, 'package.json'))(dir);
}
