// Issue 11 in the extension: Stop always works (a trainer stuck in a model
// function is killed, not left running), and a model that never finishes
// building fails at its line after resnetLab.buildTimeout.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, fixture, until } from './util';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export function registerFaultsSuite(): void {
  describe('faults in the extension', function () {
    this.timeout(120_000);

    it('Stop kills a trainer stuck in a model function that never returns', async () => {
      const { runs } = await api();
      const file = fixture('hangs.ts').fsPath;
      await vscode.commands.executeCommand('resnetLab.train', { file, experiment: 'hangs' });
      const run = await until(
        () => runs.all.find((r) => r.view.experiment === 'hangs' && r.client),
        10_000,
        'the run to be created',
      );
      const pid = run.client!.pid!;
      await until(() => run.client?.inUserCode, 60_000, 'the trainer to be inside the model function');
      await vscode.commands.executeCommand('resnetLab.stop');
      await until(() => !alive(pid), 5_000, `trainer ${pid} to be killed`);
      await until(() => run.view.status === 'stopped', 5_000, 'the run to show stopped');
    });

    it('a model that never finishes building fails at its line after resnetLab.buildTimeout', async () => {
      const config = vscode.workspace.getConfiguration('resnetLab');
      await config.update('buildTimeout', 3, vscode.ConfigurationTarget.Global);
      try {
        const { runs } = await api();
        const uri = fixture('hangs.ts');
        const before = runs.all.length;
        await vscode.commands.executeCommand('resnetLab.train', { file: uri.fsPath, experiment: 'hangs' });
        const run = await until(
          () => runs.all.slice(before).find((r) => r.view.experiment === 'hangs'),
          10_000,
          'the run to be created',
        );
        const pid = run.client!.pid!;
        await until(() => run.view.status === 'failed', 60_000, 'the build to time out');
        assert.match(run.view.message ?? '', /hangs\.ts:9:1 building hangs did not finish in 3 s/);
        await until(() => !alive(pid), 5_000, `trainer ${pid} to be killed`);
        const diags = await until(
          () => {
            const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source?.startsWith('resnet-lab'));
            return d.length ? d : undefined;
          },
          10_000,
          'a diagnostic on hangs.ts',
        );
        assert.equal(diags[0].range.start.line, 8);
      } finally {
        await config.update('buildTimeout', undefined, vscode.ConfigurationTarget.Global);
      }
    });
  });
}
