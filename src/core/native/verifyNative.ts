// Checks a built tfjs-node in a fresh process before setup-native reports
// success: it loads on the tensorflow backend, multiplies two matrices right
// and takes one conv + batch-norm SGD step that changes the weights.
import { run } from './processes';

export type Verified = { ok: true; tfVersion: string; bindingPath: string } | { ok: false; error: string };

/** Loads tfjs-node from projectDir in a fresh process: a matMul and one conv+batchnorm SGD step. */
const VERIFY = String.raw`
const path = require('path');
const entry = require.resolve('@tensorflow/tfjs-node', { paths: [process.argv[1]] });
const tf = require(entry);
const pkgDir = path.resolve(path.dirname(entry), '..');
const bindingPath = require(require.resolve('@mapbox/node-pre-gyp', { paths: [pkgDir] })).find(path.join(pkgDir, 'package.json'));
if (tf.getBackend() !== 'tensorflow') throw new Error('backend is ' + tf.getBackend() + ', not tensorflow');
const mm = Array.from(tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]])).dataSync());
if (mm.join() !== '19,22,43,50') throw new Error('matMul gave ' + mm);
const x = tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 1);
const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1], 'int32'), 2);
const m = tf.sequential({ layers: [
  tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, padding: 'same', useBias: false }),
  tf.layers.batchNormalization(), tf.layers.reLU(), tf.layers.flatten(), tf.layers.dense({ units: 2 }) ] });
const before = m.getWeights()[0].dataSync().slice();
const loss = tf.train.sgd(0.1).minimize(() => tf.losses.softmaxCrossEntropy(y, m.apply(x, { training: true })), true).dataSync()[0];
const after = m.getWeights()[0].dataSync();
if (!Number.isFinite(loss)) throw new Error('training loss is ' + loss);
if (after.every((v, i) => v === before[i])) throw new Error('one SGD step left the conv weights unchanged');
const b = tf.backend().binding;
console.log('RESNET_LAB_VERIFY ' + JSON.stringify({ tfVersion: b && b.TF_Version ? String(b.TF_Version) : 'unknown', bindingPath, loss }));
`;

export async function verify(node: string, projectDir: string): Promise<Verified> {
  const r = await run(node, ['-e', VERIFY, projectDir], {
    cwd: projectDir,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
    timeoutMs: 180_000,
  });
  const line = r.output.split('\n').find((l) => l.startsWith('RESNET_LAB_VERIFY '));
  if (r.code === 0 && line) {
    const v = JSON.parse(line.slice('RESNET_LAB_VERIFY '.length)) as { tfVersion: string; bindingPath: string };
    return { ok: true, tfVersion: v.tfVersion, bindingPath: v.bindingPath };
  }
  return { ok: false, error: r.output.trim() || r.error || `exit code ${r.code}` };
}
