// Residual units. Each one is `y = add([shortcut(x), F(x)])` with the ReLU
// placement of its paper; the plain unit is the same F without the addition.
import * as tf from '@tensorflow/tfjs';
import { add, batchNorm, conv, relu } from './layers';
import { shortcut, ShortcutOption } from './shortcuts';

export interface BlockOptions {
  filters: number;
  stride?: number;
  shortcut?: ShortcutOption;
  name: string;
}

/** F(x) of Fig. 2: two 3x3 convs, batch norm after each, ReLU between; the first may downsample. */
function twoConvs(x: tf.SymbolicTensor, o: BlockOptions): tf.SymbolicTensor {
  let f = conv(x, { filters: o.filters, kernelSize: 3, strides: o.stride ?? 1, name: `${o.name}/conv1` });
  f = batchNorm(f, `${o.name}/bn1`);
  f = relu(f, `${o.name}/relu1`);
  f = conv(f, { filters: o.filters, kernelSize: 3, name: `${o.name}/conv2` });
  return batchNorm(f, `${o.name}/bn2`);
}

/** He et al. 2015, Fig. 2: two 3x3 convs; ReLU after the addition. */
export function basicBlock(x: tf.SymbolicTensor, o: BlockOptions): tf.SymbolicTensor {
  const f = twoConvs(x, o);
  const s = shortcut(x, {
    filters: o.filters,
    stride: o.stride ?? 1,
    option: o.shortcut ?? 'A',
    name: `${o.name}/shortcut`,
  });
  const y = add([s, f], `${o.name}/add`); // y = x + F(x)
  return relu(y, `${o.name}/relu2`);
}

/** The same two convs with no shortcut: the "plain" baseline of Fig. 6. */
export function plainBlock(x: tf.SymbolicTensor, o: BlockOptions): tf.SymbolicTensor {
  const f = twoConvs(x, o);
  return relu(f, `${o.name}/relu2`); // y = F(x): no shortcut
}

/**
 * He et al. 2015, Fig. 5 right: 1x1 reduce, 3x3, 1x1 expand to 4x `filters`.
 * Deeper ImageNet nets use it with projection shortcuts (option B).
 */
export function bottleneckBlock(x: tf.SymbolicTensor, o: BlockOptions & { expansion?: number }): tf.SymbolicTensor {
  const stride = o.stride ?? 1;
  const out = o.filters * (o.expansion ?? 4);
  let f = conv(x, { filters: o.filters, kernelSize: 1, name: `${o.name}/conv1` });
  f = batchNorm(f, `${o.name}/bn1`);
  f = relu(f, `${o.name}/relu1`);
  f = conv(f, { filters: o.filters, kernelSize: 3, strides: stride, name: `${o.name}/conv2` });
  f = batchNorm(f, `${o.name}/bn2`);
  f = relu(f, `${o.name}/relu2`);
  f = conv(f, { filters: out, kernelSize: 1, name: `${o.name}/conv3` });
  f = batchNorm(f, `${o.name}/bn3`);
  const s = shortcut(x, { filters: out, stride, option: o.shortcut ?? 'B', name: `${o.name}/shortcut` });
  const y = add([s, f], `${o.name}/add`); // y = x + F(x)
  return relu(y, `${o.name}/relu3`);
}

/**
 * He et al. 2016 (Identity Mappings), Fig. 4e: BN -> ReLU -> conv, twice, and
 * nothing after the addition, so the identity path stays clean end to end.
 * When the shape changes the shortcut starts from the pre-activated input, as
 * in the paper's code.
 */
export function preActBlock(x: tf.SymbolicTensor, o: BlockOptions): tf.SymbolicTensor {
  const stride = o.stride ?? 1;
  const inChannels = x.shape[3] as number;
  let preact = batchNorm(x, `${o.name}/bn1`);
  preact = relu(preact, `${o.name}/relu1`);
  let f = conv(preact, { filters: o.filters, kernelSize: 3, strides: stride, name: `${o.name}/conv1` });
  f = batchNorm(f, `${o.name}/bn2`);
  f = relu(f, `${o.name}/relu2`);
  f = conv(f, { filters: o.filters, kernelSize: 3, name: `${o.name}/conv2` });
  const shapeChanges = stride !== 1 || inChannels !== o.filters;
  const s = shortcut(shapeChanges ? preact : x, {
    filters: o.filters,
    stride,
    option: o.shortcut ?? 'A',
    name: `${o.name}/shortcut`,
  });
  return add([s, f], `${o.name}/add`); // y = x + F(x), nothing after it
}
