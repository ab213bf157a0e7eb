// predictions.bin: every test example's top-k classes and probabilities, one
// block per evaluation, so the panel can list the images of a confusion cell
// and show what the model thought of each. Bytes, not JSON: CIFAR-10's 10,000
// test images take 60 kB an epoch (k = 3), a 100,000-iteration run 16 MB.
//
//   header  16 bytes   "RLPR", version (u8), k (u8), classes (u16 LE), count (u32 LE), 0 (u32)
//   labels  count      the true class of each test example (u8), in the data set's order
//   blocks  count*k*2  per evaluation: top-k classes (u8, example-major), then their probabilities (u8, p*255)
//
// A block's offset is stored in its confusion.jsonl line (confusionRecords.ts),
// so a block left without a line by a crash, or a torn one, is never read.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PREDICTIONS_BIN } from './runFiles';

const MAGIC = 'RLPR';
const VERSION = 1;
export const HEADER_BYTES = 16;
/** Classes are stored as one byte each. */
export const MAX_PREDICTION_CLASSES = 256;

export interface PredictionsHeader {
  k: number;
  classes: number;
  count: number;
}

/** One evaluation's top-k, as the evaluator returns it: example n's j-th guess is classes[n*k+j] with probs[n*k+j]. */
export interface TopK {
  k: number;
  classes: ArrayLike<number>;
  probs: ArrayLike<number>;
}

export const blockBytes = (h: PredictionsHeader): number => h.count * h.k * 2;

function encodeHeader(h: PredictionsHeader): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b.write(MAGIC, 0, 'latin1');
  b.writeUInt8(VERSION, 4);
  b.writeUInt8(h.k, 5);
  b.writeUInt16LE(h.classes, 6);
  b.writeUInt32LE(h.count, 8);
  return b;
}

/** The header of a predictions.bin, or an Error saying what is wrong with it. */
export function decodeHeader(b: Buffer, file: string): PredictionsHeader {
  if (b.length < HEADER_BYTES || b.toString('latin1', 0, 4) !== MAGIC)
    throw new Error(`${file}: not a predictions file (no RLPR header)`);
  if (b.readUInt8(4) !== VERSION)
    throw new Error(`${file}: predictions file version ${b.readUInt8(4)}, this version reads ${VERSION}`);
  const h = { k: b.readUInt8(5), classes: b.readUInt16LE(6), count: b.readUInt32LE(8) };
  if (h.k < 1 || h.classes < 1 || h.classes > MAX_PREDICTION_CLASSES)
    throw new Error(`${file}: predictions header has k=${h.k}, ${h.classes} classes`);
  return h;
}

function encodeBlock(top: TopK, count: number): Buffer {
  const n = count * top.k;
  if (top.classes.length !== n || top.probs.length !== n)
    throw new Error(`predictions: expected ${n} top-${top.k} entries for ${count} examples, got ${top.classes.length}`);
  const b = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) {
    b[i] = top.classes[i];
    b[n + i] = Math.round(Math.min(1, Math.max(0, top.probs[i] || 0)) * 255);
  }
  return b;
}

/**
 * Appends one evaluation's block, writing the header and labels first when the
 * file is new; returns the block's offset. A file whose header is not this
 * test set's (damaged: a run's test set never changes, resumed or not) is
 * started afresh; confusion lines written before then may point past its end
 * (not read) or at a later block.
 */
export function appendPredictions(runDir: string, labels: ArrayLike<number>, classes: number, top: TopK): number {
  const file = path.join(runDir, PREDICTIONS_BIN);
  const header: PredictionsHeader = { k: top.k, classes, count: labels.length };
  let fresh = true;
  if (fs.existsSync(file)) {
    try {
      const fd = fs.openSync(file, 'r');
      const b = Buffer.alloc(HEADER_BYTES);
      fs.readSync(fd, b, 0, HEADER_BYTES, 0);
      fs.closeSync(fd);
      const h = decodeHeader(b, file);
      fresh = h.k !== header.k || h.classes !== header.classes || h.count !== header.count;
    } catch {
      fresh = true;
    }
  }
  if (fresh) fs.writeFileSync(file, Buffer.concat([encodeHeader(header), Buffer.from(Uint8Array.from(labels))]));
  const offset = fs.statSync(file).size;
  fs.appendFileSync(file, encodeBlock(top, labels.length));
  return offset;
}

/** An open predictions.bin: its header and labels, read once; blocks on demand. */
export interface PredictionsReader {
  header: PredictionsHeader;
  labels: Uint8Array;
  /** The block at `offset`: top-k classes and probabilities (0..1), or undefined when the file does not hold it whole. */
  block(offset: number): { classes: Uint8Array; probs: Float32Array } | undefined;
}

/** Undefined when the run has no predictions.bin; throws when it is not one. */
export function openPredictions(runDir: string): PredictionsReader | undefined {
  const file = path.join(runDir, PREDICTIONS_BIN);
  if (!fs.existsSync(file)) return undefined;
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(HEADER_BYTES);
    fs.readSync(fd, head, 0, HEADER_BYTES, 0);
    const header = decodeHeader(head, file);
    const labels = new Uint8Array(header.count);
    if (fs.readSync(fd, labels, 0, header.count, HEADER_BYTES) !== header.count)
      throw new Error(`${file}: the labels are cut short`);
    const bytes = blockBytes(header);
    const first = HEADER_BYTES + header.count;
    return {
      header,
      labels,
      block(offset) {
        if (!Number.isInteger(offset) || offset < first) return undefined;
        const b = Buffer.alloc(bytes);
        const f = fs.openSync(file, 'r');
        try {
          if (fs.readSync(f, b, 0, bytes, offset) !== bytes) return undefined;
        } finally {
          fs.closeSync(f);
        }
        const n = header.count * header.k;
        return { classes: new Uint8Array(b.subarray(0, n)), probs: Float32Array.from(b.subarray(n), (v) => v / 255) };
      },
    };
  } finally {
    fs.closeSync(fd);
  }
}
