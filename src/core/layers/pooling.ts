// Pooling: windows (MaxPooling2D, AveragePooling2D) and the global average
// before the classifier (GlobalAveragePooling2D, the paper's last pooling).
import { z } from 'zod';
import { call, py } from '../export/kerasPython';
import { DT } from '../train/graph/addon';
import { defineLayer, LayerKind } from './kind';
import { ChannelsLast, IntPair, kerasPair, pair, Padding, tfPadding } from './options';

const Window = z.object({
  poolSize: IntPair,
  strides: IntPair.nullish(),
  padding: Padding,
  dataFormat: ChannelsLast,
});
type Window = z.infer<typeof Window>;

function windowPool(className: string, op: string): LayerKind<Window> {
  return defineLayer({
    className,
    config: Window,
    graph(c, { layer, config, name }, [x]) {
      const [ph, pw] = pair(config.poolSize, layer, 'pool size');
      const [sh, sw] = pair(config.strides ?? config.poolSize, layer, 'strides');
      return c.b.f(
        op,
        name,
        [x],
        [
          ['ksize', 'ints', [1, ph, pw, 1]],
          ['strides', 'ints', [1, sh, sw, 1]],
          ['padding', 'string', tfPadding(config.padding)],
          ['data_format', 'string', 'NHWC'],
        ],
      );
    },
    keras({ layer, config, name }) {
      const size = kerasPair(config.poolSize, layer, 'pool size');
      const strides = kerasPair(config.strides ?? config.poolSize, layer, 'strides');
      return call(
        `layers.${className}`,
        [size],
        [
          ['strides', strides === size ? undefined : strides],
          ['padding', py(config.padding)],
          ['name', py(name)],
        ],
      );
    },
  });
}

function globalPool(className: string, op: string): LayerKind<{ dataFormat?: 'channelsLast' }> {
  return defineLayer({
    className,
    config: z.object({ dataFormat: ChannelsLast }),
    graph: (c, { name }, [x]) =>
      c.b.f(op, name, [x, c.b.intConst(`${name}/axes`, [1, 2])], [['Tidx', 'type', DT.int32]]),
    keras: ({ name }) => call(`layers.${className}`, [], [['name', py(name)]]),
  });
}

export const maxPooling2d = windowPool('MaxPooling2D', 'MaxPool');
export const averagePooling2d = windowPool('AveragePooling2D', 'AvgPool');
export const globalAveragePooling2d = globalPool('GlobalAveragePooling2D', 'Mean');
export const globalMaxPooling2d = globalPool('GlobalMaxPooling2D', 'Max');
