import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { findShortcuts } from '../../src/core/graph/shortcuts';
import { kerasUnavailable } from '../../src/core/export/tfPython';
import { readMetrics, readRunInfo } from '../../src/core/runs/runFolder';
import { api, fixture, until } from './util';

export function registerTrainingSuite(): void {
  describe('training from VS Code', function () {
    this.timeout(300_000);

    it('trains a synthetic run: the run grows curves, finishes, and its diagram has a shortcut per add layer', async () => {
      const { runs } = await api();
      const file = fixture('models.ts').fsPath;
      await vscode.commands.executeCommand('resnetLab.train', { file, experiment: 'tinyResnet' });
      const run = await until(
        () => runs.all.find((r) => r.view.experiment === 'tinyResnet'),
        10_000,
        'the run to be created',
      );
      // Records reach the host through the run folder, read as it grows.
      const seen: number[] = [];
      const sub = runs.folders.onDidChange(({ dir }) => {
        if (dir === run.runDir) seen.push(runs.folders.recent(dir).length);
      });
      await until(() => ['finished', 'failed'].includes(run.view.status), 240_000, 'the run to finish');
      sub.dispose();
      assert.equal(run.view.status, 'finished', run.view.message);
      // The views got several growing updates, not one dump at the end.
      assert.ok(new Set(seen).size >= 3, `only ${new Set(seen).size} distinct updates`);
      const metrics = readMetrics(run.runDir!);
      assert.equal(metrics.filter((m) => m.type === 'iteration').length, 16);
      assert.equal(metrics.filter((m) => m.type === 'epoch').length, 2);
      const info = readRunInfo(run.runDir!);
      const adds = info.graph.nodes.filter((n) => n.className === 'Add').length;
      assert.equal(adds, 3);
      assert.equal(findShortcuts(info.graph).length, adds);
      assert.equal(run.diagram?.summary.shortcuts, 3);
      assert.ok(fs.existsSync(path.join(run.runDir!, 'checkpoints', 'latest', 'model.json')));
    });

    it('trains on Keras ("Train ResNet on Keras", JAX): train.py writes the run, the panel follows it under its engine label', async function () {
      const why = kerasUnavailable('jax');
      if (why) {
        console.log(`skipped: ${why}`);
        return this.skip();
      }
      const { panel } = await api();
      const file = fixture('models.ts').fsPath;
      const runsDir = path.join(path.dirname(file), '.resnet-lab', 'runs');
      const before = new Set(fs.existsSync(runsDir) ? fs.readdirSync(runsDir) : []);
      const training = vscode.commands.executeCommand<string | undefined>(
        'resnetLab.trainKeras',
        { file, experiment: 'tinyResnet' },
        'jax',
      );
      const dir = await until(
        () => (fs.existsSync(runsDir) ? fs.readdirSync(runsDir).find((n) => !before.has(n)) : undefined),
        120_000,
        'train.py to make its run folder',
      );
      const runDir = path.join(runsDir, dir);
      // While train.py writes it, the panel follows the folder, under the engine's label.
      const followed = await until(() => panel.folders.view(runDir), 60_000, 'the panel to follow the run');
      assert.equal(followed.backend, 'keras · jax · 1× CPU');
      assert.equal(await training, runDir);
      const info = readRunInfo(runDir);
      assert.deepEqual([info.status, info.backend, info.kerasBackend], ['finished', 'keras', 'jax']);
      assert.equal(readMetrics(runDir).filter((m) => m.type === 'iteration').length, 16);
    });

    it('stops a run on "Stop Training" and keeps a resumable checkpoint', async () => {
      const { runs } = await api();
      const file = fixture('models.ts').fsPath;
      await vscode.commands.executeCommand('resnetLab.train', { file, experiment: 'longPlain' });
      const run = await until(
        () => runs.all.find((r) => r.view.experiment === 'longPlain'),
        10_000,
        'the run to be created',
      );
      await until(
        () => run.runDir && runs.folders.recent(run.runDir).length >= 3,
        120_000,
        'a few iterations in its folder',
      );
      await vscode.commands.executeCommand('resnetLab.stop');
      await until(() => !['starting', 'running', 'paused'].includes(run.view.status), 60_000, 'the run to stop');
      assert.equal(run.view.status, 'stopped');
      const info = readRunInfo(run.runDir!);
      assert.equal(info.status, 'stopped');
      assert.ok(fs.existsSync(path.join(run.runDir!, 'checkpoints', 'latest', 'state.json')));
      assert.ok(info.final!.iteration < 50 * 64);
    });

    it('resumes the stopped run from the panel with its whole curve (the iterations before the stop too)', async () => {
      const { runs, panel } = await api();
      const stopped = runs.all.find((r) => r.view.experiment === 'longPlain' && r.view.status === 'stopped');
      assert.ok(stopped?.runDir, 'the run the test above stopped');
      const dir = stopped.runDir;
      const before = readMetrics(dir).filter((m) => m.type === 'iteration').length;
      assert.ok(before >= 3);
      // The panel's Resume on a stopped run: a trainer resumes it from its checkpoint, the panel follows it.
      const info = readRunInfo(dir);
      const run = runs.resumeRun(dir, info.file, info.experiment, 'auto');
      assert.ok(run);
      panel.showLive(run);
      const shown = await until(
        () => {
          const c = panel.shownCurves[run.view.id];
          return c && c.last > before + 2 && c;
        },
        120_000,
        'the resumed run to train on in the panel',
      );
      // Iterations 1..last are all there: not only those since the resume (the bug: the chart began at the stop).
      assert.equal(shown.points, shown.last);
      runs.control(run.view.id, 'stop');
      await until(() => !['starting', 'running', 'paused'].includes(run.view.status), 60_000, 'the run to stop again');
    });

    it('shows a compile error of the model file in the Problems panel at its line', async () => {
      const uri = fixture('broken.ts');
      await vscode.commands.executeCommand('resnetLab.train', { file: uri.fsPath, experiment: 'broken' });
      const diags = await until(
        () => {
          const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source?.startsWith('resnet-lab'));
          return d.length ? d : undefined;
        },
        60_000,
        'a diagnostic on broken.ts',
      );
      // Line 6 (1-based) is `batchSize: 32,` after the missing comma.
      assert.equal(diags[0].range.start.line, 5);
      assert.match(diags[0].message, /Expected "}" but found "batchSize"|Expected/);
    });
  });
}
