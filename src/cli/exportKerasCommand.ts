// resnet-lab export-keras <file.ts> <experiment> --out DIR [--from-run RUN_DIR]
// Builds the model in this process (the core has no vscode import; building a
// graph needs no fast backend) and writes a Keras 3 project (src/core/export).
import type { Command } from 'commander';
import * as fs from 'node:fs';
import { reportError } from './errors';
import { exportProject } from './kerasEngine';
import { buildTimeoutOption, seedNumber } from './options';

export function registerExportKerasCommand(program: Command): void {
  program
    .command('export-keras')
    .argument('<file>', 'a model file (.ts)')
    .argument('<experiment>')
    .requiredOption('--out <dir>', 'folder to write the Python project to (new or empty)')
    .option('--from-run <run-dir>', "take the weights from this run's latest checkpoint instead of the initial ones")
    .option('--seed <n>', "the initial weights' seed (and train.py's), instead of the experiment's", seedNumber)
    .addOption(buildTimeoutOption())
    .description("write the experiment's model as a Keras 3 Python project (model.py, weights, train.py, README)")
    .action(async (file: string, experiment: string, o: { out: string; fromRun?: string; seed?: number }) => {
      if (!fs.existsSync(file)) return reportError(`${file}: no such file`);
      if (o.fromRun && o.seed !== undefined)
        return reportError("--seed chooses initial weights; --from-run takes a checkpoint's: give one of them");
      const r = await exportProject(file, experiment, o.out, o.fromRun, o.seed);
      if (r) console.log(`${r.outDir}: ${r.files.join(', ')} (weights: ${r.weightsFrom})`);
    });
}
