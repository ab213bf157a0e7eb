// Layers that change a tensor's shape only: Flatten before a dense classifier, Reshape.
import { z } from 'zod';
import { call, py } from '../export/kerasPython';
import { DT } from '../train/graph/addon';
import { defineLayer } from './kind';

export const flatten = defineLayer({
  className: 'Flatten',
  config: z.object({}),
  graph(c, { layer, name }, [x]) {
    const size = (layer.outputShape as number[])[1];
    return c.b.f('Reshape', name, [x, c.b.intConst(`${name}/shape`, [-1, size])], [['Tshape', 'type', DT.int32]]);
  },
  keras: ({ name }) => call('layers.Flatten', [], [['name', py(name)]]),
});

export const reshape = defineLayer({
  className: 'Reshape',
  config: z.object({ targetShape: z.array(z.number().int()) }),
  graph(c, { layer, name }, [x]) {
    const shape = (layer.outputShape as number[]).slice(1);
    return c.b.f('Reshape', name, [x, c.b.intConst(`${name}/shape`, [-1, ...shape])], [['Tshape', 'type', DT.int32]]);
  },
  keras: ({ config, name }) => call('layers.Reshape', [py(config.targetShape)], [['name', py(name)]]),
});
