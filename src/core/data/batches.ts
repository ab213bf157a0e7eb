// Turns byte images into float batches: per-pixel mean subtraction and the
// paper's augmentation (zero-pad, random crop back to size, horizontal flip).
// Plain typed-array loops: a CIFAR batch is 400k values, far cheaper than a
// training step, and no tensors are made until the batch is ready.
import type { DataInfo } from '../lib/types';
import { Split } from './dataset';
import { Rng } from './random';

export interface Augment {
  pad: number;
  flip: boolean;
}

/** Mean image of a split, in [0, 1]: the "per-pixel mean" of He et al. Section 4.2. */
export function pixelMean(split: Split, info: DataInfo): Float32Array {
  const size = info.inputShape[0] * info.inputShape[1] * info.inputShape[2];
  const sum = new Float64Array(size);
  for (let i = 0; i < split.count; i++) {
    const o = i * size;
    for (let p = 0; p < size; p++) sum[p] += split.images[o + p];
  }
  const mean = new Float32Array(size);
  for (let p = 0; p < size; p++) mean[p] = sum[p] / Math.max(1, split.count) / 255;
  return mean;
}

export interface Batch {
  x: Float32Array;
  labels: Int32Array;
  size: number;
}

export function makeBatch(
  split: Split,
  indices: ArrayLike<number>,
  info: DataInfo,
  mean: Float32Array,
  augment: Augment | false,
  rng?: Rng,
): Batch {
  const [h, w, c] = info.inputShape;
  const size = h * w * c;
  const n = indices.length;
  const x = new Float32Array(n * size);
  const labels = new Int32Array(n);
  for (let b = 0; b < n; b++) {
    const src = indices[b] * size;
    const dst = b * size;
    labels[b] = split.labels[indices[b]];
    let dy = 0,
      dx = 0,
      flip = false;
    if (augment && rng) {
      // Offset of the crop inside the padded image, relative to the original.
      dy = Math.floor(rng() * (2 * augment.pad + 1)) - augment.pad;
      dx = Math.floor(rng() * (2 * augment.pad + 1)) - augment.pad;
      flip = augment.flip && rng() < 0.5;
    }
    for (let y = 0; y < h; y++) {
      const sy = y + dy;
      for (let xx = 0; xx < w; xx++) {
        const sx = (flip ? w - 1 - xx : xx) + dx;
        const o = dst + (y * w + xx) * c;
        if (sy < 0 || sy >= h || sx < 0 || sx >= w) continue; // zero padding
        const s = (sy * w + sx) * c;
        for (let k = 0; k < c; k++) x[o + k] = split.images[src + s + k] / 255 - mean[s + k];
      }
    }
  }
  return { x, labels, size: n };
}
