/**
 * Peak resident memory of a real training run, epoch by epoch: the wasm heap
 * grows and never shrinks, so a leak shows as a peak that climbs from one
 * epoch to the next. Trains ResNet-20 (examples/paper-cifar.ts) through the
 * CLI and its trainer process on synthetic CIFAR-shaped data, and samples the
 * trainer's RSS (all its threads: the data-parallel workers included).
 *
 *   npm run bench:memory [-- --workers N] [-- --epochs 4] [-- --batch 128] [-- --backend wasm]
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const root = path.join(__dirname, '..');
const epochs = Number(arg('epochs', '4'));
const batch = Number(arg('batch', '128'));
const workers = arg('workers', String(os.availableParallelism?.() ?? os.cpus().length));
const backend = arg('backend', 'wasm');
const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-memory-'));

function rssMB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The trainer is the CLI's child; its pid is found through /proc. */
function childOf(pid: number): number | undefined {
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) return Number(d);
    } catch {
      /* gone */
    }
  }
  return undefined;
}

async function main(): Promise<void> {
  const args = [
    path.join(root, 'dist', 'cli.js'),
    'train',
    path.join(root, 'examples', 'paper-cifar.ts'),
    'resnet20',
    '--data',
    'synthetic',
    '--limit-train',
    String(batch * 8),
    '--limit-test',
    '256',
    '--epochs',
    String(epochs),
    '--batch-size',
    String(batch),
    '--backend',
    backend,
    '--workers',
    workers,
    '--runs-dir',
    runsDir,
    '--json',
  ];
  const cli = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  cli.stdout.on('data', (d) => (out += d));
  cli.stderr.on('data', () => undefined);
  // Each sample is attributed to the epoch in progress: the number of epoch lines in metrics.jsonl so far.
  const samples: { epoch: number; mb: number }[] = [];
  let trainer: number | undefined;
  const epochsDone = (): number => {
    const run = fs.readdirSync(runsDir)[0];
    if (!run) return 0;
    try {
      return (fs.readFileSync(path.join(runsDir, run, 'metrics.jsonl'), 'utf8').match(/"type":"epoch"/g) ?? []).length;
    } catch {
      return 0;
    }
  };
  const timer = setInterval(() => {
    trainer ??= childOf(cli.pid!);
    const mb = trainer ? rssMB(trainer) : undefined;
    if (mb) samples.push({ epoch: epochsDone() + 1, mb });
  }, 200);
  const code = await new Promise<number | null>((resolve) => cli.on('exit', resolve));
  clearInterval(timer);
  if (code !== 0) throw new Error(`training failed (${code}): ${out.slice(-500)}`);
  const peaks: number[] = [];
  const rows: string[] = [];
  for (let e = 1; e <= epochs; e++) {
    const inEpoch = samples.filter((x) => x.epoch === e);
    peaks.push(Math.max(0, ...inEpoch.map((x) => x.mb)));
    rows.push(`  epoch ${e}: peak RSS ${peaks[e - 1].toFixed(0)} MB (${inEpoch.length} samples)`);
  }
  const w = Number(workers);
  console.log(
    `ResNet-20, batch ${batch}, ${backend}, ${w} worker${w === 1 ? '' : 's'}: trainer process RSS by epoch (all threads)`,
  );
  console.log(rows.join('\n'));
  const growth = peaks.length > 1 ? peaks.at(-1)! - peaks[1] : 0;
  console.log(
    `  overall peak ${Math.max(...samples.map((s) => s.mb)).toFixed(0)} MB; from epoch 2 to ${peaks.length}: ${growth >= 0 ? '+' : ''}${growth.toFixed(0)} MB`,
  );
  console.log(
    JSON.stringify({
      backend,
      workers: w,
      batch,
      peakRssMBByEpoch: peaks,
      peakRssMB: Math.max(...samples.map((s) => s.mb)),
    }),
  );
  fs.rmSync(runsDir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
