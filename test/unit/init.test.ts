// The library's kernel initialiser is the paper's He initialisation: an
// untruncated normal with standard deviation sqrt(2 / fan_in), seeded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { heNormal, resnetCifar, setInitSeed, withTfjsHeNormal } from '../../src/core/lib';
import { fanIn } from '../../src/core/lib/layers';

function moments(values: Float32Array): { mean: number; std: number; beyond2: number } {
  let s = 0;
  for (const v of values) s += v;
  const mean = s / values.length;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  const std = Math.sqrt(ss / values.length);
  let beyond2 = 0;
  for (const v of values) if (Math.abs(v) > 2 * std) beyond2++;
  return { mean, std, beyond2: beyond2 / values.length };
}

test('heNormal: a 3x3x64x64 kernel has mean ~0, std within 2% of sqrt(2/576), and values beyond 2 sigma', () => {
  const shape = [3, 3, 64, 64]; // 36,864 values, fan_in 576
  assert.equal(fanIn(shape), 576);
  const target = Math.sqrt(2 / 576);
  const w = heNormal().apply(shape);
  const { mean, std, beyond2 } = moments(w.dataSync() as Float32Array);
  w.dispose();
  assert.ok(Math.abs(std / target - 1) < 0.02, `std ${std} vs sqrt(2/fan_in) ${target}`);
  assert.ok(Math.abs(mean) < 0.02 * target, `mean ${mean}`);
  // An untruncated normal has 4.55% of its mass beyond 2 sigma; a truncated one none.
  assert.ok(beyond2 > 0.035 && beyond2 < 0.056, `fraction beyond 2 sigma ${beyond2}`);
});

test("tfjs' heNormal (the old initialiser) is truncated at 2 sigma and ~0.88x too narrow", () => {
  const shape = [3, 3, 64, 64];
  const target = Math.sqrt(2 / 576);
  const w = tf.initializers.heNormal({ seed: 7 }).apply(shape);
  const values = w.dataSync() as Float32Array;
  w.dispose();
  const { std } = moments(values);
  assert.ok(Math.abs(std / target - 0.88) < 0.02, `ratio ${std / target}`);
  assert.ok(values.every((v) => Math.abs(v) <= 2 * target + 1e-6));
});

test('heNormal: dense kernels use their rows as fan_in; the same seed gives the same weights', () => {
  assert.equal(fanIn([64, 10]), 64);
  setInitSeed(3);
  const a = heNormal().apply([512, 256]);
  setInitSeed(3);
  const b = heNormal().apply([512, 256]);
  const { std } = moments(a.dataSync() as Float32Array);
  assert.ok(Math.abs(std / Math.sqrt(2 / 512) - 1) < 0.02, `std ${std}`);
  assert.deepEqual(a.dataSync(), b.dataSync());
  tf.dispose([a, b]);
});

test('every conv and dense kernel of ResNet-20 is drawn with sqrt(2/fan_in); model.json names a standard RandomNormal', () => {
  setInitSeed(1);
  const model = resnetCifar({ depth: 20 })({ inputShape: [32, 32, 3], numClasses: 10 });
  const kernels = model.layers.filter((l) => ['Conv2D', 'Dense'].includes(l.getClassName()));
  assert.equal(kernels.length, 20);
  // All stage-3 3x3 convs share fan_in 576: 36,864 x 11 values together.
  const stage3 = kernels.filter((l) => l.getWeights()[0].shape[2] === 64 && l.getWeights()[0].shape[0] === 3);
  const all = new Float32Array(stage3.flatMap((l) => [...(l.getWeights()[0].dataSync() as Float32Array)]));
  assert.ok(Math.abs(moments(all).std / Math.sqrt(2 / 576) - 1) < 0.02);
  const json = model.toJSON(null, false) as unknown as {
    config: {
      layers: {
        class_name: string;
        config: { kernel_initializer?: { class_name: string; config: { stddev: number } } };
      }[];
    };
  };
  const fc = json.config.layers.find((l) => l.class_name === 'Dense')!;
  assert.equal(fc.config.kernel_initializer!.class_name, 'RandomNormal');
  assert.ok(Math.abs(fc.config.kernel_initializer!.config.stddev - Math.sqrt(2 / 64)) < 1e-9);
  model.dispose();
});

test('withTfjsHeNormal builds with the old, truncated initialiser (for the ablation) and restores the new one', () => {
  setInitSeed(1);
  const old = withTfjsHeNormal(resnetCifar({ depth: 8 }))({ inputShape: [32, 32, 3], numClasses: 10 });
  const json = JSON.parse(old.toJSON(null, true) as string) as {
    config: { layers: { class_name: string; config: { kernel_initializer?: { class_name: string } } }[] };
  };
  assert.equal(
    json.config.layers.find((l) => l.class_name === 'Dense')?.config.kernel_initializer?.class_name,
    'VarianceScaling',
  );
  old.dispose();
  assert.equal(heNormal().getClassName(), 'RandomNormal');
});
