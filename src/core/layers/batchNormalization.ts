// Batch normalization over the channels of an NHWC tensor (He et al. put it
// after each convolution). Training normalises by the batch's statistics and
// moves the moving ones: moving -= (moving - batch) * (1 - momentum), as
// tfjs-layers' doMovingAverage and Keras do.
import { z } from 'zod';
import { call, py } from '../export/kerasPython';
import { DT, type Attr } from '../train/graph/addon';
import type { Out } from '../train/graph/addon';
import { variableOf } from './graphOps';
import { defineLayer, rankOf, Untranslatable } from './kind';

export const batchNormalization = defineLayer({
  className: 'BatchNormalization',
  config: z.object({
    axis: z.number().int().default(-1),
    momentum: z.number(),
    epsilon: z.number(),
    center: z.boolean().default(true),
    scale: z.boolean().default(true),
  }),
  graph(c, { layer, config, name }, [x]) {
    const axis = config.axis;
    if (rankOf(layer) !== 4 || !(axis === -1 || axis === 3))
      throw new Untranslatable(`layer ${layer.name}: batch norm over axis ${axis} of a rank-${rankOf(layer)} tensor`);
    const channels = (layer.outputShape as number[])[3];
    const gamma = config.scale
      ? variableOf(c, layer, 'gamma')!.read
      : c.b.floatConst(`${name}/ones`, new Array<number>(channels).fill(1), [channels]);
    const beta = config.center
      ? variableOf(c, layer, 'beta')!.read
      : c.b.floatConst(`${name}/zeros`, new Array<number>(channels).fill(0), [channels]);
    const movingMean = variableOf(c, layer, 'movingMean')!;
    const movingVariance = variableOf(c, layer, 'movingVariance')!;
    const attrs = (training: boolean): Attr[] => [
      ['U', 'type', DT.float],
      ['epsilon', 'float', config.epsilon],
      ['is_training', 'bool', training],
      ['data_format', 'string', 'NHWC'],
    ];
    if (!c.training) {
      return c.b.f('FusedBatchNormV3', name, [x, gamma, beta, movingMean.read, movingVariance.read], attrs(false));
    }
    const empty = c.b.floatConst(`${name}/empty`, [], [0]);
    const y = c.b.f('FusedBatchNormV3', name, [x, gamma, beta, empty, empty], attrs(true));
    // FusedBatchNormV3 returns the unbiased variance; tfjs averages the biased
    // one (what normalised the batch) into its moving variance. n = N*H*W.
    const shape = c.b.op(
      'Shape',
      `${name}/shape`,
      [x],
      [
        ['T', 'type', DT.float],
        ['out_type', 'type', DT.int32],
      ],
    );
    const nhw = c.b.op(
      'Slice',
      `${name}/nhw`,
      [shape, c.b.intConst(`${name}/b`, [0]), c.b.intConst(`${name}/s`, [3])],
      [
        ['T', 'type', DT.int32],
        ['Index', 'type', DT.int32],
      ],
    );
    const n = c.b.op(
      'Cast',
      `${name}/n`,
      [
        c.b.op(
          'Prod',
          `${name}/count`,
          [nhw, c.b.intConst(`${name}/ax`, [0])],
          [
            ['T', 'type', DT.int32],
            ['Tidx', 'type', DT.int32],
          ],
        ),
      ],
      [
        ['SrcT', 'type', DT.int32],
        ['DstT', 'type', DT.float],
      ],
    );
    const one = c.b.floatConst(`${name}/one`, [1]);
    const biasedVar = c.b.f('Mul', `${name}/biased_var`, [
      [y[0], 2],
      c.b.f('RealDiv', `${name}/n_1_n`, [c.b.f('Sub', `${name}/n_1`, [n, one]), n]),
    ]);
    const decay = c.b.floatConst(`${name}/decay`, [1 - config.momentum]);
    for (const [v, batch, tag] of [
      [movingMean, [y[0], 1] as Out, 'mean'],
      [movingVariance, biasedVar, 'variance'],
    ] as const) {
      const delta = c.b.f('Mul', `${name}/${tag}_delta`, [c.b.f('Sub', `${name}/${tag}_diff`, [v.read, batch]), decay]);
      c.updates.push(
        c.b.op('AssignSubVariableOp', `${name}/update_${tag}`, [v.handle, delta], [['dtype', 'type', DT.float]])[0],
      );
    }
    return y;
  },
  keras({ layer, config, name }) {
    if (!(config.axis === -1 || config.axis === rankOf(layer) - 1))
      throw new Untranslatable(`layer ${layer.name}: batch norm over axis ${config.axis} is not exported`);
    // Same update rule in both: moving = momentum * moving + (1 - momentum) * batch.
    return call(
      'layers.BatchNormalization',
      [],
      [
        ['momentum', py(config.momentum)],
        ['epsilon', py(config.epsilon)],
        ['center', config.center === false ? 'False' : undefined],
        ['scale', config.scale === false ? 'False' : undefined],
        ['name', py(name)],
      ],
    );
  },
  weights: ['gamma', 'beta', 'moving_mean', 'moving_variance'],
});
