// Layers that only apply a nonlinearity: Activation('relu'), ReLU, Softmax.
import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';
import { call, py } from '../export/kerasPython';
import { applyActivation } from './graphOps';
import { defineLayer, rankOf, Untranslatable } from './kind';
import { ActivationName, kerasActivation } from './options';

export const activation = defineLayer({
  className: 'Activation',
  config: z.object({ activation: ActivationName }),
  graph: (c, { layer, config, name }, [x]) => applyActivation(c, layer, x, config.activation, name, rankOf(layer)),
  keras: ({ layer, config, name }) =>
    call('layers.Activation', [kerasActivation(layer, config.activation) ?? '"linear"'], [['name', py(name)]]),
});

export const relu = defineLayer({
  className: 'ReLU',
  config: z.object({ maxValue: z.number().nullish() }),
  graph(c, { layer, config, name }, [x]) {
    if (config.maxValue != null) throw new Untranslatable(`layer ${layer.name}: ReLU with a maximum value`);
    return c.b.f('Relu', name, [x]);
  },
  keras: ({ config, name }) =>
    call(
      'layers.ReLU',
      [],
      [
        ['max_value', config.maxValue == null ? undefined : py(config.maxValue)],
        ['name', py(name)],
      ],
    ),
});

/** Softmax over the last axis only (the classifier's); tfjs writes it -1 or, by default, 1 for a rank-2 tensor. */
const lastAxis = (axis: number | undefined, layer: tfjs.layers.Layer, suffix = ''): void => {
  if (!(axis === -1 || axis === undefined || axis === rankOf(layer) - 1))
    throw new Untranslatable(`layer ${layer.name}: softmax over axis ${String(axis)}${suffix}`);
};

export const softmax = defineLayer({
  className: 'Softmax',
  config: z.object({ axis: z.number().int().optional() }),
  graph(c, { layer, config, name }, [x]) {
    lastAxis(config.axis, layer);
    return applyActivation(c, layer, x, 'softmax', name, rankOf(layer));
  },
  keras({ layer, config, name }) {
    lastAxis(config.axis, layer, ' is not exported');
    return call('layers.Softmax', [], [['name', py(name)]]);
  },
});
