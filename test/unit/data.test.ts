// Data sets: the CIFAR-10 binary and idx loaders against small files written
// here in the real formats, limits and validation split, every kind of bad
// file, the verified download against a local HTTP server, the synthetic
// generator, and batch making (mean subtraction, crop, flip).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { makeBatch, pixelMean } from '../../src/core/data/batches';
import { readCifarBatch } from '../../src/core/data/cifar10';
import { DataError, Split } from '../../src/core/data/dataset';
import { downloadVerified } from '../../src/core/data/download';
import { idxPath, readIdxPair } from '../../src/core/data/idx';
import { dataInfo, loadDataset } from '../../src/core/data/load';
import type { DataInfo } from '../../src/core/lib/types';
import { tempDir } from '../support/tempDir';

const tmpRoot = tempDir('data');
let dirCount = 0;
const freshDir = (name: string) => {
  const d = path.join(tmpRoot, `${dirCount++}-${name}`);
  fs.mkdirSync(d, { recursive: true });
  return d;
};

// ---------------------------------------------------------------- CIFAR-10

const RECORD = 1 + 3072;

/** Pixel byte of record `r` (unique per batch file via `fileSeed`), plane `c`, position p = y*32+x. */
const cifarByte = (fileSeed: number, r: number, c: number, p: number) =>
  (fileSeed * 31 + r * 17 + c * 85 + p * 7 + (p >> 5)) & 0xff;

interface CifarRecord {
  label: number;
  planes: Uint8Array;
} // planes: R(1024) G(1024) B(1024)

function cifarRecords(fileSeed: number, count: number): CifarRecord[] {
  return Array.from({ length: count }, (_, r) => {
    const planes = new Uint8Array(3072);
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) planes[c * 1024 + p] = cifarByte(fileSeed, r, c, p);
    return { label: (fileSeed * 3 + r) % 10, planes };
  });
}

function cifarBytes(records: CifarRecord[]): Buffer {
  const out = Buffer.alloc(records.length * RECORD);
  records.forEach((rec, i) => {
    out[i * RECORD] = rec.label;
    out.set(rec.planes, i * RECORD + 1);
  });
  return out;
}

/** Writes data_batch_1..5 (3 records each) and test_batch (4 records); returns what was written. */
function writeCifarFolder(dir: string): { train: CifarRecord[]; test: CifarRecord[] } {
  const train: CifarRecord[] = [];
  for (let b = 1; b <= 5; b++) {
    const recs = cifarRecords(b, 3);
    fs.writeFileSync(path.join(dir, `data_batch_${b}.bin`), cifarBytes(recs));
    train.push(...recs);
  }
  const test = cifarRecords(9, 4);
  fs.writeFileSync(path.join(dir, 'test_batch.bin'), cifarBytes(test));
  return { train, test };
}

/** Checks NHWC bytes against the R/G/B planes, pixel by pixel. */
function assertNhwc(split: Split, records: CifarRecord[], what: string): void {
  assert.equal(split.count, records.length, `${what}: count`);
  assert.equal(split.images.length, records.length * 3072, `${what}: image bytes`);
  assert.deepEqual(
    Array.from(split.labels),
    records.map((r) => r.label),
    `${what}: labels`,
  );
  records.forEach((rec, i) => {
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        for (let c = 0; c < 3; c++) {
          const got = split.images[i * 3072 + (y * 32 + x) * 3 + c];
          const want = rec.planes[c * 1024 + y * 32 + x];
          if (got !== want)
            assert.fail(`${what}: image ${i} pixel (${y}, ${x}) channel ${c} is ${got}, expected ${want}`);
        }
      }
    }
  });
}

describe('CIFAR-10 binary loader', () => {
  let dir: string;
  let written: { train: CifarRecord[]; test: CifarRecord[] };
  before(() => {
    dir = freshDir('cifar');
    written = writeCifarFolder(dir);
  });

  test('reads all five training batches in order and the test batch, planes converted to NHWC exactly', async () => {
    const ds = await loadDataset({ name: 'cifar10', dir });
    assert.deepEqual(ds.info, { inputShape: [32, 32, 3], numClasses: 10 });
    assert.equal(ds.classNames.length, 10);
    assert.equal(ds.classNames[0], 'airplane');
    assert.equal(ds.source, dir);
    assertNhwc(ds.train, written.train, 'train');
    assertNhwc(ds.test, written.test, 'test');
    assert.equal(ds.validation, undefined);
  });

  test('a parent folder holding cifar-10-batches-bin/ is accepted too', async () => {
    const parent = freshDir('cifar-parent');
    const inner = path.join(parent, 'cifar-10-batches-bin');
    fs.mkdirSync(inner);
    const w = writeCifarFolder(inner);
    const ds = await loadDataset({ name: 'cifar10', dir: parent, limitTrain: 2, limitTest: 1 });
    assert.equal(ds.source, inner);
    assertNhwc(ds.train, w.train.slice(0, 2), 'train');
    assertNhwc(ds.test, w.test.slice(0, 1), 'test');
  });

  test('limitTrain spans batch files in order, limitTest takes the first test records', async () => {
    const ds = await loadDataset({ name: 'cifar10', dir, limitTrain: 4, limitTest: 2 });
    // 3 records of data_batch_1 and the first of data_batch_2.
    assertNhwc(ds.train, written.train.slice(0, 4), 'train');
    assertNhwc(ds.test, written.test.slice(0, 2), 'test');
  });

  test('limitTrain stops before reading later batch files', async () => {
    const partial = freshDir('cifar-partial');
    const recs = cifarRecords(1, 3);
    fs.writeFileSync(path.join(partial, 'data_batch_1.bin'), cifarBytes(recs));
    fs.writeFileSync(path.join(partial, 'test_batch.bin'), cifarBytes(cifarRecords(9, 2)));
    const ds = await loadDataset({ name: 'cifar10', dir: partial, limitTrain: 3 });
    assertNhwc(ds.train, recs, 'train');
  });

  test('validationSplit holds out the last fraction of the (limited) training set', async () => {
    const ds = await loadDataset({ name: 'cifar10', dir, validationSplit: 0.2 });
    // 15 training records: round(15 * 0.2) = 3 held out.
    assertNhwc(ds.train, written.train.slice(0, 12), 'train');
    assertNhwc(ds.validation!, written.train.slice(12), 'validation');
    assertNhwc(ds.test, written.test, 'test');

    const limited = await loadDataset({ name: 'cifar10', dir, limitTrain: 8, validationSplit: 0.25 });
    assertNhwc(limited.train, written.train.slice(0, 6), 'limited train');
    assertNhwc(limited.validation!, written.train.slice(6, 8), 'limited validation');
  });

  test('a validationSplit outside (0, 1) is refused with the rule', async () => {
    await assert.rejects(
      loadDataset({ name: 'cifar10', dir, validationSplit: 1.5 }),
      /validationSplit must be between 0 and 1, got 1\.5/,
    );
  });

  test('a truncated batch file is a DataError naming the file and saying what to do', async () => {
    const bad = freshDir('cifar-truncated');
    writeCifarFolder(bad);
    const file = path.join(bad, 'data_batch_2.bin');
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 100));
    const err = await loadDataset({ name: 'cifar10', dir: bad }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof DataError, `expected a DataError, got ${String(err)}`);
    assert.equal(err.file, file);
    assert.ok(err.message.includes(file), err.message);
    assert.match(err.message, /truncated/);
    assert.match(err.message, new RegExp(`${3 * RECORD - 100} bytes is not a multiple of the ${RECORD}-byte record`));
    assert.match(err.message, /Delete the folder to download CIFAR-10 again/);
  });

  test('an empty batch file is refused the same way', () => {
    const file = path.join(freshDir('cifar-empty'), 'test_batch.bin');
    fs.writeFileSync(file, Buffer.alloc(0));
    assert.throws(
      () => readCifarBatch(file),
      (e: Error) => e instanceof DataError && e.message.includes(file) && /truncated/.test(e.message),
    );
  });

  test('a label byte above 9 is a corrupt record, named with its index', () => {
    const file = path.join(freshDir('cifar-label'), 'data_batch_1.bin');
    const recs = cifarRecords(1, 3);
    recs[2].label = 10;
    fs.writeFileSync(file, cifarBytes(recs));
    assert.throws(
      () => readCifarBatch(file),
      (e: Error) => {
        assert.ok(e instanceof DataError);
        assert.ok(e.message.includes(file), e.message);
        assert.match(e.message, /corrupt record 2: label 10 is not a class 0\.\.9/);
        assert.match(e.message, /Delete the folder|unpack cifar-10-binary/);
        return true;
      },
    );
    // A limit that stops before the bad record reads the good ones.
    assert.equal(readCifarBatch(file, 2).count, 2);
  });

  test('a missing training batch is a DataError naming it', async () => {
    const bad = freshDir('cifar-missing');
    writeCifarFolder(bad);
    const file = path.join(bad, 'data_batch_4.bin');
    fs.rmSync(file);
    const err = await loadDataset({ name: 'cifar10', dir: bad }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof DataError, `expected a DataError, got ${String(err)}`);
    assert.ok(err.message.includes(file), err.message);
    assert.match(err.message, /file not found/);
    assert.match(err.message, /Delete the folder to download CIFAR-10 again, or unpack/);
  });
});

// ---------------------------------------------------------------- idx

function idxImages(count: number, h: number, w: number, seed: number): { header: Buffer; pixels: Uint8Array } {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(0x00000803, 0);
  header.writeUInt32BE(count, 4);
  header.writeUInt32BE(h, 8);
  header.writeUInt32BE(w, 12);
  const pixels = new Uint8Array(count * h * w);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 13 + seed * 101 + (i >> 4)) & 0xff;
  return { header, pixels };
}

function idxLabels(labels: number[]): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(0x00000801, 0);
  header.writeUInt32BE(labels.length, 4);
  return Buffer.concat([header, Buffer.from(labels)]);
}

const TRAIN_LABELS = [5, 0, 4, 1, 9, 2];
const TEST_LABELS = [7, 2, 1];

/** An MNIST folder with a mix of gzipped and raw files. */
function writeMnistFolder(dir: string) {
  const train = idxImages(TRAIN_LABELS.length, 28, 28, 1);
  const test = idxImages(TEST_LABELS.length, 28, 28, 2);
  fs.writeFileSync(
    path.join(dir, 'train-images-idx3-ubyte.gz'),
    zlib.gzipSync(Buffer.concat([train.header, train.pixels])),
  );
  fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idxLabels(TRAIN_LABELS));
  fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), Buffer.concat([test.header, test.pixels]));
  fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'), zlib.gzipSync(idxLabels(TEST_LABELS)));
  return { train: train.pixels, test: test.pixels };
}

describe('idx loader (MNIST, Fashion-MNIST)', () => {
  test('reads gzipped and raw files into NHWC with one channel, byte for byte', async () => {
    const dir = freshDir('mnist');
    const pixels = writeMnistFolder(dir);
    const ds = await loadDataset({ name: 'mnist', dir });
    assert.deepEqual(ds.info, { inputShape: [28, 28, 1], numClasses: 10 });
    assert.deepEqual(dataInfo('mnist'), ds.info, 'known without loading: what a diagram builds for');
    assert.equal(ds.classNames[3], '3');
    assert.equal(ds.train.count, 6);
    assert.equal(ds.test.count, 3);
    assert.deepEqual(Array.from(ds.train.labels), TRAIN_LABELS);
    assert.deepEqual(Array.from(ds.test.labels), TEST_LABELS);
    assert.deepEqual(Buffer.from(ds.train.images), Buffer.from(pixels.train));
    assert.deepEqual(Buffer.from(ds.test.images), Buffer.from(pixels.test));
  });

  test('fashion-mnist uses its class names; limits and validationSplit apply', async () => {
    const dir = freshDir('fashion');
    const pixels = writeMnistFolder(dir);
    const ds = await loadDataset({ name: 'fashion-mnist', dir, limitTrain: 4, limitTest: 2, validationSplit: 0.25 });
    assert.equal(ds.classNames[9], 'Ankle boot');
    assert.equal(ds.train.count, 3);
    assert.equal(ds.validation!.count, 1);
    assert.equal(ds.test.count, 2);
    assert.deepEqual(Array.from(ds.train.labels), TRAIN_LABELS.slice(0, 3));
    assert.deepEqual(Array.from(ds.validation!.labels), [TRAIN_LABELS[3]]);
    assert.deepEqual(Buffer.from(ds.train.images), Buffer.from(pixels.train.subarray(0, 3 * 784)));
    assert.deepEqual(Buffer.from(ds.validation!.images), Buffer.from(pixels.train.subarray(3 * 784, 4 * 784)));
    assert.deepEqual(Buffer.from(ds.test.images), Buffer.from(pixels.test.subarray(0, 2 * 784)));
  });

  test('idxPath finds the raw or the .gz file, and names both when neither is there', () => {
    const dir = freshDir('idx-path');
    writeMnistFolder(dir);
    assert.equal(idxPath(dir, 'train-images-idx3-ubyte'), `${dir}/train-images-idx3-ubyte.gz`);
    assert.equal(idxPath(dir, 't10k-images-idx3-ubyte'), `${dir}/t10k-images-idx3-ubyte`);
    assert.throws(
      () => idxPath(dir, 'nothing-idx3-ubyte'),
      (e: Error) => {
        assert.ok(e instanceof DataError);
        assert.ok(e.message.includes(`${dir}/nothing-idx3-ubyte`), e.message);
        assert.match(e.message, /file not found/);
        assert.match(e.message, /Download the data set|copy the idx files/);
        return true;
      },
    );
  });

  const expectDataError = (fn: () => unknown, file: string, problem: RegExp) =>
    assert.throws(fn, (e: Error) => {
      assert.ok(e instanceof DataError, `expected a DataError, got ${e}`);
      assert.ok(e.message.includes(file), `"${e.message}" does not name ${file}`);
      assert.match(e.message, problem);
      assert.match(e.message, /Delete the file to download it again, or copy the original idx file/);
      return true;
    });

  test('a truncated idx file says how much the header promised', () => {
    const dir = freshDir('idx-truncated');
    const img = idxImages(3, 28, 28, 1);
    const file = path.join(dir, 'images');
    fs.writeFileSync(file, Buffer.concat([img.header, img.pixels.subarray(0, 2 * 784 + 10)]));
    fs.writeFileSync(path.join(dir, 'labels'), idxLabels([1, 2, 3]));
    expectDataError(
      () => readIdxPair(file, path.join(dir, 'labels')),
      file,
      new RegExp(`truncated: the header promises 3x28x28 bytes of data but the file holds ${2 * 784 + 10}`),
    );
  });

  test('a wrong magic number (labels file given as images) is named', () => {
    const dir = freshDir('idx-magic');
    const labels = path.join(dir, 'labels');
    fs.writeFileSync(labels, idxLabels([1, 2, 3]));
    expectDataError(
      () => readIdxPair(labels, labels),
      labels,
      /not an idx file of 3 dimension\(s\): magic number 0x00000801, expected 0x00000803/,
    );
    const tiny = path.join(dir, 'tiny');
    fs.writeFileSync(tiny, Buffer.from([1, 2]));
    expectDataError(() => readIdxPair(tiny, labels), tiny, /magic number nothing/);
  });

  test('a truncated gzip file is named as corrupt gzip data', () => {
    const dir = freshDir('idx-gzip');
    const img = idxImages(3, 28, 28, 1);
    const gz = zlib.gzipSync(Buffer.concat([img.header, img.pixels]));
    const file = path.join(dir, 'images.gz');
    fs.writeFileSync(file, gz.subarray(0, Math.floor(gz.length / 2)));
    fs.writeFileSync(path.join(dir, 'labels'), idxLabels([1, 2, 3]));
    expectDataError(() => readIdxPair(file, path.join(dir, 'labels')), file, /truncated or corrupt gzip data/);
  });

  test('a corrupt label and a label count that does not match the images name the labels file', () => {
    const dir = freshDir('idx-labels');
    const img = idxImages(3, 28, 28, 1);
    const images = path.join(dir, 'images');
    fs.writeFileSync(images, Buffer.concat([img.header, img.pixels]));
    const bad = path.join(dir, 'bad-labels');
    fs.writeFileSync(bad, idxLabels([1, 12, 3]));
    expectDataError(() => readIdxPair(images, bad), bad, /corrupt label 12 at index 1 \(expected 0\.\.9\)/);
    const short = path.join(dir, 'short-labels');
    fs.writeFileSync(short, idxLabels([1, 2]));
    expectDataError(
      () => readIdxPair(images, short),
      short,
      new RegExp(`2 labels for 3 images in ${images.replace(/[/\\.]/g, '\\$&')}`),
    );
  });

  test('a bad file inside loadDataset surfaces as the same DataError', async () => {
    const dir = freshDir('mnist-bad');
    writeMnistFolder(dir);
    const file = path.join(dir, 't10k-images-idx3-ubyte');
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 100));
    const err = await loadDataset({ name: 'mnist', dir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof DataError, `expected a DataError, got ${String(err)}`);
    assert.ok(err.message.includes(file), err.message);
    assert.match(err.message, /truncated/);
  });
});

// ---------------------------------------------------------------- download

describe('verified download from a local server', () => {
  let server: http.Server;
  let base: string;
  const requests: string[] = [];
  // 64 kB of seeded noise (incompressible, so it arrives in several chunks); its content doesn't matter here.
  const payload = Buffer.from(Array.from({ length: 65_536 }, (_, i) => (Math.imul(i + 1, 2654435761) >>> 13) & 0xff));
  const md5 = crypto.createHash('md5').update(payload).digest('hex');

  before(async () => {
    server = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url?.endsWith('train-images-idx3-ubyte.gz') || req.url === '/data.gz') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(payload.length) });
        // In two chunks, so progress is reported more than once.
        res.write(payload.subarray(0, 10_000));
        setTimeout(() => res.end(payload.subarray(10_000)), 5);
      } else if (req.url === '/cut.gz') {
        // Promises the whole file, sends a part, then drops the connection.
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(payload.length) });
        res.write(payload.subarray(0, 20_000));
        setTimeout(() => res.socket?.destroy(), 20);
      } else {
        res.writeHead(404);
        res.end('not here');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('downloads once, verifies the md5, reports progress in bytes', async () => {
    const dir = path.join(freshDir('dl'), 'nested');
    const progress: { file: string; received: number; total?: number }[] = [];
    const before = requests.length;
    const target = await downloadVerified({ url: `${base}data.gz`, md5, name: 'data.gz' }, dir, (p) =>
      progress.push(p),
    );
    assert.equal(target, path.join(dir, 'data.gz'));
    assert.deepEqual(fs.readFileSync(target), payload);
    assert.deepEqual(fs.readdirSync(dir), ['data.gz'], 'no .part file left behind');
    assert.ok(progress.length >= 2, `progress reported ${progress.length} time(s)`);
    assert.ok(progress.every((p) => p.file === 'data.gz' && p.total === payload.length));
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i].received > progress[i - 1].received);
    assert.equal(progress[progress.length - 1].received, payload.length);
    assert.equal(requests.length - before, 1);

    // Second call: the file is there, nothing is fetched.
    const again = await downloadVerified({ url: `${base}data.gz`, md5, name: 'data.gz' }, dir);
    assert.equal(again, target);
    assert.equal(requests.length - before, 1);
  });

  test('a checksum mismatch leaves no file behind and says so', async () => {
    const dir = freshDir('dl-md5');
    const wrong = '0'.repeat(32);
    const target = path.join(dir, 'data.gz');
    await assert.rejects(downloadVerified({ url: `${base}data.gz`, md5: wrong, name: 'data.gz' }, dir), (e: Error) => {
      assert.ok(e instanceof DataError);
      assert.ok(e.message.includes(target), e.message);
      assert.match(e.message, new RegExp(`checksum mismatch after download \\(md5 ${md5}, expected ${wrong}\\)`));
      assert.match(e.message, /try again/);
      return true;
    });
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  test('HTTP errors and an unreachable server are DataErrors that name the target file', async () => {
    const dir = freshDir('dl-404');
    await assert.rejects(downloadVerified({ url: `${base}missing.gz`, md5, name: 'missing.gz' }, dir), (e: Error) => {
      assert.ok(e instanceof DataError);
      assert.ok(e.message.includes(path.join(dir, 'missing.gz')), e.message);
      assert.match(e.message, /failed with HTTP 404/);
      assert.match(e.message, /Download it by hand and put it at/);
      return true;
    });
    // A port nobody listens on: open a server, note its port, close it.
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await assert.rejects(
      downloadVerified({ url: `http://127.0.0.1:${port}/x.gz`, md5, name: 'x.gz' }, dir),
      (e: Error) => {
        assert.ok(e instanceof DataError);
        assert.ok(e.message.includes(path.join(dir, 'x.gz')), e.message);
        assert.match(e.message, /could not download/);
        assert.match(e.message, /Check the network/);
        return true;
      },
    );
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  test('a connection dropped mid-download is a DataError naming the file, and leaves no .part file', async () => {
    const dir = freshDir('dl-cut');
    const target = path.join(dir, 'cut.gz');
    const err = await downloadVerified({ url: `${base}cut.gz`, md5, name: 'cut.gz' }, dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof Error, 'the download must fail');
    assert.deepEqual(fs.readdirSync(dir), [], 'a partial download must not stay on disk');
    assert.ok(err instanceof DataError, `expected a DataError, got ${err?.constructor?.name}: ${err?.message}`);
    assert.ok(err.message.includes(target), err.message);
    assert.match(err.message, /try again|Check the network|by hand/);
  });

  test('loadDataset downloads missing idx files from the mirror into <cacheDir>/<name> and checks them', async () => {
    const cacheDir = freshDir('cache');
    const before = requests.length;
    // The served file is not the real MNIST file, so the published md5 cannot match.
    const err = await loadDataset({ name: 'mnist' }, { cacheDir, mirrors: { mnist: base } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.deepEqual(requests.slice(before), ['/train-images-idx3-ubyte.gz']);
    const target = path.join(cacheDir, 'mnist', 'train-images-idx3-ubyte.gz');
    assert.ok(err instanceof DataError, `expected a DataError, got ${String(err)}`);
    assert.ok(err.message.includes(target), err.message);
    assert.match(
      err.message,
      new RegExp(`checksum mismatch after download \\(md5 ${md5}, expected f68b3c2dcbeaaa9fbdd348bbdeb94873\\)`),
    );
    assert.deepEqual(fs.readdirSync(path.join(cacheDir, 'mnist')), []);
  });
});

// ---------------------------------------------------------------- synthetic

describe('synthetic data', () => {
  test('same seed gives identical bytes, another seed different ones; 32x32x3, balanced labels', async () => {
    const a = await loadDataset({ name: 'synthetic', trainSize: 256, testSize: 128, seed: 4 });
    const b = await loadDataset({ name: 'synthetic', trainSize: 256, testSize: 128, seed: 4 });
    const c = await loadDataset({ name: 'synthetic', trainSize: 256, testSize: 128, seed: 5 });
    assert.deepEqual(a.info, { inputShape: [32, 32, 3], numClasses: 10 });
    assert.deepEqual(dataInfo('synthetic'), a.info, 'known without loading: what a diagram builds for');
    assert.equal(a.source, 'generated');
    assert.equal(a.train.count, 256);
    assert.equal(a.test.count, 128);
    assert.equal(a.train.images.length, 256 * 32 * 32 * 3);
    assert.equal(a.test.images.length, 128 * 32 * 32 * 3);
    assert.ok(Buffer.from(a.train.images).equals(Buffer.from(b.train.images)));
    assert.ok(Buffer.from(a.test.images).equals(Buffer.from(b.test.images)));
    assert.ok(!Buffer.from(a.train.images).equals(Buffer.from(c.train.images)));
    assert.ok(!Buffer.from(a.test.images).equals(Buffer.from(c.test.images)));
    // Train and test are different draws.
    assert.ok(!Buffer.from(a.train.images.subarray(0, 128 * 3072)).equals(Buffer.from(a.test.images)));
    for (const split of [a.train, a.test]) {
      const counts = new Array<number>(10).fill(0);
      for (const l of split.labels) counts[l]++;
      assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `unbalanced: ${counts}`);
      assert.equal(
        counts.reduce((s, n) => s + n, 0),
        split.count,
      );
    }
    // Images are not blank: many distinct byte values.
    assert.ok(new Set(a.train.images.subarray(0, 3072)).size > 20);
  });

  test('limitTrain / limitTest / validationSplit apply to synthetic data as well', async () => {
    const full = await loadDataset({ name: 'synthetic', trainSize: 256, testSize: 128, seed: 4 });
    const ds = await loadDataset({
      name: 'synthetic',
      trainSize: 256,
      testSize: 128,
      seed: 4,
      limitTrain: 100,
      limitTest: 50,
      validationSplit: 0.1,
    });
    assert.equal(ds.train.count, 90);
    assert.equal(ds.validation!.count, 10);
    assert.equal(ds.test.count, 50);
    assert.ok(Buffer.from(ds.train.images).equals(Buffer.from(full.train.images.subarray(0, 90 * 3072))));
    assert.ok(
      Buffer.from(ds.validation!.images).equals(Buffer.from(full.train.images.subarray(90 * 3072, 100 * 3072))),
    );
    assert.deepEqual(Array.from(ds.validation!.labels), Array.from(full.train.labels.subarray(90, 100)));
  });

  test('an unknown data set name is refused with the list of names', async () => {
    await assert.rejects(
      loadDataset({ name: 'imagenet' as 'mnist' }),
      /unknown data set "imagenet": use synthetic, cifar10, mnist or fashion-mnist/,
    );
  });
});

// ---------------------------------------------------------------- batches

describe('batches: mean subtraction and augmentation', () => {
  const info: DataInfo = { inputShape: [4, 5, 3], numClasses: 10 };
  const size = 4 * 5 * 3;
  const count = 3;
  const images = new Uint8Array(count * size);
  for (let i = 0; i < images.length; i++) images[i] = (i * 37 + 11) & 0xff;
  const split: Split = { images, labels: new Uint8Array([7, 1, 4]), count };
  const at = (img: number, y: number, x: number, c: number) => images[img * size + (y * 5 + x) * 3 + c];

  test('pixelMean is the per-pixel mean over the split, in [0, 1]', () => {
    const mean = pixelMean(split, info);
    assert.equal(mean.length, size);
    for (let p = 0; p < size; p++) {
      const want = Math.fround((images[p] + images[size + p] + images[2 * size + p]) / count / 255);
      assert.equal(mean[p], want, `pixel ${p}`);
    }
  });

  test('without augmentation a batch is exactly image/255 - mean, in the order of the indices', () => {
    const mean = pixelMean(split, info);
    const batch = makeBatch(split, [2, 0], info, mean, false);
    assert.equal(batch.size, 2);
    assert.deepEqual(Array.from(batch.labels), [4, 7]);
    assert.equal(batch.x.length, 2 * size);
    [2, 0].forEach((img, b) => {
      for (let p = 0; p < size; p++)
        assert.equal(batch.x[b * size + p], Math.fround(images[img * size + p] / 255 - mean[p]));
    });
    // The mean image of the whole split maps to zero on average.
    const all = makeBatch(split, [0, 1, 2], info, mean, false);
    for (let p = 0; p < size; p++) assert.ok(Math.abs(all.x[p] + all.x[size + p] + all.x[2 * size + p]) < 1e-6);
  });

  test('augmentation with pad 0 and no flip is the identity', () => {
    const mean = pixelMean(split, info);
    let calls = 0;
    const rng = () => {
      calls++;
      return (calls * 0.618034) % 1;
    };
    const plain = makeBatch(split, [0, 1, 2], info, mean, false);
    const aug = makeBatch(split, [0, 1, 2], info, mean, { pad: 0, flip: false }, rng);
    assert.deepEqual(Array.from(aug.x), Array.from(plain.x));
    assert.deepEqual(Array.from(aug.labels), Array.from(plain.labels));
  });

  test('a flip mirrors each row exactly', () => {
    const zero = new Float32Array(size);
    const flipped = makeBatch(split, [1], info, zero, { pad: 0, flip: true }, () => 0); // rng 0 < 0.5: flip
    const kept = makeBatch(split, [1], info, zero, { pad: 0, flip: true }, () => 0.75); // 0.75 >= 0.5: no flip
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 5; x++) {
        for (let c = 0; c < 3; c++) {
          assert.equal(flipped.x[(y * 5 + x) * 3 + c], Math.fround(at(1, y, 4 - x, c) / 255), `(${y}, ${x}, ${c})`);
          assert.equal(kept.x[(y * 5 + x) * 3 + c], Math.fround(at(1, y, x, c) / 255));
        }
      }
    }
  });

  test('a crop shifts the image and fills the padding with zeros after mean subtraction', () => {
    const mean = pixelMean(split, info);
    // pad 1: rng 0 gives offsets dy = dx = -1 (the crop starts in the padding); then flip is off.
    const seq = [0, 0, 0.9];
    let k = 0;
    const batch = makeBatch(split, [0], info, mean, { pad: 1, flip: true }, () => seq[k++]);
    assert.equal(k, 3);
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 5; x++) {
        for (let c = 0; c < 3; c++) {
          const got = batch.x[(y * 5 + x) * 3 + c];
          if (y === 0 || x === 0) assert.equal(got, 0, `padding at (${y}, ${x})`);
          else
            assert.equal(
              got,
              Math.fround(at(0, y - 1, x - 1, c) / 255 - mean[((y - 1) * 5 + x - 1) * 3 + c]),
              `(${y}, ${x}, ${c})`,
            );
        }
      }
    }
  });
});
