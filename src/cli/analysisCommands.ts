// The CLI's analyses of a finished run, each in a trainer process:
//   resnet-lab lesion <run-dir> [--draws N] [--examples N] [--delete BLOCKS]
//   resnet-lab responses <run-dir> [--examples N]
//   resnet-lab paths <run-dir> [--samples N] [--examples N] [--graph off]
// printed as tables (or --json); the trainer stores each beside the run.
import { Command, Option } from 'commander';
import * as path from 'node:path';
import { hasRunJson, LESION_JSON, PATHS_JSON, RESPONSES_JSON, RUN_JSON } from '../core/runs/runFiles';
import type {
  BackendChoice,
  LesionResult,
  LifecycleEvent,
  PathsResult,
  ResponsesResult,
  TrainerCommand,
} from '../protocol/trainer';
import { trainerFailed } from './errors';
import { pct } from './format';
import { backendOption, graphOption, positiveInt as int } from './options';
import { runTrainer } from './runTrainer';

interface AnalyzeOptions {
  draws?: number;
  examples?: number;
  samples?: number;
  json?: boolean;
  checkpoint: 'latest' | 'best';
  backend: BackendChoice;
  delete?: string;
  graph?: 'on' | 'off';
}

type AnalysisEvent = Extract<LifecycleEvent, { type: 'lesion' | 'responses' | 'paths' }>;

/** Runs one `analyze` command in a trainer process; progress goes to stderr. */
async function runAnalysis(
  command: Extract<TrainerCommand, { type: 'analyze' }>,
  json: boolean,
): Promise<AnalysisEvent> {
  const onEvent = (e: LifecycleEvent) => {
    if (e.type === 'log' && (!json || e.level === 'warn')) process.stderr.write(e.message + '\n');
  };
  const result = await runTrainer(
    command,
    onEvent,
    undefined,
    (e): e is AnalysisEvent => e.type === 'lesion' || e.type === 'responses' || e.type === 'paths',
  );
  const last = result.last;
  if (last?.type !== 'lesion' && last?.type !== 'responses' && last?.type !== 'paths')
    return trainerFailed(last, result.stderr);
  return last;
}

function analyzeCommand(runDir: string, analysis: AnalysisEvent['type'], o: AnalyzeOptions) {
  if (!hasRunJson(runDir)) {
    console.error(`${runDir}: not a run folder (no ${RUN_JSON})`);
    process.exit(2);
  }
  return {
    type: 'analyze' as const,
    runDir: path.resolve(runDir),
    analysis,
    draws: o.draws,
    examples: o.examples,
    samples: o.samples,
    graph: o.graph === 'off' ? ('off' as const) : undefined,
    lesioned: o.delete
      ?.split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    checkpoint: o.checkpoint,
    backend: o.backend,
    // Model code (a checkpoint's custom layers) is run only from a file under the current directory.
    codeRoots: [process.cwd()],
  };
}

function table(head: string[], rows: string[][], right: number[] = []): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (right.includes(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const points = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(2)}`;

function lesionReport(r: LesionResult): string {
  const out = [`test error of the intact net: ${pct(r.baselineError)} (${r.testExamples} test images)`];
  if (r.custom)
    out.push(
      `with ${r.custom.lesioned.join(', ')} deleted: ${pct(r.custom.error)} (${points(r.custom.error - r.baselineError)} points)`,
    );
  if (r.blocks.length) {
    out.push(
      '',
      'one block deleted:',
      table(
        ['block', 'test error', 'change', ''],
        r.blocks.map((b) => [
          b.name,
          pct(b.error),
          points(b.error - r.baselineError),
          b.downsampling ? 'downsampling' : '',
        ]),
        [1, 2],
      ),
    );
  }
  if (r.random.length) {
    out.push(
      '',
      `k random blocks deleted (${r.random[0].errors.length} draws each):`,
      table(
        ['k', 'mean error', 'draws'],
        r.random.map((x) => [String(x.k), pct(x.meanError), x.errors.map(pct).join(' ')]),
        [0, 1],
      ),
    );
  }
  return out.join('\n');
}

function responsesReport(r: ResponsesResult): string {
  const max = Math.max(...r.layers.map((l) => l.std), 1e-12);
  return [
    `std of each 3x3 layer's response after BN (${r.testExamples} test images):`,
    table(
      ['#', 'layer', 'std', ''],
      r.layers.map((l) => [String(l.index), l.name, l.std.toFixed(4), '#'.repeat(Math.round((30 * l.std) / max))]),
      [0, 2],
    ),
  ].join('\n');
}

/** A magnitude in 4 significant digits, in exponent form when small or large. */
const mag = (x: number) =>
  x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5) ? x.toExponential(3) : x.toPrecision(4);

function pathsReport(r: PathsResult): string {
  const n = r.blocks.length;
  const sum = r.lengths.reduce((s, l) => s + l.total, 0);
  const max = Math.max(...r.lengths.map((l) => l.total));
  const { from, to, share } = r.effective;
  return [
    `gradient reaching the input by path length (Veit et al. 2016, Fig. 6): ${n} residual blocks, 2^${n} paths; |d loss / d input| averaged over ${r.testExamples} test images, up to ${r.samples} paths measured per length`,
    table(
      ['k', 'paths C(n,k)', 'measured', 'per path', 'total', 'share', ''],
      r.lengths.map((l) => [
        String(l.k),
        l.paths.toLocaleString('en-US'),
        l.exhaustive ? `all ${l.measured}` : String(l.measured),
        mag(l.perPath),
        mag(l.total),
        `${((100 * l.total) / sum).toFixed(1)}%`,
        (l.k >= from && l.k <= to ? '#' : '.').repeat(Math.round((30 * l.total) / max)),
      ]),
      [0, 1, 2, 3, 4, 5],
    ),
    '',
    `effective paths (the central ${Math.round(100 * share)}% of the total gradient, # above): lengths ${from}–${to} of 0–${n}`,
    `the total gradient peaks at length ${r.peak}; the most common length is ${Math.floor(n / 2)}${n % 2 ? ` and ${Math.ceil(n / 2)}` : ''}`,
  ].join('\n');
}

/** Prints an analysis as the tables above. */
const analysisReport = (e: AnalysisEvent) =>
  e.type === 'lesion' ? lesionReport(e.result) : e.type === 'paths' ? pathsReport(e.result) : responsesReport(e.result);

/** `lesion` and `responses`: one analysis of a run folder's checkpoint, in a trainer process; `own` adds the analysis's own options. */
function analysisCommand(
  program: Command,
  analysis: AnalysisEvent['type'],
  description: string,
  own: (c: Command) => Command,
): void {
  own(program.command(analysis).argument('<run-dir>', 'a finished run folder'))
    .addOption(new Option('--checkpoint <kind>', 'which checkpoint').choices(['latest', 'best']).default('latest'))
    .addOption(backendOption())
    .option('--json', 'print the result as one JSON object')
    .description(description)
    .action(async (runDir: string, o: AnalyzeOptions) => {
      const e = await runAnalysis(analyzeCommand(runDir, analysis, o), !!o.json);
      console.log(o.json ? JSON.stringify(e.result) : analysisReport(e));
    });
}

export function registerAnalysisCommands(program: Command): void {
  analysisCommand(
    program,
    'lesion',
    `lesion study (Veit et al. 2016): test error with each residual block deleted, then k random blocks; writes ${LESION_JSON}`,
    (c) =>
      c
        .option('--draws <n>', 'random draws per number of deleted blocks (default 3)', int)
        .option('--examples <n>', 'use the first N test images (default: all)', int)
        .option('--delete <blocks>', 'only this comma-separated set of blocks, e.g. stage2/block1,stage3/block2'),
  );

  analysisCommand(
    program,
    'responses',
    `std of each 3x3 layer's response after BN (He et al. 2015, Fig. 7); writes ${RESPONSES_JSON}`,
    (c) => c.option('--examples <n>', 'test images to measure on (default 500)', int),
  );

  analysisCommand(
    program,
    'paths',
    `gradient reaching the input through paths of each length (Veit et al. 2016, Fig. 6); writes ${PATHS_JSON}`,
    (c) =>
      c
        .option('--samples <n>', 'paths measured per length, drawn at random where there are more (default 20)', int)
        .option('--examples <n>', 'test images the gradient is averaged over (default 32)', int)
        .addOption(graphOption('native backend: each pass as one TensorFlow graph (default on; off: op by op)')),
  );
}
