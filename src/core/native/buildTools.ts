// What building tfjs-node's binding and the graph addon needs on this machine:
// a real node (not VS Code's Electron) with its headers, a C++ compiler, make
// and node-gyp, each found locally (node-gyp would otherwise download Node's
// headers from nodejs.org, unreachable offline), or one error naming all that
// is missing and how to install it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { which } from './processes';

export interface BuildTools {
  nodeGyp: { cmd: string; args: string[] };
  nodeDir: string;
  compiler: string;
}

export function nodeExecutable(): string {
  // Inside VS Code process.execPath is Electron; the build needs a real node and its headers.
  if (/^node(\.exe)?$/.test(path.basename(process.execPath))) return process.execPath;
  const n = which('node');
  if (!n)
    throw new Error('No "node" on PATH: the native backend needs Node.js (>= 20) to build and check the binding.');
  return n;
}

export function findBuildTools(node: string, python: string): BuildTools {
  const problems: string[] = [];
  const cxx = process.env.CXX?.trim().split(/\s+/)[0];
  const compiler = cxx ? which(cxx) : (which('g++') ?? which('c++') ?? which('clang++'));
  if (!compiler)
    problems.push(
      cxx ? `the C++ compiler in CXX ("${cxx}") is not on PATH` : 'no C++ compiler (g++, c++ or clang++) on PATH',
    );
  if (!which('make')) problems.push('no "make" on PATH');

  // Node's headers: node-gyp would otherwise download them from nodejs.org.
  const realNode = fs.realpathSync(node);
  const prefix = path.dirname(path.dirname(realNode));
  let nodeDir = '';
  const version = process.versions.node;
  for (const d of [prefix, path.join(os.homedir(), '.cache', 'node-gyp', version)]) {
    if (
      fs.existsSync(path.join(d, 'include', 'node', 'node_api.h')) &&
      fs.existsSync(path.join(d, 'include', 'node', 'common.gypi'))
    ) {
      nodeDir = d;
      break;
    }
  }
  if (!nodeDir)
    problems.push(
      `no Node.js headers (looked for ${path.join(prefix, 'include', 'node', 'node_api.h')}); install the Node.js build that ships include/node (Debian: apt-get install libnode-dev, or the nodejs.org tarball)`,
    );

  // node-gyp: npm's own bundled copy, else a local one, else npx.
  let nodeGyp: BuildTools['nodeGyp'] | undefined;
  const scripts: string[] = [];
  if (process.env.npm_config_node_gyp) scripts.push(process.env.npm_config_node_gyp);
  const npm = which('npm');
  if (npm) {
    let d = path.dirname(fs.realpathSync(npm));
    for (let i = 0; i < 4; i++, d = path.dirname(d))
      scripts.push(path.join(d, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  }
  scripts.push(path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  scripts.push(path.join(prefix, 'lib', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const script = scripts.find((s) => fs.existsSync(s));
  if (script) nodeGyp = { cmd: node, args: [script] };
  else if (npm) nodeGyp = { cmd: npm, args: ['exec', '--yes', '--', 'node-gyp@11'] };
  else problems.push("no node-gyp (npm's bundled copy was not found and npm is not on PATH)");

  if (problems.length || !nodeGyp) {
    throw new Error(
      `Cannot build the tfjs-node binding: ${problems.join('; ')}. ` +
        `On Debian/Ubuntu: apt-get install build-essential (g++ and make). node-gyp also runs ${python}.`,
    );
  }
  return { nodeGyp, nodeDir, compiler: compiler! };
}
