// The test images of a run's data set, read from where the data set lives on
// this machine (never downloaded here: the panel shows what is there), for the
// thumbnails of a confusion cell. Only the data set's own test files are read,
// and the images are used only when their labels are the run's own
// (predictions.bin): a data folder that holds other images is refused.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CIFAR10_TEST_FILE, readCifarBatch } from '../data/cifar10';
import type { Split } from '../data/dataset';
import { idxPath, readIdxPair } from '../data/idx';
import { defaultCacheDir } from '../data/load';
import { mixSeed } from '../data/random';
import { generateSplit, SYNTHETIC_INFO } from '../data/synthetic';
import type { DataSpec } from '../lib/data';

export interface TestImages {
  split: Split;
  /** Height, width, channels. */
  shape: [number, number, number];
}

function dataDir(spec: DataSpec): string {
  return path.resolve(spec.dir ?? path.join(defaultCacheDir(), spec.name));
}

/** The test split of `spec` as training read it (limitTest included); throws, saying where it looked, when it is not here. */
export function readTestImages(spec: DataSpec): TestImages {
  switch (spec.name) {
    case 'synthetic': {
      const split = generateSplit(spec.testSize ?? 1000, mixSeed(spec.seed ?? 0, 2));
      return { split, shape: [...SYNTHETIC_INFO.inputShape] };
    }
    case 'cifar10': {
      const dir = dataDir(spec);
      const file = [dir, path.join(dir, 'cifar-10-batches-bin')]
        .map((d) => path.join(d, CIFAR10_TEST_FILE))
        .find((f) => fs.existsSync(f));
      if (!file)
        throw new Error(`the CIFAR-10 test images are not on this machine (no ${CIFAR10_TEST_FILE} in ${dir})`);
      return { split: readCifarBatch(file, spec.limitTest), shape: [32, 32, 3] };
    }
    case 'mnist':
    case 'fashion-mnist': {
      const dir = dataDir(spec);
      const split = readIdxPair(
        idxPath(dir, 't10k-images-idx3-ubyte'),
        idxPath(dir, 't10k-labels-idx1-ubyte'),
        spec.limitTest,
      );
      return { split, shape: [split.height, split.width, 1] };
    }
    default:
      throw new Error(`no test images for the data set "${String((spec as { name: unknown }).name)}"`);
  }
}

/** The test images, checked against the labels the run stored: the same images in the same order, or an Error. */
export function matchingTestImages(spec: DataSpec, labels: Uint8Array): TestImages {
  const images = readTestImages(spec);
  const { split } = images;
  if (split.count !== labels.length || split.labels.some((l, i) => l !== labels[i]))
    throw new Error(
      `the ${spec.name} test images on this machine are not the ones the run was tested on (${split.count} images, the run had ${labels.length})`,
    );
  return images;
}
