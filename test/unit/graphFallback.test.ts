// Graph mode steps aside for eager training only for what cannot be
// translated (a layer with no graph translation) or an addon that is not
// there; any other failure to compile the step fails the run with its message.
// Runs on the cpu backend: startStepper is shown a tf whose backend reads as
// 'tensorflow', and the graph compiler is replaced by one that throws.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { GraphAddonUnavailable } from '../../src/core/train/graph/addon';
import { Untranslatable } from '../../src/core/train/graph/translate';
import { eagerFallbackReason, startStepper, StartStepperOptions } from '../../src/core/train/startStepper';
import type { Stepper } from '../../src/core/train/stepper';
import type { TrainerEvent } from '../../src/protocol/trainer';

before(async () => {
  assert.ok(await tf.setBackend('cpu'));
});

test('the decision: an untranslatable layer or a missing addon falls back, with its first line; anything else does not', () => {
  assert.equal(
    eagerFallbackReason(new Untranslatable('layer my_doubler (Doubler) has no graph translation')),
    'layer my_doubler (Doubler) has no graph translation',
  );
  assert.equal(
    eagerFallbackReason(new GraphAddonUnavailable('the graph-mode addon is not built\n(details)')),
    'the graph-mode addon is not built',
  );
  const tfError = Object.assign(new Error("addOp Conv2D 'conv': Inconsistent values for attr 'T'"), {
    code: 'INVALID_ARGUMENT',
  });
  assert.equal(eagerFallbackReason(tfError), undefined, "TensorFlow refusing an op is graph mode's bug");
  assert.equal(eagerFallbackReason(new TypeError("Cannot read properties of undefined (reading 'shape')")), undefined);
  assert.equal(eagerFallbackReason('a string'), undefined);
});

/** Options for startStepper as the loop gives them, with a tf whose backend reads as the native one. */
function options(events: TrainerEvent[]): StartStepperOptions {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4], name: 'head' })] });
  const nativeLooking = Object.create(tf, { getBackend: { value: () => 'tensorflow' } }) as typeof tf;
  return {
    tf: nativeLooking,
    model,
    info: { inputShape: [2, 2, 1], numClasses: 3 },
    optimizer: { momentum: 0.9, weightDecay: 0 },
    layerOf: ['head', 'head'],
    emit: (e) => events.push(e),
    batchSize: 4,
    workers: 1,
  };
}

const throwing = (e: Error) => (): Stepper => {
  throw e;
};

test('an Untranslatable layer: eager training, and one warning naming the layer', async () => {
  const events: TrainerEvent[] = [];
  const stepper = await startStepper(
    options(events),
    throwing(new Untranslatable('layer my_doubler (Doubler) has no graph translation')),
  );
  assert.equal(stepper.mode, 'eager');
  assert.deepEqual(events, [
    {
      type: 'log',
      level: 'warn',
      message: 'graph mode unavailable, training eagerly: layer my_doubler (Doubler) has no graph translation',
    },
  ]);
  await stepper.dispose();
});

test('any other error compiling the step fails the run with its message, and nothing says "eager"', async () => {
  for (const error of [
    new TypeError("Cannot read properties of undefined (reading 'shape')"),
    Object.assign(new Error("addOp Conv2D 'conv': Inconsistent values for attr 'T'"), { code: 'INVALID_ARGUMENT' }),
  ]) {
    const events: TrainerEvent[] = [];
    await assert.rejects(startStepper(options(events), throwing(error)), (e: Error) => {
      assert.equal(
        e.message,
        `graph mode could not compile the training step (--graph off trains eagerly): ${error.message}`,
      );
      assert.equal(e.cause, error);
      return true;
    });
    assert.deepEqual(events, []);
  }
});

test('--graph off never compiles the graph', async () => {
  const events: TrainerEvent[] = [];
  const stepper = await startStepper(
    { ...options(events), graph: 'off' },
    throwing(new TypeError('compileGraph must not be called')),
  );
  assert.equal(stepper.mode, 'eager');
  assert.deepEqual(events, []);
  await stepper.dispose();
});
