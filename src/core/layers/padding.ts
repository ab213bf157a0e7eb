// ZeroPadding2D: zero rows and columns around the image, [[top, bottom], [left, right]].
import { z } from 'zod';
import { call, py } from '../export/kerasPython';
import { DT } from '../train/graph/addon';
import { defineLayer } from './kind';
import { ChannelsLast } from './options';

const Side = z.tuple([z.number().int(), z.number().int()]);

export const zeroPadding2d = defineLayer({
  className: 'ZeroPadding2D',
  config: z.object({ padding: z.tuple([Side, Side]), dataFormat: ChannelsLast }),
  graph(c, { config, name }, [x]) {
    const [h, w] = config.padding;
    return c.b.f(
      'Pad',
      name,
      [x, c.b.intConst(`${name}/pads`, [0, 0, ...h, ...w, 0, 0], [4, 2])],
      [['Tpaddings', 'type', DT.int32]],
    );
  },
  keras: ({ config, name }) => call('layers.ZeroPadding2D', [py(config.padding)], [['name', py(name)]]),
});
