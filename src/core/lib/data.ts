// Data set descriptions as plain objects: an experiment names its data, the
// trainer loads it (see src/core/data). Input shape and class count come from
// the data set, not from the model.
export type DataName = 'synthetic' | 'cifar10' | 'mnist' | 'fashion-mnist';

export interface DataSpec {
  name: DataName;
  /** Folder with the data set's files; downloaded there when missing (real data sets only). */
  dir?: string;
  /** Use only the first N training / test examples. */
  limitTrain?: number;
  limitTest?: number;
  /** Hold out this fraction of the training set as validation data (reported as `valError`). */
  validationSplit?: number;
  /** Synthetic data only: how it is generated. */
  seed?: number;
  trainSize?: number;
  testSize?: number;
}

type Options = Omit<DataSpec, 'name'>;

/** The embedded default: 10 classes of 32x32 colour images, generated from a seed, no download. */
export const synthetic = (o: Options = {}): DataSpec => ({ name: 'synthetic', ...o });
/** CIFAR-10, binary version (`data_batch_1.bin` ... `test_batch.bin`). */
export const cifar10 = (o: Options = {}): DataSpec => ({ name: 'cifar10', ...o });
/** MNIST in the idx format, 28x28x1. */
export const mnist = (o: Options = {}): DataSpec => ({ name: 'mnist', ...o });
/** Fashion-MNIST in the idx format, 28x28x1. */
export const fashionMnist = (o: Options = {}): DataSpec => ({ name: 'fashion-mnist', ...o });
