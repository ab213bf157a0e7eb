import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  plainCifar,
  preactResnetCifar,
  resnetCifar,
  resnet18,
  resnet50,
  ZeroPadShortcut,
  setInitSeed,
} from '../../src/core/lib';

const cifar = { inputShape: [32, 32, 3] as [number, number, number], numClasses: 10 };

function trainableParams(m: tf.LayersModel): number {
  return m.trainableWeights.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
}
const countAdds = (m: tf.LayersModel) => m.layers.filter((l) => l.getClassName() === 'Add').length;
const weighted = (m: tf.LayersModel) =>
  m.layers.filter((l) => ['Conv2D', 'Dense'].includes(l.getClassName()) && !l.name.includes('/proj')).length;

// He et al. 2015, Section 4.2, option A nets for 3-channel input.
const paper: Record<number, number> = { 20: 269_722, 32: 464_154, 44: 658_586, 56: 853_018, 110: 1_727_962 };

for (const [depth, params] of Object.entries(paper)) {
  test(`resnet-${depth} has the paper's ${params} parameters, the plain net the same`, () => {
    const res = resnetCifar({ depth: Number(depth) })(cifar);
    const plain = plainCifar({ depth: Number(depth) })(cifar);
    assert.equal(trainableParams(res), params);
    assert.equal(trainableParams(plain), params);
    assert.equal(weighted(res), Number(depth));
    assert.equal(countAdds(res), ((Number(depth) - 2) / 6) * 3);
    assert.equal(countAdds(plain), 0);
    res.dispose();
    plain.dispose();
  });
}

test('depth that is not 6n+2 is refused with the rule', () => {
  assert.throws(() => resnetCifar({ depth: 21 }), /6n\+2/);
});

test('option B adds projections only at the two stage changes, option C everywhere', () => {
  const b = resnetCifar({ depth: 20, shortcut: 'B' })(cifar);
  const c = resnetCifar({ depth: 20, shortcut: 'C' })(cifar);
  const proj = (m: tf.LayersModel) => m.layers.filter((l) => l.name.endsWith('/proj')).length;
  assert.equal(proj(b), 2);
  assert.equal(proj(c), 9);
  // Projection 16->32 and 32->64 (1x1 conv + BN gamma/beta): 512+64 + 2048+128.
  assert.equal(trainableParams(b), 269_722 + 512 + 64 + 2048 + 128);
});

test('option A subsamples by the stride and pads new channels with zeros, exactly', () => {
  const x = tf.tensor4d(
    Array.from({ length: 1 * 4 * 4 * 2 }, (_, i) => i + 1),
    [1, 4, 4, 2],
  );
  const layer = new ZeroPadShortcut({ stride: 2, outChannels: 4 });
  const y = layer.apply(x) as tf.Tensor;
  assert.deepEqual(y.shape, [1, 2, 2, 4]);
  // Pixels (0,0),(0,2),(2,0),(2,2) of the input, channels 0..1, then two zeros.
  assert.deepEqual(Array.from(y.dataSync()), [1, 2, 0, 0, 5, 6, 0, 0, 17, 18, 0, 0, 21, 22, 0, 0]);
});

test('a model with option A round-trips through save and loadLayersModel', async () => {
  setInitSeed(3);
  const m = resnetCifar({ depth: 8 })(cifar);
  let saved: tf.io.ModelArtifacts | undefined;
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
  const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 7);
  const a = (m.predict(x) as tf.Tensor).dataSync();
  const b = (loaded.predict(x) as tf.Tensor).dataSync();
  assert.equal(a.length, 20);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-6);
  assert.equal(loaded.layers.filter((l) => l.getClassName() === 'ZeroPadShortcut').length, 2);
});

test('pre-activation net has nothing after its additions', () => {
  const m = preactResnetCifar({ depth: 20 })(cifar);
  const adds = m.layers.filter((l) => l.getClassName() === 'Add');
  assert.equal(adds.length, 9);
  for (const a of adds) {
    const consumers = m.layers.filter((l) => l.inboundNodes.some((n) => n.inboundLayers.includes(a)));
    assert.ok(
      consumers.every((c) => c.getClassName() !== 'ReLU'),
      `${a.name} feeds a ReLU`,
    );
  }
});

test('ImageNet ResNet-18 and ResNet-50 have the standard parameter counts', () => {
  const info = { inputShape: [224, 224, 3] as [number, number, number], numClasses: 1000 };
  const r18 = resnet18()(info);
  const r50 = resnet50()(info);
  // torchvision: 11,689,512 and 25,557,032 (BN gamma/beta included, moving stats excluded).
  assert.equal(trainableParams(r18), 11_689_512);
  assert.equal(trainableParams(r50), 25_557_032);
  assert.deepEqual(r18.outputs[0].shape, [null, 1000]);
});
