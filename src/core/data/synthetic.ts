// The embedded default data set: 10 classes of 32x32 colour images drawn from
// a seed, so the first run needs no download. Colours, positions, sizes and
// noise are random; only the shape or texture tells the class, so a net has
// to learn spatial features (a colour histogram gets nowhere).
import type { DataSpec } from '../lib/data';
import type { DataInfo } from '../lib/types';
import { Dataset, Split } from './dataset';
import { gaussian, mixSeed, mulberry32, Rng } from './random';

export const SYNTHETIC_CLASSES = [
  'disc',
  'square',
  'triangle',
  'plus',
  'ring',
  'h-stripes',
  'v-stripes',
  'diagonal',
  'checker',
  'x-cross',
];

const SIZE = 32;

export const SYNTHETIC_INFO: DataInfo = { inputShape: [SIZE, SIZE, 3], numClasses: SYNTHETIC_CLASSES.length };

/** Coverage (0..1) of pixel (x, y) by the class's pattern, centred at (cx, cy) with scale r. */
type Pattern = (x: number, y: number, cx: number, cy: number, r: number, period: number) => number;

const patterns: Pattern[] = [
  (x, y, cx, cy, r) => (Math.hypot(x - cx, y - cy) <= r ? 1 : 0),
  (x, y, cx, cy, r) => (Math.abs(x - cx) <= r * 0.85 && Math.abs(y - cy) <= r * 0.85 ? 1 : 0),
  (x, y, cx, cy, r) => {
    const top = cy - r,
      bottom = cy + r * 0.8;
    if (y < top || y > bottom) return 0;
    const half = ((y - top) / (bottom - top)) * r;
    return Math.abs(x - cx) <= half ? 1 : 0;
  },
  (x, y, cx, cy, r) =>
    (Math.abs(x - cx) <= r * 0.3 && Math.abs(y - cy) <= r) || (Math.abs(y - cy) <= r * 0.3 && Math.abs(x - cx) <= r)
      ? 1
      : 0,
  (x, y, cx, cy, r) => {
    const d = Math.hypot(x - cx, y - cy);
    return d <= r && d >= r * 0.55 ? 1 : 0;
  },
  (_x, y, _cx, cy, _r, p) => (Math.floor((y - cy) / (p / 2)) & 1 ? 1 : 0),
  (x, _y, cx, _cy, _r, p) => (Math.floor((x - cx) / (p / 2)) & 1 ? 1 : 0),
  (x, y, cx, cy, _r, p) => (Math.floor((x - cx + y - cy) / (p * 0.7)) & 1 ? 1 : 0),
  (x, y, cx, cy, _r, p) => ((Math.floor((x - cx) / (p / 2)) + Math.floor((y - cy) / (p / 2))) & 1 ? 1 : 0),
  (x, y, cx, cy, r) => (Math.abs(Math.abs(x - cx) - Math.abs(y - cy)) <= r * 0.3 && Math.abs(x - cx) <= r ? 1 : 0),
];

function randomColour(rng: Rng): [number, number, number] {
  return [rng(), rng(), rng()];
}

function luminance(c: number[]): number {
  return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
}

function drawImage(label: number, rng: Rng, out: Uint8Array, offset: number): void {
  const fg = randomColour(rng);
  let bg = randomColour(rng);
  // Keep the shape visible: retry background colours until the contrast is clear.
  for (let i = 0; i < 20 && Math.abs(luminance(fg) - luminance(bg)) < 0.3; i++) bg = randomColour(rng);
  const r = 6 + rng() * 7;
  const cx = r + rng() * (SIZE - 2 * r);
  const cy = r + rng() * (SIZE - 2 * r);
  const period = 4 + Math.floor(rng() * 5);
  const noise = 0.04 + rng() * 0.08;
  const pattern = patterns[label];
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const m = pattern(x + 0.5, y + 0.5, cx, cy, r, period);
      for (let c = 0; c < 3; c++) {
        const v = bg[c] * (1 - m) + fg[c] * m + noise * gaussian(rng);
        out[offset + (y * SIZE + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v * 255)));
      }
    }
  }
}

export function generateSplit(count: number, seed: number): Split {
  const rng = mulberry32(seed);
  const images = new Uint8Array(count * SIZE * SIZE * 3);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % SYNTHETIC_CLASSES.length; // balanced classes; the trainer shuffles
    drawImage(labels[i], rng, images, i * SIZE * SIZE * 3);
  }
  return { images, labels, count };
}

export function syntheticDataset(spec: DataSpec): Dataset {
  const seed = spec.seed ?? 0;
  return {
    spec,
    info: { inputShape: [...SYNTHETIC_INFO.inputShape], numClasses: SYNTHETIC_INFO.numClasses },
    classNames: SYNTHETIC_CLASSES,
    train: generateSplit(spec.trainSize ?? 5000, mixSeed(seed, 1)),
    test: generateSplit(spec.testSize ?? 1000, mixSeed(seed, 2)),
    source: 'generated',
  };
}
