// Cheap check for the native TensorFlow backend, without loading TensorFlow.
//
// How the trainer loads it: a plain `require('@tensorflow/tfjs-node')`, after
// (or instead of) importing '@tensorflow/tfjs' — see src/core/backend/select.ts.
//  - No LD_LIBRARY_PATH is needed. The binding (lib/napi-v8/tfjs_binding.node)
//    records NEEDED libtensorflow_cc.so.2 + libtensorflow_framework.so.2 and
//    RUNPATH $ORIGIN/../../deps/lib; setupNative puts symlinks with exactly those
//    names in deps/lib, pointing into the Python wheel. The loader follows them.
//    If the Python environment is moved or deleted the links dangle and the
//    require throws "libtensorflow_cc.so.2: cannot open shared object file";
//    nativeBackendAvailable() then returns false and setupNative rebuilds.
//  - tfjs-node keeps '@tensorflow/*' external (scripts/build.mjs already does):
//    it must be required from node_modules, never bundled.
//  - It requires '@tensorflow/tfjs' itself; npm dedupes that to the project's
//    copy (both 4.22.0), so there is still one tf instance per process. Loading
//    it registers the 'tensorflow' backend (priority 3) and makes it the default.
//  - Set TF_CPP_MIN_LOG_LEVEL=2 in the trainer's environment to silence
//    TensorFlow's start-up banner on stderr (optional).
//  - The binding is N-API (napi-v8): built once, it loads in Node 20+ and in
//    Electron without a rebuild.
import * as fs from 'node:fs';
import * as path from 'node:path';

const PKG_JSON = '@tensorflow/tfjs-node/package.json';

/** The tfjs-node package folder that `require('@tensorflow/tfjs-node')` from `from` would use, if any. */
export function tfjsNodeDir(from?: string): string | undefined {
  const paths = [from, process.cwd(), __dirname].filter((p): p is string => !!p);
  try {
    return path.dirname(require.resolve(PKG_JSON, { paths }));
  } catch {
    return undefined;
  }
}

/**
 * Path of the built tfjs_binding.node if it is there and the TensorFlow
 * libraries it links resolve (symlinks not dangling); otherwise undefined.
 */
export function nativeBindingPath(from?: string): string | undefined {
  const dir = tfjsNodeDir(from);
  if (!dir) return undefined;
  const lib = path.join(dir, 'lib');
  let candidates: string[];
  try {
    candidates = fs
      .readdirSync(lib)
      .filter((d) => /^napi-v\d+$/.test(d))
      .sort((a, b) => Number(b.slice(6)) - Number(a.slice(6)))
      .map((d) => path.join(lib, d, 'tfjs_binding.node'));
  } catch {
    return undefined;
  }
  const binding = candidates.find((f) => fs.existsSync(f));
  if (!binding) return undefined;
  // existsSync follows symlinks: false when the wheel they point into is gone.
  const deps = path.join(dir, 'deps', 'lib');
  const libsOk =
    (fs.existsSync(path.join(deps, 'libtensorflow_cc.so.2')) || fs.existsSync(path.join(deps, 'libtensorflow.so.2'))) &&
    fs.existsSync(path.join(deps, 'libtensorflow_framework.so.2'));
  return libsOk ? binding : undefined;
}

/**
 * True when `require('@tensorflow/tfjs-node')` should succeed: the binding has
 * been built and its TensorFlow libraries are in place. Does not load tf.
 */
export function nativeBackendAvailable(from?: string): boolean {
  return nativeBindingPath(from) !== undefined;
}

/**
 * Where setup-native puts the graph-mode addon (native/graph): beside tfjs-node's
 * own binding, so it follows tfjs-node wherever that is installed and links the
 * same TensorFlow through the same deps/lib symlinks.
 */
export function graphAddonPath(from?: string): string | undefined {
  const dir = tfjsNodeDir(from);
  return dir ? path.join(dir, 'lib', 'resnet-lab-graph.node') : undefined;
}
