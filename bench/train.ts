/**
 * Training and inference throughput of ResNet-20 and ResNet-56 (CIFAR shape
 * 32x32x3, 10 classes, option-A shortcuts) on every available tfjs backend,
 * next to the same model and recipe in PyTorch, measured in one run.
 *
 *   npm run bench [-- --quick] [-- --json] [-- --steps N] [-- --batch 128]
 *                 [-- --backends wasm,tensorflow,cpu,torch] [-- --workers N]
 *
 * Each measurement runs in its own child process, so that every backend gets
 * a fresh heap and its own peak RSS (the wasm heap never shrinks). The tfjs
 * children use the real training step: src/core/train/steps.ts `trainStep`
 * with the `Sgd` optimizer of src/core/train/optimizer.ts (momentum 0.9,
 * weight decay 1e-4), and `evaluate` for inference, on random data. Warm-up
 * steps are not timed; rates come from the median step time.
 *
 *   wasm        initWasm: XNNPACK convs, our conv gradients and fast kernels;
 *               with --workers N (N > 1) also data-parallel over N worker
 *               threads (src/core/train/parallel), each with its own wasm
 *               backend and batch/N images, in the same run as 1 worker
 *   tensorflow  @tensorflow/tfjs-node, when it loads, op by op (eager)
 *   graph       the same native backend in graph mode (src/core/train/graph):
 *               the whole step as one TensorFlow graph, as `train` runs it;
 *               and one distribution record (bench/distributions.ts): its
 *               share of training time at the default interval, after the table
 *   train       the real thing: `resnet-lab train examples/paper-cifar.ts
 *               resnet<depth> --backend tensorflow` (graph mode, the default),
 *               3 short epochs; images/s is the median of the per-iteration
 *               rates in its metrics.jsonl, memory the trainer's RSS at the
 *               end of each epoch (flat unless something leaks)
 *   keras-jax   the exported project's train.py on Keras 3's JAX backend (CPU
 *               here): `train --engine keras --keras-backend jax`, the same
 *               command as `train`; its label gives its share of step time
 *               spent waiting for data (run.json's dataWaitShare)
 *   tf-python   TensorFlow's own graph mode on the same model and recipe
 *               (bench/tf_resnet.py, Keras 3, step in tf.function), under the
 *               Python that setup-native built against
 *   cpu         inference only, one small batch: its training (~0.1 img/s)
 *               would take the whole time budget
 *   torch       bench/torch_resnet.py under Debian's /usr/bin/python3 with
 *               python3-torch, with all cores and with one thread (tfjs wasm
 *               runs on one thread in Node)
 *
 * After the table: the data pipeline timed on its own (bench/pipeline.ts), as
 * a share of a training step, and what the trainer waits for it with the next
 * batch made on its own thread; and the confusion matrix's cost per epoch in
 * graph mode (bench/confusionCost.ts), as a share of a CIFAR-10 epoch; and
 * the gradient by path length per path, one graph against op by op
 * (bench/pathsCost.ts).
 *
 * The machine is shared and noisy: compare ratios within one run. --json
 * prints one JSON object as the last line (ResNet-20 at the chosen batch):
 *   { backend, workers, trainImagesPerSec, torchTrainImagesPerSec, ... }
 * where the headline is the N-worker wasm row with --workers N, and
 * trainImagesPerSecByWorkers / workerSpeedup / workerPeakMB compare it with 1.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kerasUnavailable, tfPython } from '../src/core/export/tfPython';
import { graphAddonPath, nativeBackendAvailable } from '../src/core/native/detectNative';
import { confusionCostLines } from './confusionCost';
import { dataPipeline } from './pipeline';
import { distributionLine, distributionMs } from './distributions';
import { pathsCostLines } from './pathsCost';

// ------------------------------------------------------------------- options

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

type Engine = 'wasm' | 'tensorflow' | 'graph' | 'train' | 'keras-jax' | 'cpu' | 'torch' | 'tf-python';

/** What one child process measures. */
interface Job {
  engine: Engine;
  depth: number;
  batch: number;
  /** Training: untimed warm-up steps, then at least `steps` timed ones (0: no training). */
  warmup: number;
  steps: number;
  inferSteps: number;
  /** Keep timing until this much time has passed too (at most 4x the steps). */
  minSeconds: number;
  /** torch only; 0 = torch's default. */
  threads?: number;
  /** wasm only: data-parallel worker threads (> 1). */
  workers?: number;
}

interface Result {
  engine: Engine;
  label: string;
  depth: number;
  batch: number;
  trainImagesPerSec?: number;
  inferImagesPerSec?: number;
  inferBatch?: number;
  trainSteps?: number;
  inferSteps?: number;
  peakRssMB?: number;
  threads?: number;
  seconds?: number;
  skipped?: string;
  /** Rounds run, and the train rate of each, when more than one. */
  rounds?: number;
  trainImagesPerSecRounds?: number[];
  workers?: number;
  /**
   * Training: CPU time of the whole process (all threads) per image, ms, and
   * the cores it kept busy on average. On a shared machine the wall-clock
   * rate depends on the other load; CPU per image says whether N workers do
   * more work than one for the same images.
   */
  trainCpuMsPerImage?: number;
  trainCores?: number;
  /** train: the trainer's RSS at the end of each epoch, MB. */
  rssByEpochMB?: number[];
  /** graph: one distribution record (weights synced, probe sampled), median ms (bench/distributions.ts). */
  distributionMs?: number;
  /** Data-parallel jobs: each worker's peak WebAssembly heap and V8 heap, MB. */
  workerPeaks?: { wasmMB: number; heapMB: number }[];
}

// --------------------------------------------------------------------- child

/** Runs one job in this process (a tfjs backend) and prints its result as JSON. */
async function child(jobArg: Job): Promise<void> {
  let job = jobArg;
  const tf = await import('@tensorflow/tfjs');
  const { setInitSeed, resnetCifar } = await import('../src/core/lib');
  const { Sgd } = await import('../src/core/train/optimizer');
  const { trainStep, evaluate } = await import('../src/core/train/steps');

  if (job.engine === 'wasm') {
    const { initWasm } = await import('../src/core/backend/wasmConvGrads');
    await initWasm(tf);
  } else if (job.engine === 'tensorflow' || job.engine === 'graph') {
    const { loadTfjsNode } = await import('../src/core/native/loadNative');
    loadTfjsNode(tf);
    if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend did not initialise');
  } else {
    if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
  }
  await tf.ready();

  const info = { inputShape: [32, 32, 3] as [number, number, number], numClasses: 10 };
  setInitSeed(1);
  const model = resnetCifar({ depth: job.depth, shortcut: 'A' })(info);
  const rng = mulberry32(7);
  const batchOf = (size: number) => ({
    x: Float32Array.from({ length: size * 32 * 32 * 3 }, () => rng() - 0.5),
    labels: Int32Array.from({ length: size }, () => Math.floor(rng() * 10)),
    size,
  });
  const batch = batchOf(job.batch);
  const out: Result = { engine: job.engine, label: job.engine, depth: job.depth, batch: job.batch };

  if (job.steps > 0 && (job.workers ?? 1) > 1) {
    const { DataParallel } = await import('../src/core/train/parallel/dataParallel');
    const layerOf = model.trainableWeights.map(
      (v) => model.layers.find((l) => l.trainableWeights.includes(v))?.name ?? v.name,
    );
    const dp = await DataParallel.create({
      tf,
      model,
      info,
      workers: job.workers!,
      momentum: 0.9,
      weightDecay: 1e-4,
      layerOf,
      batchSize: job.batch,
    });
    try {
      const times = await cpuTimed(out, job.batch, () => dp.step(batch, 0.01, false), job);
      out.trainImagesPerSec = job.batch / median(times);
      out.trainSteps = times.length;
      out.workers = job.workers;
      out.workerPeaks = dp
        .memory()
        .map((m) => ({ wasmMB: m.peakWasmBytes / 2 ** 20, heapMB: m.peakHeapBytes / 2 ** 20 }));
    } finally {
      await dp.dispose();
    }
  } else if (job.engine === 'graph') {
    const { GraphStepper } = await import('../src/core/train/graph/graphStepper');
    const layerOf = model.trainableWeights.map(
      (v) => model.layers.find((l) => l.trainableWeights.includes(v))?.name ?? v.name,
    );
    const stepper = GraphStepper.create({ tf, model, info, optimizer: { momentum: 0.9, weightDecay: 1e-4 }, layerOf });
    if (job.steps > 0) {
      const times = await cpuTimed(out, job.batch, () => stepper.step(batch, 0.01, false), job);
      out.trainImagesPerSec = job.batch / median(times);
      out.trainSteps = times.length;
      out.distributionMs = await distributionMs(tf, model, stepper);
    }
    if (job.inferSteps > 0) {
      await stepper.evaluate([batch]);
      const times = await timed(() => stepper.evaluate([batch]), 0, job.inferSteps, job.minSeconds);
      out.inferImagesPerSec = job.batch / median(times);
      out.inferSteps = times.length;
      out.inferBatch = job.batch;
      job = { ...job, inferSteps: 0 };
    }
    await stepper.dispose();
  } else if (job.steps > 0) {
    const vars = model.trainableWeights;
    const sgd = new Sgd(tf, vars, { momentum: 0.9, weightDecay: 1e-4 });
    const layerOf = vars.map((v) => model.layers.find((l) => l.trainableWeights.includes(v))?.name ?? v.name);
    const ctx = {
      tf,
      model,
      info,
      vars,
      layerOf,
      apply: (g: import('@tensorflow/tfjs').Tensor[], lr: number) => sgd.apply(g, lr),
    };
    const times = await cpuTimed(out, job.batch, () => trainStep(ctx, batch, 0.01, false), job);
    out.trainImagesPerSec = job.batch / median(times);
    out.trainSteps = times.length;
    sgd.dispose();
  }
  if (job.inferSteps > 0) {
    // cpu: warm up on a tiny batch, its full-size batches take seconds each
    const warm = job.engine === 'cpu' ? batchOf(2) : batch;
    await evaluate(tf, model, info, [warm]);
    const times = await timed(() => evaluate(tf, model, info, [batch]), 0, job.inferSteps, job.minSeconds);
    out.inferImagesPerSec = job.batch / median(times);
    out.inferSteps = times.length;
    out.inferBatch = job.batch;
  }
  model.dispose();
  out.peakRssMB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify(out));
}

/**
 * Seconds per call: warm-up calls, then at least `steps` timed ones and
 * `minSeconds` in all (at most 4 * steps); under heavy load, no more than
 * MAX_SECONDS once two steps are in.
 */
async function timed(f: () => Promise<unknown>, warmup: number, steps: number, minSeconds: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await f();
  const times: number[] = [];
  const start = performance.now();
  const elapsed = () => (performance.now() - start) / 1000;
  while (times.length < steps || (elapsed() < minSeconds && times.length < 4 * steps)) {
    if (times.length >= Math.min(2, steps) && elapsed() > MAX_SECONDS) break;
    const t = performance.now();
    await f();
    times.push((performance.now() - t) / 1000);
  }
  return times;
}

/** `timed`, recording the process's CPU time (all threads) over the timed steps in `out`. */
async function cpuTimed(out: Result, batch: number, f: () => Promise<unknown>, job: Job): Promise<number[]> {
  await timed(f, job.warmup, 0, 0);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const times = await timed(f, 0, job.steps, job.minSeconds);
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  out.trainCpuMsPerImage = cpuMs / (times.length * batch);
  out.trainCores = cpuMs / (performance.now() - t0);
  return times;
}

/** Time budget of one timed phase (train or inference) of one job, seconds. */
const MAX_SECONDS = 40;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

// -------------------------------------------------------------------- parent

const PYTHON = '/usr/bin/python3';
const TIMEOUT_MS = 15 * 60 * 1000;

function runJob(job: Job, label: string): Result {
  if (job.engine === 'train' || job.engine === 'keras-jax') return runTrainCommand(job, label);
  const started = performance.now();
  const python = job.engine === 'torch' || job.engine === 'tf-python';
  const proc = python
    ? spawnSync(
        job.engine === 'torch' ? PYTHON : tfPython(),
        [
          path.join(__dirname, job.engine === 'torch' ? 'torch_resnet.py' : 'tf_resnet.py'),
          ...['--depth', job.depth, '--batch', job.batch, '--steps', job.steps, '--warmup', job.warmup].map(String),
          ...['--infer-steps', job.inferSteps, '--min-seconds', job.minSeconds, '--max-seconds', MAX_SECONDS].map(
            String,
          ),
          ...(job.engine === 'torch' ? ['--threads', String(job.threads ?? 0)] : []),
        ],
        { encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 64 << 20 },
      )
    : spawnSync(process.execPath, ['--import', 'tsx', process.argv[1], '--child', JSON.stringify(job)], {
        encoding: 'utf8',
        timeout: TIMEOUT_MS,
        maxBuffer: 64 << 20,
      });
  const seconds = (performance.now() - started) / 1000;
  const base: Result = { engine: job.engine, label, depth: job.depth, batch: job.batch, seconds };
  const last = (proc.stdout ?? '').trim().split('\n').pop() ?? '';
  if (proc.status === 0 && last.startsWith('{')) {
    const r = JSON.parse(last) as Result & { threads?: number };
    return { ...r, ...base, engine: job.engine, label, threads: r.threads };
  }
  const why =
    proc.error?.message ?? (proc.stderr ?? '').trim().split('\n').filter(Boolean).slice(-1)[0] ?? `exit ${proc.status}`;
  return { ...base, skipped: `failed: ${why.slice(0, 160)}` };
}

/**
 * `resnet-lab train` on the native backend, or the exported train.py on Keras 3's JAX backend (`--engine keras`),
 * read back from its run folder: the same command, data and recipe either way.
 */
function runTrainCommand(job: Job, label: string): Result {
  const started = performance.now();
  const base: Result = { engine: job.engine, label, depth: job.depth, batch: job.batch };
  const perEpoch = Math.max(2, Math.ceil((job.warmup + job.steps) / 2));
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-bench-'));
  try {
    const proc = spawnSync(
      process.execPath,
      [
        path.join(__dirname, '..', 'dist', 'cli.js'),
        'train',
        path.join(__dirname, '..', 'examples', 'paper-cifar.ts'),
        `resnet${job.depth}`,
        ...(job.engine === 'keras-jax' ? ['--engine', 'keras', '--keras-backend', 'jax'] : ['--backend', 'tensorflow']),
        '--batch-size',
        String(job.batch),
        '--epochs',
        '3',
        '--limit-train',
        String(job.batch * perEpoch),
        '--limit-test',
        '256',
        '--runs-dir',
        runsDir,
        '--json',
      ],
      { encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 64 << 20 },
    );
    const seconds = (performance.now() - started) / 1000;
    const last = (proc.stdout ?? '').trim().split('\n').pop() ?? '';
    if (proc.status !== 0 || !last.startsWith('{')) {
      const why =
        proc.error?.message ??
        (proc.stderr ?? '').trim().split('\n').filter(Boolean).slice(-1)[0] ??
        `exit ${proc.status}`;
      return { ...base, seconds, skipped: `failed: ${why.slice(0, 160)}` };
    }
    const runDir = (JSON.parse(last) as { runDir: string }).runDir;
    const info = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8')) as {
      mode?: string;
      dataWaitShare?: number;
    };
    const mode =
      info.mode ??
      (info.dataWaitShare !== undefined ? `waits for data ${(100 * info.dataWaitShare).toFixed(1)}% of its steps` : '');
    const records = fs
      .readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; imagesPerSec?: number; rssMB?: number; peakRssMB?: number });
    // The first iteration of the run pays for the first pass through the graph.
    const rates = records
      .filter((r) => r.type === 'iteration')
      .slice(1)
      .map((r) => r.imagesPerSec!);
    const epochs = records.filter((r) => r.type === 'epoch');
    return {
      ...base,
      seconds,
      label: `${label} (${mode})`,
      trainImagesPerSec: median(rates),
      trainSteps: rates.length,
      ...(epochs.every((e) => e.rssMB !== undefined) ? { rssByEpochMB: epochs.map((e) => e.rssMB!) } : {}),
      peakRssMB: epochs[epochs.length - 1]?.peakRssMB,
    };
  } finally {
    fs.rmSync(runsDir, { recursive: true, force: true });
  }
}

function available(engine: Engine): string | null {
  if (engine === 'torch') {
    const p = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8', timeout: 120_000 });
    return p.status === 0 ? null : `${PYTHON} cannot import torch (apt-get install -y python3-torch)`;
  }
  if (engine === 'tensorflow' || engine === 'graph' || engine === 'train') {
    // Checked without loading it: the parent stays free of TensorFlow's threads.
    if (!nativeBackendAvailable()) return '@tensorflow/tfjs-node is not built (npm run cli -- setup-native)';
    return engine !== 'tensorflow' && !fs.existsSync(graphAddonPath() ?? '')
      ? 'the graph-mode addon is not built (npm run cli -- setup-native)'
      : null;
  }
  if (engine === 'keras-jax') return kerasUnavailable('jax');
  if (engine === 'tf-python') {
    const p = spawnSync(tfPython(), ['-c', 'import tensorflow'], { encoding: 'utf8', timeout: 120_000 });
    return p.status === 0
      ? null
      : `${tfPython()} cannot import tensorflow (the Python that setup-native used; set RESNET_LAB_TF_PYTHON)`;
  }
  return null;
}

async function parent(): Promise<void> {
  const quick = flag('quick');
  const json = flag('json');
  const batch = Number(arg('batch') ?? 128);
  const roundsArg = Math.max(1, Number(arg('rounds') ?? (quick ? 1 : 2)));
  const stepsArg = arg('steps') === undefined ? undefined : Math.max(1, Number(arg('steps')));
  const backends = (arg('backends') ?? 'train,keras-jax,graph,tf-python,tensorflow,wasm,cpu,torch')
    .split(',')
    .map((s) => s.trim()) as Engine[];
  const workers = Math.max(1, Math.floor(Number(arg('workers') ?? 1)));
  const depths = quick ? [20] : [20, 56];
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const log = (s: string) => process.stderr.write(s + '\n');

  const skipped = new Map<Engine, string>();
  for (const e of backends) {
    const why = available(e);
    if (why) skipped.set(e, why);
  }
  const load0 = os.loadavg();
  const started = performance.now();
  const results: Result[] = [];
  for (const depth of depths) {
    // Few steps for ResNet-56 (~3x the work of ResNet-20 per image).
    const train = stepsArg ?? (quick ? 2 : depth > 20 ? 3 : 5);
    const infer = stepsArg ?? (quick ? 2 : depth > 20 ? 3 : 5);
    const warmup = quick || depth > 20 ? 1 : 2;
    const minSeconds = quick ? 0 : 5;
    const common = { depth, batch, warmup, steps: train, inferSteps: infer, minSeconds };
    const jobs: [Engine, string, Job][] = [];
    for (const engine of backends) {
      if (engine === 'torch') {
        jobs.push([engine, `torch ${cores} thread${cores > 1 ? 's' : ''}`, { ...common, engine, threads: cores }]);
        if (cores > 1) jobs.push([engine, 'torch 1 thread', { ...common, engine, threads: 1 }]);
      } else if (engine === 'cpu') {
        const cpuBatch = quick ? 8 : 32;
        jobs.push([
          engine,
          `tfjs cpu`,
          { ...common, engine, batch: cpuBatch, steps: 0, warmup: 0, inferSteps: 1, minSeconds: 0 },
        ]);
      } else if (engine === 'train') {
        jobs.push([engine, 'resnet-lab train, native', { ...common, engine, inferSteps: 0 }]);
      } else if (engine === 'keras-jax') {
        jobs.push([engine, 'exported train.py, Keras 3 on JAX (CPU)', { ...common, engine, inferSteps: 0 }]);
      } else if (engine === 'tf-python') {
        jobs.push([engine, 'TensorFlow Python, graph', { ...common, engine }]);
      } else {
        const label =
          engine === 'graph'
            ? 'tfjs tensorflow, graph'
            : engine === 'tensorflow'
              ? 'tfjs tensorflow, eager'
              : `tfjs ${engine}`;
        jobs.push([engine, label, { ...common, engine }]);
        // Data-parallel wasm, training only (inference is the 1-worker row's).
        if (engine === 'wasm' && workers > 1)
          jobs.push([engine, `tfjs wasm x${workers} workers`, { ...common, engine, workers, inferSteps: 0 }]);
      }
    }
    // Rounds (ResNet-20; graph mode and its two references only: time) interleave the engines, so that
    // a burst of load from other processes hits them alike; each engine keeps
    // its best round, the one least disturbed.
    const rounds = depth === 20 ? roundsArg : 1;
    const repeated = (e: Engine) => e === 'train' || e === 'graph' || e === 'tf-python' || e === 'torch'; // the headline and its references
    const byLabel = new Map<string, Result[]>();
    for (let round = 0; round < rounds; round++) {
      for (const [engine, label, job] of jobs) {
        if (skipped.has(engine)) {
          if (round === 0)
            byLabel.set(label, [{ engine, label, depth, batch: job.batch, skipped: skipped.get(engine) }]);
          continue;
        }
        if (round > 0 && !repeated(engine)) continue;
        log(`ResNet-${depth}: ${label}${rounds > 1 ? `, round ${round + 1}/${rounds}` : ''} ...`);
        const r = runJob(job, label);
        if (engine === 'cpu' && !r.skipped) r.batch = batch; // its row belongs to this table
        byLabel.set(label, [...(byLabel.get(label) ?? []), r]);
        log(
          r.skipped
            ? `  ${r.skipped}`
            : `  train ${fmt(r.trainImagesPerSec)} img/s, infer ${fmt(r.inferImagesPerSec)} img/s, ${(r.seconds ?? 0).toFixed(0)} s`,
        );
      }
    }
    for (const runs of byLabel.values()) {
      const ok = runs.filter((r) => !r.skipped);
      if (ok.length === 0) {
        results.push(runs[0]);
        continue;
      }
      const score = (r: Result) => r.trainImagesPerSec ?? r.inferImagesPerSec ?? 0;
      const best = ok.reduce((a, b) => (score(b) > score(a) ? b : a));
      if (ok.length > 1) {
        best.rounds = ok.length;
        best.trainImagesPerSecRounds = ok.map((r) => r.trainImagesPerSec ?? 0);
        const infer = ok.map((r) => r.inferImagesPerSec).filter((x): x is number => x != null);
        if (infer.length) best.inferImagesPerSec = Math.max(...infer);
        best.peakRssMB = Math.max(...ok.map((r) => r.peakRssMB ?? 0));
      }
      results.push(best);
    }
  }
  const load1 = os.loadavg();

  // ----------------------------------------------------------------- report
  // The PyTorch reference is its faster thread setting in this run: with other
  // processes on the machine, multi-threaded torch can be the slower one.
  const torchRuns = (depth: number) =>
    results.filter((r) => r.depth === depth && r.engine === 'torch' && r.trainImagesPerSec);
  const torchBest = (depth: number) =>
    torchRuns(depth).reduce<Result | undefined>(
      (a, b) => (a && a.trainImagesPerSec! >= b.trainImagesPerSec! ? a : b),
      undefined,
    );
  const torchOne = (depth: number) => torchRuns(depth).find((r) => r.threads === 1);
  console.log(
    `\nResNet Lab training benchmark: random data, batch ${batch}, CIFAR shape 32x32x3, 10 classes, option-A shortcuts`,
  );
  console.log(
    `node ${process.version}, ${cores} cores (${os.cpus()[0]?.model ?? '?'}), load average ${load0[0].toFixed(1)} -> ${load1[0].toFixed(1)}`,
  );
  for (const depth of depths) {
    const ref = torchBest(depth);
    const ref1 = torchOne(depth);
    console.log(
      `\nResNet-${depth}` +
        (ref
          ? ` (train/torch: against torch with ${ref.threads} thread${ref.threads === 1 ? '' : 's'}, its faster setting here)`
          : ''),
    );
    const head = [
      'engine',
      'train img/s',
      'infer img/s',
      'peak RSS',
      'train/torch',
      ...(ref1 && ref1 !== ref ? ['train/torch-1t'] : []),
      'steps',
    ];
    const rows: string[][] = [];
    for (const r of results.filter((x) => x.depth === depth)) {
      if (r.skipped) {
        rows.push([r.label, `skipped: ${r.skipped}`]);
        continue;
      }
      const trainNote = r.engine === 'cpu' ? 'not run*' : fmt(r.trainImagesPerSec);
      const inferNote =
        fmt(r.inferImagesPerSec) + (r.inferBatch && r.inferBatch !== batch ? ` (b${r.inferBatch})` : '');
      rows.push([
        r.label,
        trainNote,
        inferNote,
        r.peakRssMB ? `${r.peakRssMB.toFixed(0)} MB` : '-',
        ratio(r.trainImagesPerSec, ref?.trainImagesPerSec),
        ...(ref1 && ref1 !== ref ? [ratio(r.trainImagesPerSec, ref1.trainImagesPerSec)] : []),
        `${r.trainSteps ?? 0}+${r.inferSteps ?? 0}` + (r.rounds ? ` x${r.rounds}` : ''),
      ]);
    }
    console.log(table(head, rows));
  }
  for (const r of results.filter((x) => x.rssByEpochMB)) {
    console.log(
      `\nResNet-${r.depth} ${r.label}: trainer RSS at the end of each epoch ${r.rssByEpochMB!.map((m) => `${m} MB`).join(', ')}; peak ${r.peakRssMB} MB`,
    );
  }
  for (const r of results.filter((x) => x.workerPeaks)) {
    const peaks = r
      .workerPeaks!.map((m, i) => `worker ${i}: wasm ${m.wasmMB.toFixed(0)} MB + JS ${m.heapMB.toFixed(0)} MB`)
      .join(', ');
    const one = results.find((x) => x.depth === r.depth && x.engine === 'wasm' && !x.workers && x.trainImagesPerSec);
    const speedup = one ? `, ${ratio(r.trainImagesPerSec, one.trainImagesPerSec)} the 1-worker rate` : '';
    const cpu = (x?: Result) =>
      x?.trainCpuMsPerImage
        ? `${x.trainCpuMsPerImage.toFixed(0)} CPU-ms/img on ${x.trainCores!.toFixed(2)} cores`
        : '-';
    console.log(
      `\nResNet-${r.depth} ${r.label}: ${fmt(r.trainImagesPerSec)} img/s${speedup}; ${cpu(r)} (1 worker: ${cpu(one)}); per-worker peaks ${peaks}; process peak RSS ${r.peakRssMB?.toFixed(0)} MB (all threads)`,
    );
  }
  const withRecords = results.filter((r) => r.distributionMs && r.trainImagesPerSec);
  if (withRecords.length)
    console.log(
      distributionLine(
        withRecords.map((r) => ({
          depth: r.depth,
          recordMs: r.distributionMs!,
          stepMs: (1000 * r.batch) / r.trainImagesPerSec!,
        })),
      ),
    );
  const pipe = await dataPipeline(batch);
  const stepRow =
    results.find((r) => r.depth === 20 && r.engine === 'wasm' && r.workers === workers && r.trainImagesPerSec) ??
    results.find((r) => r.depth === 20 && r.trainImagesPerSec && r.engine !== 'torch');
  const stepMs = stepRow?.trainImagesPerSec ? (batch / stepRow.trainImagesPerSec) * 1000 : undefined;
  console.log(
    `\nData pipeline (mean subtraction, pad-4 crop, flip; batch ${batch}, CIFAR shape): ${pipe.msPerBatch.toFixed(1)} ms per batch on one thread` +
      (stepMs
        ? ` = ${((100 * pipe.msPerBatch) / stepMs).toFixed(2)}% of a ResNet-20 ${stepRow!.label} step (${stepMs.toFixed(0)} ms)`
        : '') +
      `; the trainer makes the next batch on its own thread during the step, and then waits ${pipe.prefetchWaitMs.toFixed(2)} ms per batch for it`,
  );
  // The confusion matrix's cost (issue 22): native graph mode, as `train` runs it.
  if (backends.includes('graph') && !skipped.has('graph'))
    for (const line of confusionCostLines(depths, batch, quick)) console.log(`\n${line}`);
  // The gradient by path length (issue 27): one graph against op by op on the native backend.
  if (backends.includes('graph') && !skipped.has('graph'))
    for (const line of pathsCostLines(depths, quick)) console.log(`\n${line}`);
  if (backends.includes('cpu'))
    console.log('\n* tfjs cpu trains at ~0.1 img/s (backward ~70x its forward): skipped; inference is one small batch');
  console.log(
    `\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s; rates from the median step; steps = timed train+infer steps after warm-up (xR: best of R interleaved rounds)`,
  );

  if (json) {
    const wasm20 = results.filter((r) => r.depth === 20 && r.engine === 'wasm' && r.trainImagesPerSec);
    const oneWorker = wasm20.find((r) => !r.workers);
    const manyWorkers = wasm20.find((r) => r.workers === workers);
    const headline =
      results.find((r) => r.depth === 20 && r.engine === 'train' && r.trainImagesPerSec) ??
      results.find((r) => r.depth === 20 && r.engine === 'graph' && r.trainImagesPerSec) ??
      manyWorkers ??
      results.find(
        (r) =>
          r.depth === 20 && (r.engine === 'wasm' || r.engine === 'tensorflow') && !r.workers && r.trainImagesPerSec,
      );
    const ref = torchBest(20);
    const summary = {
      backend: headline?.engine ?? null,
      workers: headline?.workers ?? 1,
      trainImagesPerSecByWorkers: Object.fromEntries(wasm20.map((r) => [r.workers ?? 1, r.trainImagesPerSec])),
      workerSpeedup: manyWorkers && oneWorker ? manyWorkers.trainImagesPerSec! / oneWorker.trainImagesPerSec! : null,
      workerPeakMB: manyWorkers?.workerPeaks?.map((m) => m.wasmMB + m.heapMB) ?? null,
      trainCpuMsPerImageByWorkers: Object.fromEntries(wasm20.map((r) => [r.workers ?? 1, r.trainCpuMsPerImage])),
      trainCoresByWorkers: Object.fromEntries(wasm20.map((r) => [r.workers ?? 1, r.trainCores])),
      model: 'resnet20-A',
      batch,
      trainImagesPerSec: headline?.trainImagesPerSec ?? null,
      inferImagesPerSec: headline?.inferImagesPerSec ?? oneWorker?.inferImagesPerSec ?? null,
      peakRssMB: headline?.peakRssMB ?? null,
      torchTrainImagesPerSec: ref?.trainImagesPerSec ?? null,
      torchThreads: ref?.threads ?? null,
      torchTrainImagesPerSecByThreads: Object.fromEntries(
        torchRuns(20).map((r) => [String(r.threads), r.trainImagesPerSec]),
      ),
      ratio:
        headline?.trainImagesPerSec && ref?.trainImagesPerSec
          ? headline.trainImagesPerSec / ref.trainImagesPerSec
          : null,
      dataPipelineMsPerBatch: pipe.msPerBatch,
      dataPipelinePrefetchWaitMs: pipe.prefetchWaitMs,
      loadAverage: [load0[0], load1[0]],
      results,
    };
    console.log(JSON.stringify(summary));
  }
}

const fmt = (x?: number) => (x == null ? '-' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
const ratio = (a?: number, b?: number) => (a && b ? `${(a / b).toFixed(2)}x` : '-');

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) =>
    Math.max(h.length, ...rows.filter((r) => r.length > 2).map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells.length <= 2
      ? `  ${cells[0].padEnd(widths[0])}  ${cells[1] ?? ''}`
      : '  ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------- main

const childArg = arg('child');
(childArg ? child(JSON.parse(childArg) as Job) : parent()).catch((err) => {
  console.error(err);
  process.exit(1);
});
