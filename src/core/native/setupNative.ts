// Builds the native TensorFlow backend (@tensorflow/tfjs-node's N-API binding)
// against the TensorFlow that a Python `tensorflow` / `tensorflow-cpu` wheel
// ships, instead of the libtensorflow 2.9.1 tarball that tfjs-node's own
// install script downloads from Google's storage (unreachable offline).
//
// Why this works: the binding only calls TensorFlow's stable C and eager C
// APIs (TF_*, TFE_*; TF_TString_* are header-inline). The wheels export them
// all from libtensorflow_cc.so.2 + libtensorflow_framework.so.2 (checked for
// tensorflow-cpu 2.15.1 and 2.21.0) and ship the headers under
// tf.sysconfig.get_include(). We lay out tfjs-node's deps/ folder the way its
// binding.gyp expects, but as symlinks into the wheel:
//
//   deps/include                       -> <get_include()>
//   deps/lib/libtensorflow.so          -> <get_lib()>/libtensorflow_cc.so.2   (link time, -ltensorflow)
//   deps/lib/libtensorflow_framework.so-> <get_lib()>/libtensorflow_framework.so.2
//   deps/lib/libtensorflow_cc.so.2     -> same    (run time: the sonames the binding records)
//   deps/lib/libtensorflow_framework.so.2 -> same
//
// and run node-gyp. The binding's RUNPATH is $ORIGIN/../../deps/lib, so a plain
// require('@tensorflow/tfjs-node') finds the libraries with no LD_LIBRARY_PATH,
// as long as the Python environment stays where it is.
//
// Linux only (x64, arm64). No `vscode` import: the CLI and the extension share it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nativeRoot } from './detectNative';
import { ensureGraphAddon } from './graphAddon';
import { findBuildTools, nodeExecutable } from './buildTools';
import { firstLine, run, tail, which } from './processes';
import { findTensorFlow, missingSymbols } from './pythonTensorFlow';
import { verify } from './verifyNative';

export interface SetupNativeOptions {
  /**
   * Folder whose node_modules gets (or has) @tensorflow/tfjs-node. Default
   * nativeRoot() (detectNative.ts): outside the extension, which VS Code
   * replaces on every update, and where the trainer looks first.
   */
  projectDir?: string;
  /** Python interpreter with TensorFlow installed; tried before `python3` and `/usr/bin/python3`. */
  python?: string;
  /** Progress, one line at a time (build output included). */
  log: (line: string) => void;
  /** Rebuild even if a working binding is already there. */
  force?: boolean;
}

export interface SetupNativeResult {
  ok: true;
  /** TensorFlow version the binding reports (TF_Version()). */
  tfVersion: string;
  /** The built tfjs_binding.node that tfjs-node loads. */
  bindingPath: string;
  /** The graph-mode addon (src/core/train/graph), or why it could not be built (the backend then trains eagerly). */
  graphAddon: { ok: true; path: string } | { ok: false; error: string };
}

export const TFJS_NODE_VERSION = '4.22.0';
const PKG = '@tensorflow/tfjs-node';
const STAMP = 'resnet-lab-native.json';
/** C API functions the 4.22.0 binding calls, used when its sources cannot be read. */
const KNOWN_SYMBOLS = [
  'TFE_ContextListDevices',
  'TFE_DeleteContext',
  'TFE_DeleteContextOptions',
  'TFE_DeleteOp',
  'TFE_DeleteTensorHandle',
  'TFE_Execute',
  'TFE_NewContext',
  'TFE_NewContextOptions',
  'TFE_NewOp',
  'TFE_NewTensorHandle',
  'TFE_OpAddInput',
  'TFE_OpSetAttrBool',
  'TFE_OpSetAttrBoolList',
  'TFE_OpSetAttrFloat',
  'TFE_OpSetAttrFloatList',
  'TFE_OpSetAttrInt',
  'TFE_OpSetAttrIntList',
  'TFE_OpSetAttrShape',
  'TFE_OpSetAttrString',
  'TFE_OpSetAttrType',
  'TFE_TensorHandleCopyToDevice',
  'TFE_TensorHandleDataType',
  'TFE_TensorHandleDim',
  'TFE_TensorHandleNumDims',
  'TFE_TensorHandleResolve',
  'TF_AllocateTensor',
  'TF_DataTypeSize',
  'TF_DeleteBuffer',
  'TF_DeleteDeviceList',
  'TF_DeleteGraph',
  'TF_DeleteSession',
  'TF_DeleteSessionOptions',
  'TF_DeleteStatus',
  'TF_DeleteTensor',
  'TF_DeviceListCount',
  'TF_DeviceListName',
  'TF_DeviceListType',
  'TF_Dim',
  'TF_GetCode',
  'TF_GraphOperationByName',
  'TF_LoadSessionFromSavedModel',
  'TF_Message',
  'TF_NewBuffer',
  'TF_NewBufferFromString',
  'TF_NewGraph',
  'TF_NewSessionOptions',
  'TF_NewStatus',
  'TF_NewTensor',
  'TF_NumDims',
  'TF_SessionRun',
  'TF_TensorByteSize',
  'TF_TensorData',
  'TF_TensorElementCount',
  'TF_TensorType',
  'TF_Version',
];
/** Names in the binding sources that are not library exports: its own RAII classes, header-inline helpers. */
const NOT_EXPORTS = /^(TF_AutoStatus|TF_AutoTensor|TFE_AutoOp|TF_TString_\w+)$/;

export async function setupNative(opts: SetupNativeOptions): Promise<SetupNativeResult> {
  const { log } = opts;
  const projectDir = path.resolve(opts.projectDir ?? nativeRoot());
  if (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch)) {
    throw new Error(
      `The native backend can only be built from a TensorFlow wheel on Linux (x64/arm64); this is ${process.platform}/${process.arch}. ` +
        `Use the wasm backend here, or "npm install ${PKG}@${TFJS_NODE_VERSION}" with internet access.`,
    );
  }
  if (!fs.existsSync(path.join(projectDir, 'package.json'))) {
    // A folder of its own (nativeRoot()): npm installs into the nearest package.json's folder.
    fs.mkdirSync(projectDir, { recursive: true });
    fs.writeFileSync(
      path.join(projectDir, 'package.json'),
      JSON.stringify(
        { name: 'resnet-lab-native', private: true, description: 'tfjs-node built by resnet-lab setup-native' },
        null,
        2,
      ) + '\n',
    );
  }
  const node = nodeExecutable();

  // 1. @tensorflow/tfjs-node's JS and binding sources, without its install script.
  const pkgDir = await ensurePackage(projectDir, log);
  const depsDir = path.join(pkgDir, 'deps');
  const expectedBinding = bindingPathFor(pkgDir, await napiVersionOf(node));

  // 2. Already built and working? Then there is nothing to do.
  if (!opts.force && fs.existsSync(expectedBinding)) {
    log(`Checking the existing binding ${expectedBinding} ...`);
    const check = await verify(node, projectDir);
    if (check.ok) {
      const stamp = readStamp(depsDir);
      log(`Native backend already works: TensorFlow ${check.tfVersion}${stamp ? ` from ${stamp.lib}` : ''}.`);
      const graphAddon = await graphAddonFor(node, pkgDir, stamp?.python ?? 'python3', log);
      return { ok: true, tfVersion: check.tfVersion, bindingPath: check.bindingPath, graphAddon };
    }
    log(`The existing binding does not work (${firstLine(check.error)}); rebuilding.`);
  }

  // 3. A Python with TensorFlow, its libraries and headers.
  const tf = await findTensorFlow(opts.python, log);
  log(`Using TensorFlow ${tf.version} from ${tf.python} (libraries ${tf.lib}).`);
  const libCc = path.join(tf.lib, 'libtensorflow_cc.so.2');
  const libFw = path.join(tf.lib, 'libtensorflow_framework.so.2');
  const needed = [
    libCc,
    libFw,
    ...['c/c_api.h', 'c/eager/c_api.h', 'core/platform/ctstring_internal.h'].map((h) =>
      path.join(tf.include, 'tensorflow', h),
    ),
  ];
  const absent = needed.filter((f) => !fs.existsSync(f));
  if (absent.length) {
    throw new Error(
      `TensorFlow ${tf.version} in ${tf.python} lacks files the binding needs: ${absent.join(', ')}. ` +
        `Install a full wheel: "${tf.python}" -m pip install --force-reinstall tensorflow-cpu`,
    );
  }

  // 4. Every C API function the binding calls must be exported.
  const symbols = bindingSymbols(pkgDir);
  const missing = await missingSymbols(tf.python, [libCc, libFw], symbols);
  if (missing.length) {
    throw new Error(
      `TensorFlow ${tf.version} (${tf.lib}) does not export ${missing.length} C API function(s) that ${PKG} needs: ${missing.join(', ')}. ` +
        `Install a wheel that does (tested: tensorflow-cpu 2.15.1 and 2.21.0): "${tf.python}" -m pip install "tensorflow-cpu>=2.15"`,
    );
  }
  log(`All ${symbols.length} TF_/TFE_ functions the binding calls are exported.`);

  // 5. Tools node-gyp needs.
  const tools = findBuildTools(node, tf.python);

  // 6. deps/ as symlinks into the wheel (replacing whatever was there).
  fs.rmSync(depsDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(depsDir, 'lib'), { recursive: true });
  fs.symlinkSync(tf.include, path.join(depsDir, 'include'));
  const links: [string, string][] = [
    ['libtensorflow.so', libCc],
    ['libtensorflow_cc.so.2', libCc],
    ['libtensorflow_framework.so', libFw],
    ['libtensorflow_framework.so.2', libFw],
  ];
  for (const [name, target] of links) fs.symlinkSync(target, path.join(depsDir, 'lib', name));
  log(`Linked ${depsDir} to the wheel.`);

  // 7. Build.
  const napi = napiFromPath(expectedBinding);
  const logFile = path.join(pkgDir, 'resnet-lab-native-build.log');
  const args = [
    ...tools.nodeGyp.args,
    'rebuild',
    '-j',
    '1',
    `--nodedir=${tools.nodeDir}`,
    `--python=${tf.python}`,
    '--module_name=tfjs_binding',
    `--module_path=${path.dirname(expectedBinding)}`,
    `--napi_build_version=${napi}`,
  ];
  fs.rmSync(expectedBinding, { force: true }); // never leave an old binding looking like a fresh one
  log(`Building: ${tools.nodeGyp.cmd} ${args.join(' ')}`);
  const started = Date.now();
  const build = await run(tools.nodeGyp.cmd, args, {
    cwd: pkgDir,
    env: { ...process.env, JOBS: '1', npm_config_yes: 'true', PYTHON: tf.python },
    timeoutMs: 15 * 60_000,
    onLine: log,
  });
  fs.writeFileSync(logFile, build.output);
  if (build.code !== 0 || !fs.existsSync(expectedBinding)) {
    throw new Error(
      `Building the tfjs-node binding failed (${build.error ?? `exit code ${build.code}`}); full log in ${logFile}. Last lines:\n` +
        tail(build.output, 30),
    );
  }
  log(`Built ${expectedBinding} in ${((Date.now() - started) / 1000).toFixed(0)} s.`);

  // 8. Load it in a fresh Node, run an op and a training step.
  const check = await verify(node, projectDir);
  if (!check.ok) {
    const hint = /undefined symbol/.test(check.error)
      ? ' (a symbol the binding needs is missing from this TensorFlow; try tensorflow-cpu 2.15–2.21)'
      : '';
    throw new Error(`The binding was built but does not work${hint}:\n${tail(check.error, 20)}`);
  }
  fs.writeFileSync(
    path.join(depsDir, STAMP),
    JSON.stringify(
      {
        tfVersion: tf.version,
        python: tf.python,
        lib: tf.lib,
        include: tf.include,
        tfjsNode: readVersion(pkgDir),
        napi,
        builtAt: new Date().toISOString(),
      },
      null,
      2,
    ),
  );
  log(`Native backend ready: TensorFlow ${check.tfVersion}.`);
  const graphAddon = await graphAddonFor(node, pkgDir, tf.python, log, true);
  return { ok: true, tfVersion: check.tfVersion, bindingPath: check.bindingPath, graphAddon };
}

/** The graph-mode addon next to the binding; its failure is reported, not thrown: eager training still works. */
async function graphAddonFor(
  node: string,
  pkgDir: string,
  python: string,
  log: (l: string) => void,
  force = false,
): Promise<SetupNativeResult['graphAddon']> {
  try {
    const tools = findBuildTools(node, python);
    const result = await ensureGraphAddon({
      pkgDir,
      node,
      nodeDir: tools.nodeDir,
      compiler: tools.compiler,
      log,
      force,
    });
    if (!result.ok) log(`Graph mode unavailable (the native backend will train eagerly): ${result.error}`);
    return result;
  } catch (e) {
    const error = firstLine((e as Error).message);
    log(`Graph mode unavailable (the native backend will train eagerly): ${error}`);
    return { ok: false, error };
  }
}

// ---------------------------------------------------------------- the package

async function ensurePackage(projectDir: string, log: (l: string) => void): Promise<string> {
  const pkgDir = path.join(projectDir, 'node_modules', ...PKG.split('/'));
  const ready = () =>
    fs.existsSync(path.join(pkgDir, 'binding.gyp')) && fs.existsSync(path.join(pkgDir, 'binding', 'tfjs_backend.cc'));
  if (ready()) {
    const v = readVersion(pkgDir);
    if (v !== TFJS_NODE_VERSION) log(`Note: found ${PKG}@${v}; this setup was tested with ${TFJS_NODE_VERSION}.`);
    return pkgDir;
  }
  const npm = which('npm');
  if (!npm) throw new Error(`${PKG} is not installed in ${projectDir} and npm is not on PATH to install it.`);
  const args = ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `${PKG}@${TFJS_NODE_VERSION}`];
  log(`Installing ${PKG} without its download script: npm ${args.join(' ')}`);
  const r = await run(npm, args, { cwd: projectDir, env: process.env, timeoutMs: 10 * 60_000, onLine: log });
  if (r.code !== 0 || !ready()) {
    throw new Error(
      `"npm ${args.join(' ')}" in ${projectDir} failed (${r.error ?? `exit code ${r.code}`}):\n${tail(r.output, 20)}`,
    );
  }
  return pkgDir;
}

function readVersion(pkgDir: string): string {
  try {
    return String(
      (JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: unknown }).version,
    );
  } catch {
    return 'unknown';
  }
}

/** Where @mapbox/node-pre-gyp's find() (what tfjs-node's index.js uses) looks for the binding. */
export function bindingPathFor(pkgDir: string, nodeNapi: number): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as {
    binary?: { napi_versions?: (number | string)[]; module_path?: string; module_name?: string };
  };
  const binary = pkg.binary ?? {};
  const versions = (binary.napi_versions ?? [8]).map(Number).filter((v) => v <= nodeNapi);
  const napi = versions.length ? Math.max(...versions) : 8;
  const modulePath = String(binary.module_path ?? './lib/napi-v{napi_build_version}').replace(
    '{napi_build_version}',
    String(napi),
  );
  return path.join(pkgDir, modulePath, `${binary.module_name ?? 'tfjs_binding'}.node`);
}

function napiFromPath(p: string): number {
  const m = /napi-v(\d+)/.exec(p);
  return m ? Number(m[1]) : 8;
}

async function napiVersionOf(node: string): Promise<number> {
  if (node === process.execPath && process.versions.napi) return Number(process.versions.napi);
  const r = await run(node, ['-p', 'process.versions.napi'], { timeoutMs: 30_000 });
  const v = Number(r.output.trim().split('\n').pop());
  return Number.isFinite(v) && v > 0 ? v : 8;
}

/** The binding's TF_/TFE_ calls, read from its sources (falls back to the list for 4.22.0). */
function bindingSymbols(pkgDir: string): string[] {
  const dir = path.join(pkgDir, 'binding');
  const found = new Set<string>();
  try {
    for (const f of fs.readdirSync(dir)) {
      if (!/\.(cc|h)$/.test(f)) continue;
      const src = fs.readFileSync(path.join(dir, f), 'utf8').replace(/\/\/.*$/gm, '');
      for (const m of src.matchAll(/\b(TFE?_[A-Za-z0-9_]+)\s*\(/g)) if (!NOT_EXPORTS.test(m[1])) found.add(m[1]);
    }
  } catch {
    /* fall through */
  }
  return found.size ? [...found].sort() : KNOWN_SYMBOLS;
}

function readStamp(depsDir: string): { lib?: string; python?: string } | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(depsDir, STAMP), 'utf8')) as { lib?: string; python?: string };
  } catch {
    return undefined;
  }
}
