// The CodeLens's model facts line (src/cli/format.ts factsLine) on the real
// summaries of the paper's nets, as the trainer's describe makes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '@tensorflow/tfjs';
import { factsLine } from '../../src/cli/format';
import { summarize } from '../../src/core/graph/extract';
import { plainCifar, resnetCifar } from '../../src/core/lib';

const cifar = { inputShape: [32, 32, 3] as [number, number, number], numClasses: 10 };

test("facts: the paper's names, parameters in millions as the paper gives them, shortcut count", () => {
  const cases: [ReturnType<typeof resnetCifar>, string][] = [
    [resnetCifar({ depth: 20 }), 'ResNet-20 · 0.27 M params · 9 shortcuts'],
    [plainCifar({ depth: 20 }), 'plain-20 · 0.27 M params · 0 shortcuts'],
    [resnetCifar({ depth: 110 }), 'ResNet-110 · 1.73 M params · 54 shortcuts'],
    // A toy net: its count in full, not "0.00 M".
    [resnetCifar({ depth: 8, widths: [4, 8, 8] }), 'ResNet-8 · 2,590 params · 3 shortcuts'],
  ];
  for (const [factory, line] of cases) {
    const model = factory(cifar);
    assert.equal(factsLine(summarize(model)), line);
    model.dispose();
  }
  assert.equal(factsLine({ depth: 3, shortcuts: 1, trainableParams: 100 }), 'ResNet-3 · 100 params · 1 shortcut');
  assert.equal(
    factsLine({ depth: 8, shortcuts: 3, trainableParams: 19_218 }),
    'ResNet-8 · 19.2 k params · 3 shortcuts',
  );
  assert.equal(
    factsLine({ depth: 8, shortcuts: 3, trainableParams: 99_949 }),
    'ResNet-8 · 99.9 k params · 3 shortcuts',
  );
});
