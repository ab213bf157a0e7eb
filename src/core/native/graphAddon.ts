// Builds the graph-mode addon (native/graph/*.cc, see
// src/core/train/graph/) beside tfjs-node's binding, against the same
// TensorFlow: it includes deps/include and links deps/lib, the links
// setup-native made into the Python wheel. A few C++ files, one compiler call,
// no node-gyp.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { graphAddonPath } from './detectNative';
import { firstLine, run, tail } from './processes';

/** The addon's source folder, shipped with the extension and the CLI (dist/ is beside native/; src/core/native under tsx). */
export function graphAddonSourceDir(): string {
  const candidates = [
    path.join(__dirname, '..', 'native', 'graph'),
    path.join(__dirname, '..', '..', '..', 'native', 'graph'),
  ];
  const found = candidates.find((d) => fs.existsSync(path.join(d, 'addon.cc')));
  if (!found) throw new Error(`the graph-mode addon's source is missing (looked in ${candidates.join(', ')})`);
  return found;
}

export interface GraphAddonBuild {
  pkgDir: string;
  node: string;
  nodeDir: string;
  compiler: string;
  log: (line: string) => void;
  force?: boolean;
}

/** Builds (if its source changed or it is missing) and checks the addon; returns its path or why it cannot be used. */
export async function ensureGraphAddon(
  o: GraphAddonBuild,
): Promise<{ ok: true; path: string } | { ok: false; error: string }> {
  const out = graphAddonPath(o.pkgDir)!;
  const dir = graphAddonSourceDir();
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.(cc|h)$/.test(f))
    .sort();
  const sources = files.filter((f) => f.endsWith('.cc')).map((f) => path.join(dir, f));
  const hash = crypto.createHash('sha256');
  for (const f of files) hash.update(f).update(fs.readFileSync(path.join(dir, f)));
  const digest = hash.digest('hex').slice(0, 16);
  const stamp = `${out}.source-sha256`;
  const fresh = fs.existsSync(out) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === digest;
  if (!fresh || o.force) {
    const deps = path.join(o.pkgDir, 'deps');
    const args = [
      '-std=c++17',
      '-O2',
      '-shared',
      '-fPIC',
      '-DNODE_GYP_MODULE_NAME=resnet_lab_graph',
      `-I${path.join(o.nodeDir, 'include', 'node')}`,
      `-I${path.join(deps, 'include')}`,
      ...sources,
      '-o',
      `${out}.tmp`,
      `-L${path.join(deps, 'lib')}`,
      '-l:libtensorflow_cc.so.2',
      '-l:libtensorflow_framework.so.2',
      // lib/resnet-lab-graph.node finds TensorFlow through tfjs-node's deps/lib links, as tfjs-node's binding does.
      '-Wl,-rpath,$ORIGIN/../deps/lib',
    ];
    o.log(`Building the graph-mode addon: ${o.compiler} ${args.join(' ')}`);
    fs.rmSync(out, { force: true });
    const r = await run(o.compiler, args, { timeoutMs: 5 * 60_000, onLine: o.log });
    if (r.code !== 0)
      return {
        ok: false,
        error: `compiling ${dir} failed (${r.error ?? `exit code ${r.code}`}): ${tail(r.output, 10)}`,
      };
    fs.renameSync(`${out}.tmp`, out);
    fs.writeFileSync(stamp, digest);
  }
  const check = await run(o.node, ['-e', VERIFY, o.pkgDir, out], {
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
    timeoutMs: 120_000,
  });
  if (check.code !== 0 || !check.output.includes('RESNET_LAB_GRAPH_OK')) {
    return {
      ok: false,
      error: `the graph-mode addon does not work: ${firstLine(check.output.trim() || check.error || `exit code ${check.code}`)}`,
    };
  }
  o.log(`Graph-mode addon ready: ${out}.`);
  return { ok: true, path: out };
}

/** Loads tfjs-node, then the addon; d(sum(w^2))/dw through TensorFlow's gradients, run as a session. */
const VERIFY = String.raw`
require(require.resolve('@tensorflow/tfjs-node', { paths: [process.argv[1]] }));
const a = require(process.argv[2]);
const g = a.newGraph();
a.addOp(g, 'Placeholder', 'w', [], [['dtype', 'type', 1], ['shape', 'shape', [3]]]);
a.addOp(g, 'Square', 'sq', [['w', 0]], [['T', 'type', 1]]);
a.addOp(g, 'Const', 'axis', [], [['dtype', 'type', 3], ['value', 'tensor', { dtype: 3, shape: [], data: Int32Array.of(0) }]]);
a.addOp(g, 'Sum', 'loss', [['sq', 0], ['axis', 0]], [['T', 'type', 1], ['Tidx', 'type', 3]]);
const [dw] = a.addGradients(g, 'grad', [['loss', 0]], [['w', 0]]);
const s = a.newSession(g);
const [loss, grad] = a.runSync(s, [['w', 0, 1, [3], Float32Array.of(1, 2, 3)]], [['loss', 0], dw], []);
a.closeSession(s);
if (loss.data[0] !== 14 || Array.from(grad.data).join() !== '2,4,6') throw new Error('wrong result: ' + loss.data[0] + ' ' + Array.from(grad.data));
console.log('RESNET_LAB_GRAPH_OK ' + a.tfVersion());
`;
