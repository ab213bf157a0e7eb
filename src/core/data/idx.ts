// The idx format of MNIST and Fashion-MNIST: a big-endian header (magic
// 0x0803 for 3-d unsigned-byte images, 0x0801 for 1-d labels, then the
// dimension sizes) followed by the raw bytes, optionally gzipped.
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { DataError, Split } from './dataset';

export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const FASHION_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

const FIX = 'Delete the file to download it again, or copy the original idx file (gzipped or not) into the data folder';

/** Finds `name` or `name.gz` in `dir`. */
export function idxPath(dir: string, name: string): string {
  for (const candidate of [`${dir}/${name}`, `${dir}/${name}.gz`]) if (fs.existsSync(candidate)) return candidate;
  throw new DataError(
    `${dir}/${name}[.gz]`,
    'file not found',
    'Download the data set with --data-dir pointing to an empty folder, or copy the idx files there',
  );
}

function readMaybeGzip(file: string): Buffer {
  if (!fs.existsSync(file)) throw new DataError(file, 'file not found', FIX);
  const raw = fs.readFileSync(file);
  if (raw[0] !== 0x1f || raw[1] !== 0x8b) return raw;
  try {
    return zlib.gunzipSync(raw);
  } catch (e) {
    throw new DataError(file, `truncated or corrupt gzip data (${(e as Error).message})`, FIX);
  }
}

function readIdx(file: string, magic: number, dims: number): { sizes: number[]; data: Buffer } {
  const bytes = readMaybeGzip(file);
  const headerLength = 4 + 4 * dims;
  if (bytes.length < headerLength || bytes.readUInt32BE(0) !== magic) {
    const found = bytes.length >= 4 ? `0x${bytes.readUInt32BE(0).toString(16).padStart(8, '0')}` : 'nothing';
    throw new DataError(
      file,
      `not an idx file of ${dims} dimension(s): magic number ${found}, expected 0x${magic.toString(16).padStart(8, '0')}`,
      FIX,
    );
  }
  const sizes = Array.from({ length: dims }, (_, i) => bytes.readUInt32BE(4 + 4 * i));
  const expected = headerLength + sizes.reduce((a, b) => a * b, 1);
  if (bytes.length < expected) {
    throw new DataError(
      file,
      `truncated: the header promises ${sizes.join('x')} bytes of data but the file holds ${bytes.length - headerLength}`,
      FIX,
    );
  }
  return { sizes, data: bytes.subarray(headerLength, expected) };
}

/** Reads an images file and its labels file; images come out NHWC with one channel. */
export function readIdxPair(
  imagesFile: string,
  labelsFile: string,
  limit = Infinity,
): Split & { height: number; width: number } {
  const images = readIdx(imagesFile, 0x00000803, 3);
  const labels = readIdx(labelsFile, 0x00000801, 1);
  const [n, height, width] = images.sizes;
  if (labels.sizes[0] !== n) {
    throw new DataError(labelsFile, `${labels.sizes[0]} labels for ${n} images in ${imagesFile}`, FIX);
  }
  const count = Math.min(n, limit);
  const labelBytes = new Uint8Array(labels.data.subarray(0, count));
  const bad = labelBytes.findIndex((l) => l > 9);
  if (bad >= 0)
    throw new DataError(labelsFile, `corrupt label ${labelBytes[bad]} at index ${bad} (expected 0..9)`, FIX);
  return {
    images: new Uint8Array(images.data.subarray(0, count * height * width)),
    labels: labelBytes,
    count,
    height,
    width,
  };
}
