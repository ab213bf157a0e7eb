// An error nobody caught: a model file's timer that throws, or a promise it
// rejects and never awaits, while the trainer runs. Without this the trainer
// died ("the trainer process ended unexpectedly") and left its run `running`.
// Now it is the user's message at their line; a training run stops at the next
// iteration with a checkpoint and is marked failed with that message.
import { UserCodeError } from '../core/compile/compileUserFile';
import { userErrorOfUncaught } from '../core/compile/evaluate';
import type { Control } from '../core/train/control';

/** The error as the user should read it: at their line when their code threw it. */
export function uncaughtError(e: unknown): Error {
  const user = userErrorOfUncaught(e);
  if (user)
    return new UserCodeError(
      `${user.message} (thrown by a timer or an unawaited promise of the model file)`,
      user.kind,
      user.diagnostics,
    );
  return e instanceof Error ? e : new Error(`a promise was rejected and never awaited: ${String(e)}`);
}

/** The IPC channel to the parent is gone (a send or disconnect after the parent died): nobody's fault, nobody to tell. */
const channelClosed = (e: unknown) => /^ERR_IPC_/.test(String((e as NodeJS.ErrnoException)?.code ?? ''));

/**
 * While training, `control` ends the run as failed; otherwise `report` says so
 * (and ends the process). An error of the closed channel to a parent that went
 * away goes to `parentGone` instead: the lifeline stops training with the run
 * `interrupted`, and a trainer with nothing left to do just ends.
 */
export function catchUncaught(control: Control, on: { report: (error: Error) => void; parentGone: () => void }): void {
  const handle = (e: unknown) => {
    if (channelClosed(e)) return on.parentGone();
    const error = uncaughtError(e);
    if (control.training) control.fail(error);
    else on.report(error);
  };
  // A capture callback, not an 'uncaughtException' listener: tfjs' WASM glue (Emscripten) listens
  // there and rethrows, and its 'unhandledRejection' listener throws the reason, which lands here too.
  process.setUncaughtExceptionCaptureCallback(handle);
  process.on('unhandledRejection', handle);
}
