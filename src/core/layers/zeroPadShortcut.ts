// Option A's shortcut (He et al. 2015, Sec. 3.3; src/core/lib/shortcuts.ts):
// x[:, ::s, ::s, :], then zero channels appended — no parameters. model.py
// defines a Keras layer of the same name.
import { z } from 'zod';
import { call, py } from '../export/kerasPython';
import { DT } from '../train/graph/addon';
import { defineLayer } from './kind';

export const zeroPadShortcut = defineLayer({
  className: 'ZeroPadShortcut',
  config: z.object({ stride: z.number().int(), outChannels: z.number().int() }),
  graph(c, { config, name, inputShapes: [inputShape] }, [x]) {
    const stride = config.stride;
    const inChannels = inputShape[3] as number;
    const sub =
      stride === 1
        ? x
        : c.b.f(
            'StridedSlice',
            `${name}/subsample`,
            [
              x,
              c.b.intConst(`${name}/begin`, [0, 0, 0, 0]),
              c.b.intConst(`${name}/end`, [0, 0, 0, 0]),
              c.b.intConst(`${name}/strides`, [1, stride, stride, 1]),
            ],
            [
              ['Index', 'type', DT.int32],
              ['begin_mask', 'int', 15],
              ['end_mask', 'int', 15],
            ],
          );
    const extra = config.outChannels - inChannels;
    if (extra <= 0) return sub;
    return c.b.f(
      'Pad',
      name,
      [sub, c.b.intConst(`${name}/pads`, [0, 0, 0, 0, 0, 0, 0, extra], [4, 2])],
      [['Tpaddings', 'type', DT.int32]],
    );
  },
  keras: ({ config, name }) =>
    call(
      'ZeroPadShortcut',
      [],
      [
        ['stride', py(config.stride)],
        ['out_channels', py(config.outChannels)],
        ['name', py(name)],
      ],
    ),
});
