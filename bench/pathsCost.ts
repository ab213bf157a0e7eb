/**
 * What the gradient by path length (Veit et al. 2016, Fig. 6; `resnet-lab
 * paths`) costs on the native backend: one path measured as one TensorFlow
 * graph against the same path op by op, measured in the same process on the
 * same weights and images, and the default analysis's time from it
 * (DEFAULT_PATH_SAMPLES per length, DEFAULT_PATH_EXAMPLES test images).
 * Each depth runs in its own child process; bench/train.ts prints the rows.
 *
 *   node --import tsx bench/pathsCost.ts --depth 20 [--paths 8]   (one child: prints JSON)
 */
import { spawnSync } from 'node:child_process';
import { nativeResNet } from './nativeModel';

export interface PathsCost {
  depth: number;
  /** Paths the default analysis measures. */
  paths: number;
  graphMsPerPath: number;
  eagerMsPerPath: number;
  compileMs: number;
}

async function measure(depth: number, measured: number): Promise<PathsCost> {
  const { tf, info, model } = await nativeResNet(depth);
  const { configurations, configurationGradients, residualBlocks, DEFAULT_PATH_SAMPLES } =
    await import('../src/core/analysis/paths');
  const { DEFAULT_PATH_EXAMPLES } = await import('../src/trainer/analyze');
  const { mulberry32 } = await import('../src/core/data/random');
  const blocks = residualBlocks(model);
  const n = blocks.length;
  const rng = mulberry32(7);
  const size = DEFAULT_PATH_EXAMPLES;
  const batch = {
    x: Float32Array.from({ length: size * 3072 }, () => rng() - 0.5),
    labels: Int32Array.from({ length: size }, () => Math.floor(rng() * 10)),
    size,
  };
  const data = { info, batches: [batch] };
  // Paths of the most common length, as most of a real analysis is.
  const configs = configurations(n, n >> 1, measured, 3).slice(0, measured);
  let compileMs = 0;
  const timed = async (graph: 'auto' | 'off') => {
    const t0 = performance.now();
    let opened = t0;
    await configurationGradients(tf, model, blocks, data, configs, {
      graph,
      onMode: () => (opened = performance.now()),
    });
    if (graph === 'auto') compileMs = opened - t0;
    return (performance.now() - opened) / configs.length;
  };
  await timed('auto'); // warm-up of both: TensorFlow's kernels, tfjs' tape
  await timed('off');
  // Interleaved, so a burst of load from elsewhere hits both alike; each keeps its least disturbed round.
  const graph: number[] = [],
    eager: number[] = [];
  for (let round = 0; round < 2; round++) {
    graph.push(await timed('auto'));
    eager.push(await timed('off'));
  }
  model.dispose();
  const paths = Array.from({ length: n + 1 }, (_, k) => configurations(n, k, DEFAULT_PATH_SAMPLES, 0).length).reduce(
    (a, b) => a + b,
    0,
  );
  return { depth, paths, graphMsPerPath: Math.min(...graph), eagerMsPerPath: Math.min(...eager), compileMs };
}

/** One line per depth for bench/train.ts, each measured in its own child process. */
export function pathsCostLines(depths: number[], quick: boolean): string[] {
  return depths.map((depth) => {
    const p = spawnSync(
      process.execPath,
      ['--import', 'tsx', __filename, '--depth', String(depth), '--paths', quick ? '8' : '16'],
      { encoding: 'utf8', timeout: 600_000 },
    );
    const last = p.stdout?.trim().split('\n').pop() ?? '';
    if (p.status !== 0 || !last.startsWith('{'))
      return `ResNet-${depth} gradient by path length: not measured (${(p.stderr || p.error?.message || 'no output').trim().split('\n').pop()})`;
    const c = JSON.parse(last) as PathsCost;
    const total = (ms: number) => `${((c.paths * ms) / 1000).toFixed(0)} s`;
    return (
      `ResNet-${depth} gradient by path length (native, ${c.paths} paths by default, 32 images each): ` +
      `graph ${c.graphMsPerPath.toFixed(0)} ms per path (compiled in ${c.compileMs.toFixed(0)} ms) = ` +
      `${(c.eagerMsPerPath / c.graphMsPerPath).toFixed(2)}x op by op (${c.eagerMsPerPath.toFixed(0)} ms); ` +
      `the default analysis ~${total(c.graphMsPerPath)} (op by op ~${total(c.eagerMsPerPath)})`
    );
  });
}

if (require.main === module) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : undefined;
  };
  measure(arg('depth') ?? 20, arg('paths') ?? 8)
    .then((c) => console.log(JSON.stringify(c)))
    .catch((e: Error) => {
      console.error(e.message);
      process.exit(1);
    });
}
