// resnet-lab export-keras <file.ts> <experiment> --out DIR [--from-run RUN_DIR]
// Builds the model in this process (the core has no vscode import; building a
// graph needs no fast backend) and writes a Keras 3 project (src/core/export).
import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { reportError } from './errors';

export function registerExportKerasCommand(program: Command): void {
  program.command('export-keras')
    .argument('<file>', 'a model file (.ts)').argument('<experiment>')
    .requiredOption('--out <dir>', 'folder to write the Python project to (new or empty)')
    .option('--from-run <run-dir>', "take the weights from this run's latest checkpoint instead of the initial ones")
    .description("write the experiment's model as a Keras 3 Python project (model.py, weights, README)")
    .action(async (file: string, experiment: string, o: { out: string; fromRun?: string }) => {
      if (!fs.existsSync(file)) return reportError(`${file}: no such file`);
      // Loaded only for this command: the other commands leave tfjs to the trainer process.
      const tf = await import('@tensorflow/tfjs');
      tf.env().set('PROD', true); // no "install tfjs-node" banner: the cpu backend only builds the graph here
      await tf.setBackend('cpu');
      const [lib, { exportExperiment }, { Untranslatable }, { ExportError }, { UserCodeError }, { RunFolderError }] = await Promise.all([
        import('../core/lib'), import('../core/export/exportExperiment'), import('../core/export/kerasModel'),
        import('../core/export/kerasProject'), import('../core/compile/compileUserFile'), import('../core/runs/runErrors'),
      ]);
      try {
        const r = await exportExperiment(tf, lib, { file: path.resolve(file), experiment, outDir: o.out, fromRun: o.fromRun });
        console.log(`${r.outDir}: ${r.files.join(', ')} (${r.weights.toLocaleString('en-US')} weights, ${r.weightsFrom})`);
      } catch (e) {
        const err = e as Error;
        if (e instanceof Untranslatable) return reportError(`cannot export ${experiment} to Keras: ${err.message}`);
        const expected = e instanceof ExportError || e instanceof UserCodeError || e instanceof RunFolderError;
        reportError(err.message, expected ? undefined : err.stack);
      }
    });
}
