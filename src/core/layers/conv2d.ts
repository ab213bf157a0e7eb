// Conv2D: y = activation(conv(x, kernel) + bias). Its kernel is [kh, kw, in, out]
// in tfjs, TensorFlow and Keras alike.
import { z } from 'zod';
import { call, py } from '../export/kerasPython';
import { applyActivation, variableOf } from './graphOps';
import { defineLayer } from './kind';
import { ActivationName, ChannelsLast, IntPair, kerasActivation, kerasPair, pair, Padding, tfPadding } from './options';

export const conv2d = defineLayer({
  className: 'Conv2D',
  config: z.object({
    filters: z.number().int(),
    kernelSize: IntPair,
    strides: IntPair.default(1),
    padding: Padding,
    dataFormat: ChannelsLast,
    dilationRate: IntPair.default(1),
    useBias: z.boolean().default(true),
    activation: ActivationName,
  }),
  graph(c, { layer, config, name }, [x]) {
    const [sh, sw] = pair(config.strides, layer, 'strides');
    const [dh, dw] = pair(config.dilationRate, layer, 'dilation');
    let y = c.b.f(
      'Conv2D',
      name,
      [x, variableOf(c, layer, 'kernel')!.read],
      [
        ['strides', 'ints', [1, sh, sw, 1]],
        ['padding', 'string', tfPadding(config.padding)],
        ['dilations', 'ints', [1, dh, dw, 1]],
        ['data_format', 'string', 'NHWC'],
      ],
    );
    const bias = config.useBias ? variableOf(c, layer, 'bias') : undefined;
    if (bias) y = c.b.f('BiasAdd', `${name}/bias`, [y, bias.read]);
    return applyActivation(c, layer, y, config.activation, name, 4);
  },
  keras({ layer, config, name, linear }) {
    const dilation = kerasPair(config.dilationRate, layer, 'dilation');
    const strides = kerasPair(config.strides, layer, 'strides');
    return call(
      'layers.Conv2D',
      [String(config.filters), kerasPair(config.kernelSize, layer, 'kernel size')],
      [
        ['strides', strides === '1' ? undefined : strides],
        ['padding', py(config.padding)],
        ['dilation_rate', dilation === '1' ? undefined : dilation],
        ['use_bias', config.useBias ? undefined : 'False'],
        ['activation', linear ? undefined : kerasActivation(layer, config.activation)],
        ['name', py(name)],
      ],
    );
  },
  weights: ['kernel', 'bias'],
});
