// Shortcut connections of He et al. 2015, Section 3.3:
//   option A: identity; when the shape changes, subsample by the stride and
//             pad the new channels with zeros (no parameters),
//   option B: identity, but a 1x1 projection where the shape changes,
//   option C: a 1x1 projection on every shortcut.
import * as tf from '@tensorflow/tfjs';
import { batchNorm, conv } from './layers';

export type ShortcutOption = 'A' | 'B' | 'C';

interface ZeroPadConfig {
  stride: number;
  outChannels: number;
  name?: string;
}

/**
 * Option A as a layer, so a model that uses it can be saved and loaded with
 * `model.save` / `tf.loadLayersModel` (it is registered for serialisation).
 * Subsamples by taking every `stride`-th pixel (as a strided 1x1 identity
 * convolution would) and appends zero channels up to `outChannels`.
 */
export class ZeroPadShortcut extends tf.layers.Layer {
  static className = 'ZeroPadShortcut';
  readonly stride: number;
  readonly outChannels: number;

  constructor(config: ZeroPadConfig) {
    super({ name: config.name });
    this.stride = config.stride;
    this.outChannels = config.outChannels;
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, h, w] = inputShape as tf.Shape;
    const sub = (d: number | null) => (d == null ? null : Math.ceil(d / this.stride));
    return [n, sub(h), sub(w), this.outChannels];
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const c = x.shape[3];
      const s = this.stride;
      const sub = s === 1 ? x : subsample(x, s);
      const extra = this.outChannels - c;
      return extra > 0
        ? tf.pad(sub, [
            [0, 0],
            [0, 0],
            [0, 0],
            [0, extra],
          ])
        : sub;
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), stride: this.stride, outChannels: this.outChannels };
  }
}
tf.serialization.registerClass(ZeroPadShortcut);

/**
 * x[:, ::s, ::s, :] built from reshape and slice, because tfjs has no
 * gradient for stridedSlice. Odd sizes are padded up first; the padding
 * never lands on a sampled position.
 */
function subsample(x: tf.Tensor4D, s: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const ho = Math.ceil(h / s),
    wo = Math.ceil(w / s);
  const padded =
    ho * s === h && wo * s === w
      ? x
      : tf.pad(x, [
          [0, 0],
          [0, ho * s - h],
          [0, wo * s - w],
          [0, 0],
        ]);
  const grouped = tf.reshape(padded, [n, ho, s, wo, s, c]);
  return tf.reshape(tf.slice(grouped, [0, 0, 0, 0, 0, 0], [n, ho, 1, wo, 1, c]), [n, ho, wo, c]);
}

/** The shortcut branch of a residual unit: identity, zero-padding or projection. */
export function shortcut(
  x: tf.SymbolicTensor,
  opts: { filters: number; stride: number; option: ShortcutOption; name: string },
): tf.SymbolicTensor {
  const inChannels = x.shape[x.shape.length - 1] as number;
  const shapeChanges = opts.stride !== 1 || inChannels !== opts.filters;
  if (opts.option === 'C' || (opts.option === 'B' && shapeChanges)) {
    const projected = conv(x, {
      filters: opts.filters,
      kernelSize: 1,
      strides: opts.stride,
      name: `${opts.name}/proj`,
    });
    return batchNorm(projected, `${opts.name}/proj_bn`);
  }
  if (!shapeChanges) return x;
  return new ZeroPadShortcut({ stride: opts.stride, outChannels: opts.filters, name: `${opts.name}/pad` }).apply(
    x,
  ) as tf.SymbolicTensor;
}
