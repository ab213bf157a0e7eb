import type { DataInfo } from '../lib/types';
import type { DataSpec } from '../lib/data';

/** Images as bytes, NHWC; labels as class indices. Bytes keep CIFAR-10 at 150 MB instead of 600 MB of floats. */
export interface Split {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export interface Dataset {
  spec: DataSpec;
  info: DataInfo;
  classNames: string[];
  train: Split;
  test: Split;
  validation?: Split;
  /** Where the examples came from, for run.json: a folder or "generated". */
  source: string;
}

/** A data problem the user can fix: names the file and says what to do. */
export class DataError extends Error {
  constructor(
    readonly file: string,
    problem: string,
    fix: string,
  ) {
    super(`${file}: ${problem}. ${fix}`);
    this.name = 'DataError';
  }
}

export function pixelsPerImage(info: DataInfo): number {
  return info.inputShape[0] * info.inputShape[1] * info.inputShape[2];
}

export function takeFirst(split: Split, n: number | undefined, info: DataInfo): Split {
  if (n === undefined || n >= split.count) return split;
  const size = pixelsPerImage(info);
  return { images: split.images.subarray(0, n * size), labels: split.labels.subarray(0, n), count: n };
}

/** Holds out the last `fraction` of the training examples, as Keras' validationSplit does. */
export function splitValidation(train: Split, fraction: number, info: DataInfo): { train: Split; validation: Split } {
  if (!(fraction > 0 && fraction < 1)) throw new Error(`validationSplit must be between 0 and 1, got ${fraction}`);
  const size = pixelsPerImage(info);
  const nVal = Math.max(1, Math.round(train.count * fraction));
  const nTrain = train.count - nVal;
  return {
    train: { images: train.images.subarray(0, nTrain * size), labels: train.labels.subarray(0, nTrain), count: nTrain },
    validation: { images: train.images.subarray(nTrain * size), labels: train.labels.subarray(nTrain), count: nVal },
  };
}
