// Dropout: the identity at test time; graph mode has no random ops, so a
// training graph with a nonzero rate is left to eager mode.
import { z } from 'zod';
import { call, py } from '../export/kerasPython';
import { defineLayer, Untranslatable } from './kind';

export const dropout = defineLayer({
  className: 'Dropout',
  config: z.object({ rate: z.number() }),
  graph(c, { layer, config }, [x]) {
    if (config.rate > 0 && c.training)
      throw new Untranslatable(`layer ${layer.name}: dropout with rate ${config.rate}`);
    return x;
  },
  keras: ({ config, name }) => call('layers.Dropout', [py(config.rate)], [['name', py(name)]]),
});
