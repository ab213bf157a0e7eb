// The extension host's own cost (issue 12's goals: activation < 100 ms, p99
// event-loop delay < 50 ms during a training run with the live preview open),
// measured here with perf_hooks and printed with the machine's load. The live
// preview is exercised on the way: edits to an open, unsaved model file are
// built by the warm describe process and reach the CodeLens facts.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as vscode from 'vscode';
import { listRuns } from '../../src/core/runs/runFolder';
import type { PreviewResult } from '../../src/extension/livePreview';
import { api, EXTENSION_ID, fixture, until } from './util';

const source = (depth: number) =>
  [
    "import { experiment, resnetCifar, synthetic } from 'resnet-lab';",
    '',
    `export const perf = experiment({ model: resnetCifar({ depth: ${depth}, widths: [4, 8, 8] }), data: synthetic({ trainSize: 64, testSize: 16 }), epochs: 1 });`,
    '',
  ].join('\n');

const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const ms = (ns: number) => (ns / 1e6).toFixed(1);

export function registerHostPerfSuite(): void {
  describe('host performance with the live preview', function () {
    this.timeout(300_000);
    const uri = fixture('perf-model.ts');
    // The web workbench saves after a delay by default: off, so the edits stay unsaved.
    const files = () => vscode.workspace.getConfiguration('files');
    before(async () => {
      fs.writeFileSync(uri.fsPath, source(8));
      await files().update('autoSave', 'off', vscode.ConfigurationTarget.Global);
    });
    after(async () => {
      await files().update('autoSave', undefined, vscode.ConfigurationTarget.Global);
      fs.rmSync(uri.fsPath, { force: true });
    });

    it('activation time: the bundle loaded and activate() run', async () => {
      const { activationMs } = await api();
      // Loading the bundle again, fresh from disk, times what the host did before calling activate (median of 3).
      const bundle = require.resolve(
        path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'extension.js'),
      );
      const cached = require.cache[bundle];
      const loads: number[] = [];
      for (let i = 0; i < 3; i++) {
        delete require.cache[bundle];
        const t0 = performance.now();
        require(bundle);
        loads.push(performance.now() - t0);
      }
      if (cached) require.cache[bundle] = cached;
      const loadMs = loads.sort((a, b) => a - b)[1];
      console.log(
        `      activation: bundle load ${loadMs.toFixed(1)} ms + activate() ${activationMs.toFixed(1)} ms = ${(loadMs + activationMs).toFixed(1)} ms (goal < 100 ms; load average ${load()})`,
      );
      // Generous bounds (10x the goal for loading, which varies with the machine's load); the figures are printed.
      assert.ok(activationMs < 100, `activate() took ${activationMs} ms`);
      assert.ok(loadMs < 1000, `loading the bundle took ${loadMs} ms`);
    });

    it('event-loop delay during a training run while edits are previewed live', async () => {
      const { runs, preview, facts } = await api();
      const doc = await vscode.workspace.openTextDocument(uri);
      const editor = await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('resnetLab.train', {
        file: fixture('models.ts').fsPath,
        experiment: 'longPlain',
      });
      const run = await until(
        () => runs.all.find((r) => r.view.experiment === 'longPlain' && r.view.status === 'running'),
        60_000,
        'the run to start',
      );
      // The run's records are in its folder, which the host follows.
      const iteration = () => (run.runDir ? (runs.folders.latest(run.runDir).last?.iteration ?? 0) : 0);
      await until(() => iteration() >= 3, 120_000, 'a few iterations');
      // The panel on the file's diagram, the run training on behind it.
      await vscode.commands.executeCommand('resnetLab.showDiagram', { file: uri.fsPath, experiment: 'perf' });
      const { panel } = await api();
      await until(() => panel.shownModel?.experiment === 'perf', 60_000, 'the diagram');

      const results: PreviewResult[] = [];
      const sub = preview.onDidPreview((r) => results.push(r));
      // Sampled every millisecond: each sample is the time between two ticks of a 1 ms timer, so ~1 ms is an idle loop.
      const histogram = monitorEventLoopDelay({ resolution: 1 });
      histogram.enable();
      const iterationsBefore = iteration();
      const depths = [14, 20, 8, 14, 20, 8, 14, 20];
      for (const depth of depths) {
        // One edit, then a pause longer than the debounce: a person typing a value and looking.
        await editor.edit((e) => e.replace(doc.lineAt(2).range, source(depth).split('\n')[2]));
        await new Promise((r) => setTimeout(r, 1500));
      }
      await until(() => results.some((r) => r.version === doc.version), 30_000, 'the last edit to be previewed');
      histogram.disable();
      sub.dispose();
      const iterations = iteration() - iterationsBefore;
      runs.control(run.view.id, 'stop');

      const built = results.filter((r) => r.outcome.status === 'described');
      const times = built.map((r) => r.ms).sort((a, b) => a - b);
      console.log(
        `      event-loop delay over ${depths.length * 1.5} s of training (${iterations} iterations) and ${built.length} live previews: ` +
          `p50 ${ms(histogram.percentile(50))} ms, p99 ${ms(histogram.percentile(99))} ms, max ${ms(histogram.max)} ms (goal p99 < 50 ms; load average ${load()})`,
      );
      console.log(
        `      live preview: request to answer ${times[0]}–${times[times.length - 1]} ms, median ${times[Math.floor(times.length / 2)]} ms`,
      );
      assert.ok(iterations > 0, 'the run trained during the measurement');
      // A generous bound (4x the goal): stable across runs at load averages of 8-11 on 2 cores.
      assert.ok(histogram.percentile(99) < 200e6, `p99 event-loop delay ${ms(histogram.percentile(99))} ms`);
      assert.ok(built.length >= 3, `${built.length} previews built`);
      assert.equal(
        results.filter((r) => r.outcome.status === 'failed').length,
        0,
        JSON.stringify(results.map((r) => r.outcome.status)),
      );
      // The unsaved text's size reached the facts (the CodeLens and the hover).
      assert.equal(facts.get(uri.fsPath, 'perf', doc.getText())?.depth, depths[depths.length - 1]);
      assert.ok(doc.isDirty, 'never saved: the preview built the editor text');
      assert.equal(fs.readFileSync(uri.fsPath, 'utf8'), source(8), 'the file on disk is still the ResNet-8');
      await until(() => !['starting', 'running', 'paused'].includes(run.view.status), 60_000, 'the run to stop');
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });

    it('the host heap stays flat across a live run of 20,000 iterations (records reach it through the run folder)', async () => {
      const { panel } = await api();
      // A run folder written live by "another trainer" (this test): the same road a run of this window takes.
      const runsDir = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.resnet-lab', 'runs');
      const template = listRuns(runsDir)[0];
      assert.ok(template, 'a run of an earlier test to take run.json from');
      const dir = path.join(runsDir, '20261204-000000-heap-20k');
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      const total = 20_000;
      const info = { ...template.info, id: path.basename(dir), experiment: 'heap-20k', status: 'running' };
      const writeInfo = (extra: object) =>
        fs.writeFileSync(
          path.join(dir, 'run.json'),
          JSON.stringify({ ...info, pid: process.pid, host: os.hostname(), totalIterations: total, ...extra }),
        );
      writeInfo({});
      fs.writeFileSync(path.join(dir, 'metrics.jsonl'), '');
      fs.writeFileSync(path.join(dir, 'gradients.jsonl'), '');
      panel.showRunFolders([dir]);
      const id = await until(() => Object.keys(panel.shownCurves)[0], 30_000, 'the panel to show the run');

      v8.setFlagsFromString('--expose-gc');
      const gc = vm.runInNewContext('gc') as () => void;
      const heap = () => {
        gc();
        return process.memoryUsage().heapUsed / 2 ** 20;
      };
      const start = heap();
      const layers = Array.from({ length: 15 }, (_, i) => `layer${i}`);
      // 2,000 iterations a second, in batches of 100 every 50 ms: a fast trainer.
      for (let i = 1; i <= total; i += 100) {
        const lines: string[] = [];
        const grads: string[] = [];
        for (let k = i; k < i + 100; k++) {
          lines.push(
            JSON.stringify({
              type: 'iteration',
              iteration: k,
              epoch: 1 + Math.floor(k / 1000),
              loss: 1 / k,
              trainError: 0.5,
              lr: 0.1,
              imagesPerSec: 1000,
            }),
          );
          if (k % 1000 === 0)
            lines.push(
              JSON.stringify({
                type: 'epoch',
                iteration: k,
                epoch: k / 1000,
                trainLoss: 1,
                trainError: 0.5,
                testLoss: 1,
                testError: 0.4,
                seconds: 1,
              }),
            );
          if (k % 10 === 0)
            grads.push(JSON.stringify({ iteration: k, layers: layers.map((name) => ({ name, norm: 1 / k })) }));
        }
        fs.appendFileSync(path.join(dir, 'metrics.jsonl'), lines.join('\n') + '\n');
        fs.appendFileSync(path.join(dir, 'gradients.jsonl'), grads.join('\n') + '\n');
        await new Promise((r) => setTimeout(r, 50));
      }
      writeInfo({ status: 'finished', final: { iteration: total, trainError: 0.5, testError: 0.4 } });
      await until(() => panel.shownCurves[id]?.last === total, 60_000, 'the panel to hold the last iteration');
      const end = heap();
      console.log(
        `      extension host heap: ${start.toFixed(1)} MB before, ${end.toFixed(1)} MB after a live run of ${total.toLocaleString('en-US')} iterations (+${(end - start).toFixed(1)} MB; goal < 20 MB)`,
      );
      assert.ok(end - start < 20, `the heap grew ${(end - start).toFixed(1)} MB`);
      fs.rmSync(dir, { recursive: true, force: true });
    });
  });
}
