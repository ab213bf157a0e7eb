// `resnet-lab identity [FILE]`: He et al. 2015, Sec. 3.1 — k plain and k
// residual blocks trained in a trainer process to give back their input;
// prints both losses and each block's distance from its identity solution,
// and writes identity.json and the figure identity.svg into the run folder.
import { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { identityReport } from '../core/experiments/identitySummary';
import { identitySvg } from '../core/report/identitySvg';
import { IDENTITY_SVG } from '../core/runs/identityFile';
import { writeFileAtomic } from '../core/runs/runFolder';
import type { BackendChoice, TrainerEvent } from '../protocol/trainer';
import { backendOption, positiveInt, positiveNumber, seedNumber } from './options';
import { exitWithError, trainerFailed } from './errors';
import { runTrainer } from './runTrainer';

export const identityFile = () => path.join(__dirname, '..', 'media', 'experiments', 'identity.ts');

interface Options {
  experiment?: string;
  blocks?: number;
  width?: number;
  iterations?: number;
  lr?: number;
  seed?: number;
  backend: BackendChoice;
  runsDir: string;
  out?: string;
  dark?: boolean;
  json?: boolean;
}

type IdentityEvent = Extract<TrainerEvent, { type: 'identity' }>;
const isIdentity = (e: TrainerEvent): e is IdentityEvent => e.type === 'identity';

export function registerIdentityCommand(program: Command): void {
  program
    .command('identity [file]')
    .description(
      'train k plain and k residual blocks to reproduce their input: a plain block must learn W → I, a residual one only F → 0 (He et al. Sec. 3.1)',
    )
    .option('--experiment <name>', 'the export to run when the file has several identity experiments')
    .option('--blocks <k>', 'blocks per stack (overrides the file)', positiveInt)
    .option('--width <c>', 'channels of every block (overrides the file)', positiveInt)
    .option('--iterations <n>', 'iterations (overrides the file)', positiveInt)
    .option('--lr <x>', 'learning rate (overrides the file)', positiveNumber)
    .option('--seed <s>', "seed of the data and of both stacks' initial weights (overrides the file)", seedNumber)
    .addOption(backendOption())
    .option('--runs-dir <dir>', 'where run folders go', '.resnet-lab/runs')
    .option(
      '--out <file.svg>',
      `also write the figure here (it is always written to the run folder as ${IDENTITY_SVG})`,
    )
    .option('--dark', 'the figure in dark colours')
    .option('--json', 'print a JSON summary as the last line')
    .action(async (file: string | undefined, o: Options) => {
      const source = path.resolve(file ?? identityFile());
      if (!fs.existsSync(source)) exitWithError(`${source} does not exist`);
      const overrides = {
        ...(o.blocks ? { blocks: o.blocks } : {}),
        ...(o.width ? { width: o.width } : {}),
        ...(o.iterations ? { iterations: o.iterations } : {}),
        ...(o.lr ? { lr: o.lr } : {}),
        ...(o.seed !== undefined ? { seed: o.seed } : {}),
      };
      let lastLine = 0;
      const onEvent = (e: TrainerEvent) => {
        if (e.type === 'log' && e.level === 'warn') process.stderr.write(`warning: ${e.message}\n`);
        if (e.type !== 'identity-progress' || o.json) return;
        if (Date.now() - lastLine < 1000 && e.iteration !== e.iterations) return;
        lastLine = Date.now();
        process.stderr.write(
          `iteration ${e.iteration}/${e.iterations}  loss plain ${e.plainLoss.toFixed(4)}  residual ${e.residualLoss.toFixed(4)}\n`,
        );
      };
      let stopping = false;
      const r = await runTrainer(
        {
          type: 'identity',
          file: source,
          experiment: o.experiment,
          runsDir: path.resolve(o.runsDir),
          backend: o.backend,
          overrides,
        },
        onEvent,
        (client) =>
          process.on('SIGINT', () => {
            if (stopping) return client.kill();
            stopping = true;
            process.stderr.write('stopping after this iteration; the result so far is kept (Ctrl-C again to kill)…\n');
            void client.stop(30_000);
          }),
        isIdentity,
      );
      if (r.last?.type !== 'identity') trainerFailed(r.last, r.stderr);
      const { runDir, result } = r.last;
      const svg = identitySvg(result, { dark: o.dark });
      const figure = path.join(runDir, IDENTITY_SVG);
      writeFileAtomic(figure, svg);
      if (o.out) writeFileAtomic(path.resolve(o.out), svg);
      console.log(identityReport(result).join('\n'));
      console.log(`\nrun folder: ${runDir}\nfigure: ${o.out ? path.resolve(o.out) : figure}`);
      if (o.json) {
        const last = result.records[result.records.length - 1];
        console.log(JSON.stringify({ runDir, figure, config: result.config, status: result.status, final: last }));
      }
    });
}
