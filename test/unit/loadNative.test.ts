// loadNative's resolve hook, on every machine (no TensorFlow build needed): a
// stand-in "tfjs-node" package with its own copy of tfjs beside it must get
// the caller's tf for '@tensorflow/tfjs' and '@tensorflow/tfjs-core', while
// other packages it requires, and everyone else's requires, resolve as usual.
// Its own file: the hook binds one tf per process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadTfjsNode, shareTfWith } from '../../src/core/native/loadNative';
import { tempDir } from '../support/tempDir';

const root = tempDir('loadnative');

function write(rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}

test("tfjs-node's own require('@tensorflow/tfjs') returns the caller's tf, not the copy beside it", () => {
  const nm = 'node_modules/@tensorflow';
  // The copies npm would install beside tfjs-node: loading either would be a second tf.
  write(`${nm}/tfjs/package.json`, '{"name":"@tensorflow/tfjs","main":"index.js"}');
  write(`${nm}/tfjs/index.js`, "module.exports = { copy: 'beside tfjs-node' };");
  write(`${nm}/tfjs-core/package.json`, '{"name":"@tensorflow/tfjs-core","main":"index.js"}');
  write(`${nm}/tfjs-core/index.js`, "module.exports = { copy: 'beside tfjs-node' };");
  write('node_modules/helper/package.json', '{"name":"helper","main":"index.js"}');
  write('node_modules/helper/index.js', "module.exports = 'helper';");
  write(`${nm}/tfjs-node/package.json`, '{"name":"@tensorflow/tfjs-node","main":"dist/index.js"}');
  write(
    `${nm}/tfjs-node/dist/index.js`,
    [
      "const tfjs = require('@tensorflow/tfjs');",
      "const core = require('@tensorflow/tfjs-core');",
      "module.exports = { tfjs, core, kernel: require('./kernels/k'), helper: require('helper') };",
    ].join('\n'),
  );
  write(`${nm}/tfjs-node/dist/kernels/k.js`, "module.exports = require('@tensorflow/tfjs-core');");

  const dir = path.join(root, nm, 'tfjs-node');
  const tn = loadTfjsNode(tf, dir) as { tfjs: unknown; core: unknown; kernel: unknown; helper: string };
  assert.equal(tn.tfjs, tf);
  assert.equal(tn.core, tf);
  assert.equal(tn.kernel, tf, 'files deeper in the package too');
  assert.equal(tn.helper, 'helper', "tfjs-node's other dependencies resolve normally");
  // Outside the package nothing changes: the copy beside it is still what a plain require finds.
  assert.deepEqual(require(require.resolve('@tensorflow/tfjs', { paths: [root] })), { copy: 'beside tfjs-node' });
  assert.throws(() => shareTfWith({}, dir), /already bound/, 'a second tf for the same process is refused');
});
