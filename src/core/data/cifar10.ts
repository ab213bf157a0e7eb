// CIFAR-10, binary version: each record is 1 label byte then 3072 pixel bytes
// as three 32x32 planes (R, G, B). We store NHWC, as tfjs convolutions expect.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError, Split } from './dataset';

export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];
export const CIFAR10_TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
export const CIFAR10_TEST_FILE = 'test_batch.bin';
const RECORD = 1 + 32 * 32 * 3;
const FIX =
  'Delete the folder to download CIFAR-10 again, or unpack cifar-10-binary.tar.gz from the official site into it';

/** Parses one batch file; `limit` stops early so a small run doesn't decode 50k images. */
export function readCifarBatch(file: string, limit = Infinity): Split {
  if (!fs.existsSync(file)) throw new DataError(file, 'file not found', FIX);
  const bytes = fs.readFileSync(file);
  if (bytes.length === 0 || bytes.length % RECORD !== 0) {
    throw new DataError(
      file,
      `truncated or not a CIFAR-10 binary batch (${bytes.length} bytes is not a multiple of the ${RECORD}-byte record)`,
      FIX,
    );
  }
  const count = Math.min(bytes.length / RECORD, limit);
  const images = new Uint8Array(count * 3072);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const rec = i * RECORD;
    const label = bytes[rec];
    if (label > 9) throw new DataError(file, `corrupt record ${i}: label ${label} is not a class 0..9`, FIX);
    labels[i] = label;
    for (let p = 0; p < 1024; p++) {
      const o = i * 3072 + p * 3;
      images[o] = bytes[rec + 1 + p];
      images[o + 1] = bytes[rec + 1 + 1024 + p];
      images[o + 2] = bytes[rec + 1 + 2048 + p];
    }
  }
  return { images, labels, count };
}

export function concatSplits(parts: Split[]): Split {
  const count = parts.reduce((s, p) => s + p.count, 0);
  const images = new Uint8Array(parts.reduce((s, p) => s + p.images.length, 0));
  const labels = new Uint8Array(count);
  let io = 0,
    lo = 0;
  for (const p of parts) {
    images.set(p.images, io);
    io += p.images.length;
    labels.set(p.labels, lo);
    lo += p.count;
  }
  return { images, labels, count };
}

/** Reads the training batches in order until `limit` examples are in. */
export function readCifar10(dir: string, limitTrain?: number, limitTest?: number): { train: Split; test: Split } {
  const parts: Split[] = [];
  let need = limitTrain ?? Infinity;
  for (const name of CIFAR10_TRAIN_FILES) {
    if (need <= 0) break;
    const part = readCifarBatch(path.join(dir, name), need);
    parts.push(part);
    need -= part.count;
  }
  return { train: concatSplits(parts), test: readCifarBatch(path.join(dir, CIFAR10_TEST_FILE), limitTest) };
}
