// One entry point for every data set: local folder first, download when the
// files are missing (real data sets), then limits and validation split.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar';
import type { DataName, DataSpec } from '../lib/data';
import type { DataInfo } from '../lib/types';
import { CIFAR10_CLASSES, CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, readCifar10 } from './cifar10';
import { Dataset, DataError, splitValidation, takeFirst } from './dataset';
import { downloadVerified, Progress, RemoteFile } from './download';
import { FASHION_CLASSES, MNIST_CLASSES, idxPath, readIdxPair } from './idx';
import { SYNTHETIC_INFO, syntheticDataset } from './synthetic';

export interface LoadOptions {
  /** Default parent folder for downloads: `<cacheDir>/<data set>`. */
  cacheDir?: string;
  onProgress?: Progress;
  /** Where downloads come from; tests point this at a local server. */
  mirrors?: Partial<Record<'cifar10' | 'mnist' | 'fashion-mnist', string>>;
}

export const defaultCacheDir = () => path.join(os.homedir(), '.cache', 'resnet-lab', 'data');

/**
 * The shape of each data set's images and its number of classes, known
 * without reading it: building a model for a diagram needs no download.
 */
const INFO: Record<DataName, DataInfo> = {
  synthetic: SYNTHETIC_INFO,
  cifar10: { inputShape: [32, 32, 3], numClasses: 10 },
  mnist: { inputShape: [28, 28, 1], numClasses: 10 },
  'fashion-mnist': { inputShape: [28, 28, 1], numClasses: 10 },
};

export function dataInfo(name: DataName): DataInfo {
  const info = INFO[name];
  if (!info) throw new Error(`unknown data set "${name}": use ${Object.keys(INFO).join(', ')}`);
  return { inputShape: [...info.inputShape], numClasses: info.numClasses };
}

const CIFAR10_ARCHIVE = { name: 'cifar-10-binary.tar.gz', md5: 'c32a1d4ab5d03f1284b67883e8d87530' };
const IDX_FILES: Record<'mnist' | 'fashion-mnist', { base: string; md5: Record<string, string> }> = {
  mnist: {
    base: 'https://ossci-datasets.s3.amazonaws.com/mnist/',
    md5: {
      'train-images-idx3-ubyte.gz': 'f68b3c2dcbeaaa9fbdd348bbdeb94873',
      'train-labels-idx1-ubyte.gz': 'd53e105ee54ea40749a09fcbcd1e9432',
      't10k-images-idx3-ubyte.gz': '9fb629c4189551a2d022fa330f9573f3',
      't10k-labels-idx1-ubyte.gz': 'ec29112dd5afa0611ce80d1b7f02629c',
    },
  },
  'fashion-mnist': {
    base: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
    md5: {
      'train-images-idx3-ubyte.gz': '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
      'train-labels-idx1-ubyte.gz': '25c81989df183df01b3e8a0aad5dffbe',
      't10k-images-idx3-ubyte.gz': 'bef4ecab320f06d8554ea6380940ec79',
      't10k-labels-idx1-ubyte.gz': 'bb300cfdad3c16e7a12a480ee83cd310',
    },
  },
};

async function ensureCifar10(dir: string, o: LoadOptions): Promise<string> {
  // Accept both the folder itself and its parent holding cifar-10-batches-bin/.
  for (const candidate of [dir, path.join(dir, 'cifar-10-batches-bin')]) {
    if (fs.existsSync(path.join(candidate, CIFAR10_TEST_FILE))) return candidate;
  }
  const remote: RemoteFile = {
    ...CIFAR10_ARCHIVE,
    url: (o.mirrors?.cifar10 ?? 'https://www.cs.toronto.edu/~kriz/') + CIFAR10_ARCHIVE.name,
  };
  const archive = await downloadVerified(remote, dir, o.onProgress);
  try {
    await tar.x({ file: archive, cwd: dir });
  } catch (e) {
    throw new DataError(archive, `could not unpack (${(e as Error).message})`, 'Delete it to download again');
  }
  const unpacked = path.join(dir, 'cifar-10-batches-bin');
  for (const f of [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE]) {
    if (!fs.existsSync(path.join(unpacked, f)))
      throw new DataError(
        path.join(unpacked, f),
        'missing from the archive',
        'Delete the archive to download it again',
      );
  }
  return unpacked;
}

async function ensureIdx(name: 'mnist' | 'fashion-mnist', dir: string, o: LoadOptions): Promise<void> {
  const { base, md5 } = IDX_FILES[name];
  for (const [file, sum] of Object.entries(md5)) {
    const raw = file.replace(/\.gz$/, '');
    if (fs.existsSync(path.join(dir, raw)) || fs.existsSync(path.join(dir, file))) continue;
    await downloadVerified({ name: file, md5: sum, url: (o.mirrors?.[name] ?? base) + file }, dir, o.onProgress);
  }
}

async function loadRaw(spec: DataSpec, o: LoadOptions): Promise<Dataset> {
  const dir = path.resolve(spec.dir ?? path.join(o.cacheDir ?? defaultCacheDir(), spec.name));
  switch (spec.name) {
    case 'synthetic':
      return syntheticDataset(spec);
    case 'cifar10': {
      const folder = await ensureCifar10(dir, o);
      const { train, test } = readCifar10(folder, spec.limitTrain, spec.limitTest);
      return { spec, info: dataInfo('cifar10'), classNames: CIFAR10_CLASSES, train, test, source: folder };
    }
    case 'mnist':
    case 'fashion-mnist': {
      await ensureIdx(spec.name, dir, o);
      const train = readIdxPair(
        idxPath(dir, 'train-images-idx3-ubyte'),
        idxPath(dir, 'train-labels-idx1-ubyte'),
        spec.limitTrain,
      );
      const test = readIdxPair(
        idxPath(dir, 't10k-images-idx3-ubyte'),
        idxPath(dir, 't10k-labels-idx1-ubyte'),
        spec.limitTest,
      );
      const classNames = spec.name === 'mnist' ? MNIST_CLASSES : FASHION_CLASSES;
      return {
        spec,
        info: { inputShape: [train.height, train.width, 1], numClasses: 10 },
        classNames,
        train,
        test,
        source: dir,
      };
    }
    default:
      throw new Error(`unknown data set "${spec.name}": use synthetic, cifar10, mnist or fashion-mnist`);
  }
}

export async function loadDataset(spec: DataSpec, o: LoadOptions = {}): Promise<Dataset> {
  const ds = await loadRaw(spec, o);
  ds.train = takeFirst(ds.train, spec.limitTrain, ds.info);
  ds.test = takeFirst(ds.test, spec.limitTest, ds.info);
  if (spec.validationSplit) Object.assign(ds, splitValidation(ds.train, spec.validationSplit, ds.info));
  return ds;
}
