// Layers that join branches: Add is the residual connection, y = x + F(x);
// Multiply and Concatenate as tfjs has them.
import { z } from 'zod';
import { call, py } from '../export/kerasPython';
import { DT } from '../train/graph/addon';
import { chain } from './graphOps';
import { defineLayer, rankOf } from './kind';

const noConfig = z.object({});

export const add = defineLayer({
  className: 'Add',
  config: noConfig,
  graph: (c, { name }, inputs) => chain(c, 'AddV2', inputs, name),
  keras: ({ name }) => call('layers.Add', [], [['name', py(name)]]),
});

export const multiply = defineLayer({
  className: 'Multiply',
  config: noConfig,
  graph: (c, { name }, inputs) => chain(c, 'Mul', inputs, name),
  keras: ({ name }) => call('layers.Multiply', [], [['name', py(name)]]),
});

export const concatenate = defineLayer({
  className: 'Concatenate',
  config: z.object({ axis: z.number().int().default(-1) }),
  graph(c, { layer, config, name }, inputs) {
    const axis = config.axis < 0 ? rankOf(layer) + config.axis : config.axis;
    return c.b.op(
      'ConcatV2',
      name,
      [inputs, c.b.intConst(`${name}/axis`, [axis], [])],
      [
        ['T', 'type', DT.float],
        ['N', 'int', inputs.length],
        ['Tidx', 'type', DT.int32],
      ],
    );
  },
  keras: ({ config, name }) =>
    call(
      'layers.Concatenate',
      [],
      [
        ['axis', py(config.axis)],
        ['name', py(name)],
      ],
    ),
});
