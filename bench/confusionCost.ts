/**
 * What the confusion matrix costs a training run (issue 22), in native graph
 * mode as `train` runs it: the test pass with each example's top-3 against the
 * same pass without, plus writing confusion.jsonl and predictions.bin, as a
 * share of a CIFAR-10 epoch (390 steps of batch 128 and the test pass).
 * Each depth runs in its own child process; bench/train.ts prints the rows.
 *
 *   node --import tsx bench/confusionCost.ts --depth 20 [--test 2560]   (one child: prints JSON)
 */
import { spawnSync } from 'node:child_process';
import { nativeResNet } from './nativeModel';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CIFAR_TEST = 10_000;
const STEPS_PER_EPOCH = 390;

export interface ConfusionCost {
  depth: number;
  stepMs: number;
  evalMs: number;
  topMs: number;
  writeMs: number;
  share: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function measure(depth: number, batch: number, testCount: number): Promise<ConfusionCost> {
  const { tf, info, model } = await nativeResNet(depth);
  const { GraphStepper } = await import('../src/core/train/graph/graphStepper');
  const { recordConfusion } = await import('../src/core/confusion/record');
  const { mulberry32 } = await import('../src/core/data/random');
  const rng = mulberry32(7);
  const batchOf = (size: number) => ({
    x: Float32Array.from({ length: size * 3072 }, () => rng() - 0.5),
    labels: Int32Array.from({ length: size }, () => Math.floor(rng() * 10)),
    size,
  });
  const layerOf = model.trainableWeights.map((v) => model.layers.find((l) => l.trainableWeights.includes(v))!.name);
  const stepper = GraphStepper.create({ tf, model, info, optimizer: { momentum: 0.9, weightDecay: 1e-4 }, layerOf });
  const train = batchOf(batch);
  const test = Array.from({ length: Math.ceil(testCount / 256) }, (_, i) =>
    batchOf(Math.min(256, testCount - i * 256)),
  );
  const timed = async (f: () => Promise<unknown>) => {
    const t0 = performance.now();
    await f();
    return performance.now() - t0;
  };
  await stepper.step(train, 0.01, false);
  const steps: number[] = [];
  for (let i = 0; i < (depth > 20 ? 3 : 5); i++) steps.push(await timed(() => stepper.step(train, 0.01, false)));
  await stepper.evaluate(test, true);
  // Interleaved, so a burst of load from elsewhere hits both alike; each keeps its least disturbed round.
  const plain: number[] = [],
    withTop: number[] = [];
  for (let round = 0; round < 3; round++) {
    plain.push(await timed(() => stepper.evaluate(test, false)));
    withTop.push(await timed(() => stepper.evaluate(test, true)));
  }
  await stepper.dispose();
  model.dispose();
  // The files of a CIFAR-10 epoch: 10,000 labels and top-3s.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-bench-confusion-'));
  const labels = Uint8Array.from({ length: CIFAR_TEST }, () => Math.floor(rng() * 10));
  const top = {
    k: 3,
    classes: Int32Array.from({ length: 3 * CIFAR_TEST }, () => Math.floor(rng() * 10)),
    probs: Float32Array.from({ length: 3 * CIFAR_TEST }, () => rng()),
  };
  const writes: number[] = [];
  for (let epoch = 1; epoch <= 5; epoch++) {
    const t0 = performance.now();
    recordConfusion(dir, { epoch, iteration: epoch * STEPS_PER_EPOCH }, labels, 10, top);
    writes.push(performance.now() - t0);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const scale = CIFAR_TEST / testCount;
  const stepMs = median(steps);
  const evalMs = Math.min(...plain) * scale;
  // Below the noise the difference can come out negative: kept as measured, counted as zero.
  const topMs = (Math.min(...withTop) - Math.min(...plain)) * scale;
  const writeMs = median(writes);
  return {
    depth,
    stepMs,
    evalMs,
    topMs,
    writeMs,
    share: (Math.max(0, topMs) + writeMs) / (STEPS_PER_EPOCH * stepMs + evalMs),
  };
}

/** One line per depth for bench/train.ts, each measured in its own child process. */
export function confusionCostLines(depths: number[], batch: number, quick: boolean): string[] {
  return depths.map((depth) => {
    const p = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        __filename,
        '--depth',
        String(depth),
        '--batch',
        String(batch),
        '--test',
        quick ? '1024' : '2560',
      ],
      { encoding: 'utf8', timeout: 600_000 },
    );
    const last = p.stdout?.trim().split('\n').pop() ?? '';
    if (p.status !== 0 || !last.startsWith('{'))
      return `ResNet-${depth} confusion matrix: not measured (${(p.stderr || p.error?.message || 'no output').trim().split('\n').pop()})`;
    const c = JSON.parse(last) as ConfusionCost;
    const epochMs = STEPS_PER_EPOCH * c.stepMs + c.evalMs;
    return `ResNet-${depth} confusion matrix (graph mode): top-3 in the test pass ${c.topMs > 0 ? `+${c.topMs.toFixed(0)} ms` : `within noise (${c.topMs.toFixed(0)} ms)`}, confusion.jsonl + predictions.bin ${c.writeMs.toFixed(1)} ms per epoch = ${(100 * c.share).toFixed(2)}% of a CIFAR-10 epoch (${(epochMs / 1000).toFixed(1)} s: ${STEPS_PER_EPOCH} steps of batch ${batch} and the 10,000-image test pass); goal < 1%`;
  });
}

if (require.main === module) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : undefined;
  };
  measure(arg('depth') ?? 20, arg('batch') ?? 128, arg('test') ?? 2560)
    .then((c) => console.log(JSON.stringify(c)))
    .catch((e: Error) => {
      console.error(e.message);
      process.exit(1);
    });
}
