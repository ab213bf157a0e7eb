// Dense: y = activation(x · kernel + bias), on a rank-2 tensor (after flattening or global pooling).
import { z } from 'zod';
import { call, py } from '../export/kerasPython';
import { applyActivation, variableOf } from './graphOps';
import { defineLayer, rankOf, Untranslatable } from './kind';
import { ActivationName, kerasActivation } from './options';

export const dense = defineLayer({
  className: 'Dense',
  config: z.object({ units: z.number().int(), useBias: z.boolean().default(true), activation: ActivationName }),
  graph(c, { layer, config, name }, [x]) {
    if (rankOf(layer) !== 2)
      throw new Untranslatable(`layer ${layer.name}: a dense layer on a rank-${rankOf(layer)} tensor`);
    let y = c.b.f('MatMul', name, [x, variableOf(c, layer, 'kernel')!.read]);
    const bias = config.useBias ? variableOf(c, layer, 'bias') : undefined;
    if (bias) y = c.b.f('BiasAdd', `${name}/bias`, [y, bias.read]);
    return applyActivation(c, layer, y, config.activation, name, 2);
  },
  keras({ layer, config, name, linear }) {
    if (rankOf(layer) !== 2)
      throw new Untranslatable(`layer ${layer.name}: a dense layer on a rank-${rankOf(layer)} tensor is not exported`);
    return call(
      'layers.Dense',
      [String(config.units)],
      [
        ['use_bias', config.useBias ? undefined : 'False'],
        ['activation', linear ? undefined : kerasActivation(layer, config.activation)],
        ['name', py(name)],
      ],
    );
  },
  weights: ['kernel', 'bias'],
});
