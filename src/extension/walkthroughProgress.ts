// Ticks the Getting Started walkthrough's steps when what they ask for has
// happened. `onCommand:` completion events alone left them unticked: the
// e2e (training.e2e.ts) saw ▶ Train from a CodeLens train a run while the
// walkthrough's Train step stayed open (compare microsoft/vscode#176074). So
// each step also completes on a context key set here when its action
// succeeded: an experiment file written, a run started, the degradation
// experiment started. VS Code stores a ticked step itself, so the keys need
// not outlive the window; it counts only changes made after its walkthrough
// service started (the first walkthrough or Welcome page shown in the window).
import * as vscode from 'vscode';

export type WalkthroughStep = 'experiment' | 'train' | 'degradation';

/** The context key a step completes on (package.json: "onContext:<key>"). */
export const stepDoneKey = (step: WalkthroughStep): string => `resnetLab.walkthrough.${step}Done`;

export function markStepDone(step: WalkthroughStep): void {
  void vscode.commands.executeCommand('setContext', stepDoneKey(step), true);
}
