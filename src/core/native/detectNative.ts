// Cheap check for the native TensorFlow backend, without loading TensorFlow.
//
// Where it lives: setup-native installs and builds @tensorflow/tfjs-node in
// nativeRoot() (~/.cache/resnet-lab/native by default), outside the extension,
// because VS Code replaces the extension's folder on every update and the
// packaged extension ships no node_modules. tfjsNodeDir() is the one place
// that says which tfjs-node the trainer uses (anything built beside its
// binding, such as a second addon in its lib/, should be found through it):
// the one in nativeRoot(), else one that `require` finds from the project
// (a development checkout where npm installed it).
//
// How the trainer loads it: src/core/native/loadNative.ts, which makes
// tfjs-node's own require('@tensorflow/tfjs') return the trainer's bundled tf
// (one tf instance per process).
//  - No LD_LIBRARY_PATH is needed. The binding (lib/napi-v8/tfjs_binding.node)
//    records NEEDED libtensorflow_cc.so.2 + libtensorflow_framework.so.2 and
//    RUNPATH $ORIGIN/../../deps/lib; setupNative puts symlinks with exactly those
//    names in deps/lib, pointing into the Python wheel. The loader follows them.
//    If the Python environment is moved or deleted the links dangle and the
//    require throws "libtensorflow_cc.so.2: cannot open shared object file";
//    nativeBackendAvailable() then returns false and setupNative rebuilds.
//  - Set TF_CPP_MIN_LOG_LEVEL=2 in the trainer's environment to silence
//    TensorFlow's start-up banner on stderr (optional).
//  - The binding is N-API (napi-v8): built once, it loads in Node 20+ and in
//    Electron without a rebuild.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const PKG_JSON = '@tensorflow/tfjs-node/package.json';

/**
 * The folder setup-native installs tfjs-node into (its node_modules/ holds it):
 * $RESNET_LAB_NATIVE_DIR, else $XDG_CACHE_HOME/resnet-lab/native, else
 * ~/.cache/resnet-lab/native. Shared by the CLI and every installed version
 * of the extension.
 */
export function nativeRoot(): string {
  if (process.env.RESNET_LAB_NATIVE_DIR) return path.resolve(process.env.RESNET_LAB_NATIVE_DIR);
  const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cache, 'resnet-lab', 'native');
}

/** Where setup-native puts the tfjs-node package. */
export function installedTfjsNodeDir(root = nativeRoot()): string {
  return path.join(root, 'node_modules', '@tensorflow', 'tfjs-node');
}

/** tfjs-node folders worth trying, best first: setup-native's, then what `require` finds from `from`. */
function candidates(from?: string): string[] {
  const out = [installedTfjsNodeDir()];
  const paths = [from, process.cwd(), __dirname].filter((p): p is string => !!p);
  try {
    out.push(path.dirname(require.resolve(PKG_JSON, { paths })));
  } catch {
    /* not installed beside the project */
  }
  return [...new Set(out)].filter((d) => fs.existsSync(path.join(d, 'package.json')));
}

/**
 * The tfjs-node package folder the trainer loads: the first candidate with a
 * working binding, else the first that exists (built or not), else undefined.
 */
export function tfjsNodeDir(from?: string): string | undefined {
  const all = candidates(from);
  return all.find((d) => builtBinding(d) !== undefined) ?? all[0];
}

/**
 * Path of the built tfjs_binding.node if it is there and the TensorFlow
 * libraries it links resolve (symlinks not dangling); otherwise undefined.
 */
export function nativeBindingPath(from?: string): string | undefined {
  const dir = tfjsNodeDir(from);
  return dir ? builtBinding(dir) : undefined;
}

function builtBinding(dir: string): string | undefined {
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
