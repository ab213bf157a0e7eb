// The training and test graphs' head: the mean cross-entropy (from the logits
// under a final softmax when there are some, as ../head.ts reads them) and the
// count of wrong predictions, op for op what ../steps.ts computes eagerly.
import { DT, Out } from './addon';
import type { GraphBuilder } from './builder';

/**
 * Mean cross-entropy and the count of wrong predictions, as ../head.ts and
 * ../steps.ts compute them. `reduce: 'Sum'` adds the examples' losses instead:
 * the path analysis wants each example's own gradient.
 */
export function lossAndErrors(
  b: GraphBuilder,
  scope: string,
  scores: Out,
  fromLogits: boolean,
  labels: Out,
  numClasses: number,
  reduce: 'Mean' | 'Sum' = 'Mean',
): { loss: Out; errors: Out } {
  const oneHot = b.op(
    'OneHot',
    `${scope}/one_hot`,
    [
      labels,
      b.intConst(`${scope}/depth`, [numClasses], []),
      b.floatConst(`${scope}/on`, [1]),
      b.floatConst(`${scope}/off`, [0]),
    ],
    [
      ['T', 'type', DT.float],
      ['TI', 'type', DT.int32],
      ['axis', 'int', -1],
    ],
  );
  const last = b.intConst(`${scope}/last_axis`, [-1], []);
  const first = b.intConst(`${scope}/first_axis`, [0], []);
  let perExample: Out;
  if (fromLogits) {
    // log-softmax, computed stably: every example keeps its gradient however wrong it is.
    perExample = b.f(
      'Sum',
      `${scope}/log_p`,
      [b.f('Mul', `${scope}/picked`, [b.f('LogSoftmax', `${scope}/log_softmax`, [scores]), oneHot]), last],
      [['Tidx', 'type', DT.int32]],
    );
  } else {
    const p = b.f(
      'Sum',
      `${scope}/p`,
      [b.f('Mul', `${scope}/picked`, [scores, oneHot]), last],
      [['Tidx', 'type', DT.int32]],
    );
    perExample = b.f('Log', `${scope}/log_p`, [
      b.f('Maximum', `${scope}/floored`, [p, b.floatConst(`${scope}/floor`, [1e-37])]),
    ]);
  }
  const loss = b.f('Neg', `${scope}/loss`, [
    b.f(reduce, `${scope}/${reduce.toLowerCase()}_log_p`, [perExample, first], [['Tidx', 'type', DT.int32]]),
  ]);
  const predicted = b.op(
    'ArgMax',
    `${scope}/predicted`,
    [scores, last],
    [
      ['T', 'type', DT.float],
      ['Tidx', 'type', DT.int32],
      ['output_type', 'type', DT.int32],
    ],
  );
  const wrong = b.op('NotEqual', `${scope}/wrong`, [predicted, labels], [['T', 'type', DT.int32]]);
  const errors = b.op(
    'Sum',
    `${scope}/errors`,
    [
      b.op(
        'Cast',
        `${scope}/wrong_int`,
        [wrong],
        [
          ['SrcT', 'type', DT.bool],
          ['DstT', 'type', DT.int32],
        ],
      ),
      first,
    ],
    [
      ['T', 'type', DT.int32],
      ['Tidx', 'type', DT.int32],
    ],
  );
  return { loss, errors };
}
