// Entry point of the trainer process, forked by the extension host or the
// CLI. It owns tfjs (one instance per process) and talks only through the
// protocol in src/protocol/trainer.ts, validating every command it receives.
import { Control } from '../core/train/control';
import { isRecordEvent, parseCommand, TrainerEvent } from '../protocol/trainer';
import { analyze } from './analyze';
import { exportKeras } from './exportKeras';
import { identity } from './identity';
import { startLifeline } from './lifeline';
import { describe, failureEvent, resume, train } from './session';
import { sweepAxes } from './sweepAxes';
import { catchUncaught } from './uncaught';

const control = new Control();
let busy = false;

// Messages handed to the IPC channel but not yet written. A large one (the
// `described` graph of ResNet-1202 is megabytes) is lost if the channel is
// closed before its send callback has run.
let unsent = 0;
let allSent: (() => void) | undefined;

function emit(event: TrainerEvent): void {
  // Records are in the run folder, where the parent reads them: the IPC says what happens to the run.
  if (isRecordEvent(event) || !process.connected || !process.send) return;
  unsent++;
  process.send(event, undefined, {}, () => {
    if (--unsent === 0) allSent?.();
  });
}

async function exitWhenDone(work: Promise<void>): Promise<void> {
  await work;
  if (unsent > 0 && process.connected)
    await new Promise<void>((resolve) => {
      allSent = resolve;
    });
  process.disconnect?.();
}

/** zod's issues as one line: "job.backend: Invalid enum value ..." */
function invalidCommandSummary(e: unknown): string {
  const issues = (e as { issues?: { path: (string | number)[]; message: string }[] }).issues;
  return issues?.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') ?? String((e as Error).message ?? e);
}

process.on('message', (raw) => {
  let command;
  try {
    command = parseCommand(raw);
  } catch (e) {
    // A parent waiting for an answer to a command we cannot read would wait forever: say so and end.
    const first = (e as Error).message.split('\n')[0];
    if (busy) return emit({ type: 'log', level: 'warn', message: `ignored an invalid command: ${first}` });
    busy = true;
    emit({
      type: 'failed',
      kind: 'crash',
      message: `invalid command from the parent process: ${invalidCommandSummary(e)}`,
      diagnostics: [],
    });
    void exitWhenDone(Promise.resolve());
    return;
  }
  switch (command.type) {
    case 'stop':
      control.stop();
      return;
    case 'pause':
      control.pause();
      return;
    case 'resume-training':
      control.resume();
      return;
  }
  if (busy) {
    emit({ type: 'log', level: 'warn', message: `busy: ignored "${command.type}"` });
    return;
  }
  busy = true;
  if (command.type === 'train') void exitWhenDone(train(command.job, control, emit));
  else if (command.type === 'resume')
    void exitWhenDone(resume(command.runDir, command.backend, command.cacheDir, control, emit, command.graph));
  else if (command.type === 'describe')
    void exitWhenDone(describe(command.file, command.experiment, command.data, emit));
  else if (command.type === 'analyze') void exitWhenDone(analyze(command, emit, () => control.stopRequested));
  else if (command.type === 'export-keras') void exitWhenDone(exportKeras(command, emit));
  else if (command.type === 'identity') void exitWhenDone(identity(command, emit, () => control.stopRequested));
  else if (command.type === 'sweep-axes') void exitWhenDone(sweepAxes(command.file, command.sweep, emit));
});

// A parent that goes away (window closed, CLI killed) must not leave us training
// forever: stop at the next iteration with a checkpoint, run marked interrupted.
startLifeline(() => {
  allSent?.();
  control.stop();
  setTimeout(() => process.exit(0), 30_000).unref();
});
// An error the user's code throws outside any call we made (a timer, an unawaited promise).
catchUncaught(control, {
  report: (error) => {
    emit(failureEvent(error));
    void exitWhenDone(Promise.resolve()).finally(() => process.exit(1));
  },
  // Training goes on to its checkpoint (the lifeline stopped it); anything else has nobody to answer.
  parentGone: () => {
    if (!control.training) process.exit(1);
  },
});
process.on('SIGINT', () => control.stop());
process.on('SIGTERM', () => control.stop());
