// Training, analyses, previews and exports run the workspace's model files:
// none of them in Restricted Mode. One wording for every place that refuses.
import * as vscode from 'vscode';

/** Why `action` is refused here, or undefined in a trusted workspace. */
export function restrictedReason(action: string): string | undefined {
  if (vscode.workspace.isTrusted) return undefined;
  return `ResNet Lab cannot ${action} in Restricted Mode: it would run this workspace's model files. Trust the workspace to allow it.`;
}

/** For commands: true when trusted; otherwise says why not, with the way to change it. */
export function requireTrust(action: string): boolean {
  const reason = restrictedReason(action);
  if (!reason) return true;
  void vscode.window
    .showWarningMessage(reason, 'Manage Workspace Trust')
    .then((choice) => choice && vscode.commands.executeCommand('workbench.trust.manage'));
  return false;
}
