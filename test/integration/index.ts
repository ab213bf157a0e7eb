// Entry point VS Code loads as extensionTestsPath: runs the mocha suites
// inside the extension host. In an untrusted workspace only the trust suite
// runs (the harness starts a second window for it).
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { registerExtensionSuite } from './extension.test';
import { registerFactsSuite } from './facts.test';
import { registerFaultsSuite } from './faults.test';
import { registerHostPerfSuite } from './hostPerf.test';
import { registerIntelliSenseSuite } from './intellisense.test';
import { registerLivePreviewSuite } from './livePreview.test';
import { registerRestoreSuite } from './restore.test';
import { registerSweepKerasSuite } from './sweepKeras.test';
import { registerTrainingSuite } from './training.test';
import { registerTrustSuite } from './trust.test';

export function run(): Promise<void> {
  // RESNET_LAB_TEST_GREP: run only the matching tests (while working on one suite).
  const grep = process.env.RESNET_LAB_TEST_GREP;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 120_000, reporter: 'spec', ...(grep ? { grep } : {}) });
  mocha.suite.emit('pre-require', globalThis, 'integration', mocha);
  if (vscode.workspace.isTrusted) {
    registerExtensionSuite();
    registerIntelliSenseSuite();
    registerFactsSuite();
    registerTrainingSuite();
    registerSweepKerasSuite();
    registerFaultsSuite();
    registerLivePreviewSuite();
    registerRestoreSuite();
    registerHostPerfSuite();
  } else {
    registerTrustSuite();
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
  });
}
